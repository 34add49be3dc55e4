// The fused (tensor-core) PE, --pe fused: the array must reproduce the golden fused GEMM
// (num::gemm_reference with the config's "fused" order) bit for bit, event counts included
// (align_inexact and cut terms), for both dataflows and buffering modes, ragged shapes (K not a
// multiple of g, chunks not a multiple of g, promotion every 128), per-column exponent floors;
// its cycles are the fmaq array's with K replaced by the step count S (docs/systolic.md).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "lbasim/numerics/accumulate.h"
#include "lbasim/numerics/format.h"
#include "lbasim/systemc/random_operands.h"
#include "lbasim/systemc/run_gemm.h"

namespace lbasim::sysc {
namespace {

struct Shape {
  std::int64_t m, k, n;
};

num::AccumConfig fused_config(int g, int f, const char* acc, const char* cacc) {
  num::AccumConfig c;
  c.accumulator = num::parse_format(acc);
  c.chunk_accumulator = num::parse_format(cacc);
  c.fused = num::FusedOrder{g, f, true};
  return c;
}

// configs/gpu/hopper_fp8.json (chunk 0) and, with chunk 128 and an fp32 chunk accumulator,
// hopper_fp8_promote128.json.
num::AccumConfig hopper_fp8() {
  return fused_config(32, 13, "M13E8:rtz:subnormal:ieee:inf", "fp32");
}

// Per-column W floors that differ (as per-column W scales make them) and A's floor, so a PE
// using the wrong column's floor or none would differ where operands are subnormal.
num::OperandFloors floors_for(const num::Format& wa, std::int64_t n) {
  num::OperandFloors f;
  f.a = num::operand_floor(wa);
  for (std::int64_t j = 0; j < n; ++j)
    f.w.push_back(num::operand_floor(wa) + static_cast<int>(j % 3));
  return f;
}

std::string first_difference(const std::vector<double>& got, const std::vector<double>& want,
                             std::int64_t n) {
  for (std::size_t i = 0; i < got.size(); ++i)
    if (std::bit_cast<std::uint64_t>(got[i]) != std::bit_cast<std::uint64_t>(want[i]))
      return fmt::format("C[{},{}] = {}, golden {}", i / n, i % n, got[i], want[i]);
  return "";
}

// Every array, buffering and chunk of `chunks` on every shape, against the golden GEMM.
void check_against_golden(DataflowKind df, num::AccumConfig cfg, const std::vector<Shape>& shapes,
                          const std::vector<std::int64_t>& chunks, double sigma) {
  const num::Format wa = num::parse_format("fp8_e4m3");
  std::vector<ArrayConfig> arrays;
  for (Buffering b : {Buffering::single, Buffering::double_})
    for (const auto& [rows, cols] : {std::pair{1, 1}, {3, 5}, {4, 4}, {5, 3}})
      arrays.push_back({rows, cols, df, PeKind::fused, b});
  std::uint64_t seed = 11;
  for (const Shape& s : shapes) {
    const std::vector<double> a = random_operand(s.m * s.k, wa, seed++, sigma);
    const std::vector<double> w = random_operand(s.k * s.n, wa, seed++, sigma);
    const num::OperandFloors floors = floors_for(wa, s.n);
    std::uint64_t zeros = 0;  // MACs with a zero operand, counted here
    for (std::int64_t i = 0; i < s.m; ++i)
      for (std::int64_t k = 0; k < s.k; ++k)
        for (std::int64_t j = 0; j < s.n; ++j) zeros += a[i * s.k + k] == 0 || w[k * s.n + j] == 0;
    for (std::int64_t chunk : chunks) {
      cfg.chunk = chunk;
      std::vector<double> want(s.m * s.n);
      num::StageCounts want_events;
      num::gemm_reference(a.data(), w.data(), want.data(), s.m, s.k, s.n, cfg, &want_events,
                          floors);
      for (const ArrayConfig& ac : arrays) {
        const std::string where = fmt::format("{} {} {}x{} g {} GEMM {},{},{} chunk {}",
                                              to_string(df), to_string(ac.buffering), ac.rows,
                                              ac.cols, cfg.fused->terms, s.m, s.k, s.n, chunk);
        std::vector<double> got(s.m * s.n, -12345.0);
        GemmProblem p{a.data(), w.data(), got.data(), s.m, s.k, s.n};
        p.floors = floors;
        const ArrayStats st = run_gemm(p, ac, cfg);
        EXPECT_EQ(first_difference(got, want, s.n), "") << where;
        EXPECT_EQ(num::to_json(st.events).dump(), num::to_json(want_events).dump()) << where;
        EXPECT_EQ(st.macs, static_cast<std::uint64_t>(s.m * s.k * s.n)) << where;
        std::uint64_t pe_macs = 0, pe_zeros = 0;
        for (const PeCounters& c : st.pe) {
          pe_macs += c.macs;
          pe_zeros += c.zero_operand;
        }
        EXPECT_EQ(pe_macs, st.macs) << where;
        EXPECT_EQ(pe_zeros, zeros) << where;
      }
    }
  }
}

// g = 4 with a narrow accumulator: short groups at K % 4 != 0 and in chunks of 6 and 10.
const std::vector<Shape> kSmallShapes = {{1, 1, 1}, {7, 13, 5}, {5, 3, 9}, {6, 41, 4}};
const std::vector<std::int64_t> kSmallChunks = {0, 1, 4, 6, 8, 10, 40};

num::AccumConfig narrow_g4() { return fused_config(4, 6, "M6E5:rtz:subnormal", "M10E5"); }

TEST(FusedPe, WeightStationaryGroupsOfFour) {
  check_against_golden(DataflowKind::ws, narrow_g4(), kSmallShapes, kSmallChunks, 1.0);
}
TEST(FusedPe, OutputStationaryGroupsOfFour) {
  check_against_golden(DataflowKind::os, narrow_g4(), kSmallShapes, kSmallChunks, 1.0);
}

// Hopper FP8, with and without DeepSeek's promotion every 128 products; K = 300 is 128 + 128 +
// 44 (groups 32 x 4, 32 x 4, 32 + 12), K = 45 one group and a short one. sigma 0.004 makes most
// operands subnormal or zero (all-zero groups). (The floors' effect is caught by the g = 4 tests:
// with F = 13 a uniform shift of a column's exponents seldom changes a cut; F = 6 does.)
TEST(FusedPe, HopperFp8BothDataflows) {
  const std::vector<Shape> shapes = {{3, 300, 4}, {5, 45, 3}};
  for (DataflowKind df : {DataflowKind::ws, DataflowKind::os}) {
    check_against_golden(df, hopper_fp8(), shapes, {0, 128}, 1.0);
    check_against_golden(df, hopper_fp8(), shapes, {0, 128}, 0.004);
  }
}

// The per-PE event record (cosim's view) holds every step's events: summed over cycles and PEs
// it gives the statistics' accumulator counts, one record per PE step. The stimulus of the
// comparisons above sees every kind of event of the fused order.
TEST(FusedPe, PerPeRecordSumsToTheCountsAndEveryEventKindOccurs) {
  num::AccumConfig cfg = narrow_g4();
  cfg.chunk = 6;
  const num::Format wa = num::parse_format("fp8_e4m3");
  const std::vector<double> a = random_operand(6 * 41, wa, 5);
  const std::vector<double> w = random_operand(41 * 4, wa, 6);
  std::vector<double> c(6 * 4);
  for (DataflowKind df : {DataflowKind::ws, DataflowKind::os}) {
    std::uint64_t steps = 0, align = 0, cut = 0, swamped_steps = 0, chunk_adds = 0;
    RunHooks hooks;
    hooks.on_pe_events = [&](const CycleEvents& e) {
      for (const PeStepEvents& pe : e.pe) {
        steps += (pe.done & PeStepEvents::kMac) != 0;
        chunk_adds += (pe.done & PeStepEvents::kChunkAdd) != 0;
        align += pe.align_inexact;
        cut += pe.cut;
        swamped_steps += (pe.accumulator & num::kSwamped) != 0;
        EXPECT_EQ(pe.product, 0) << "exact products have no events";
      }
    };
    const ArrayStats st =
        run_gemm({a.data(), w.data(), c.data(), 6, 41, 4}, {3, 2, df, PeKind::fused}, cfg, hooks);
    EXPECT_EQ(steps, st.pe_steps) << to_string(df);
    EXPECT_EQ(steps, st.events.accumulator.ops) << to_string(df);
    EXPECT_EQ(align, st.events.accumulator.align_inexact) << to_string(df);
    EXPECT_GT(align, 0u);
    EXPECT_EQ(swamped_steps + cut, st.events.accumulator.swamped) << to_string(df);
    std::uint64_t pe_chunk_adds = 0;
    for (const PeCounters& p : st.pe) pe_chunk_adds += p.chunk_adds;
    EXPECT_EQ(chunk_adds, pe_chunk_adds) << to_string(df);
    EXPECT_GT(st.events.accumulator.swamped, 0u);
    EXPECT_GT(st.events.accumulator.inexact, 0u);
    EXPECT_GT(st.events.chunk.ops, 0u);
  }
}

// S = floor(K / n) ceil(n / g) + ceil((K mod n) / g), n the chunk (K when 0 or >= K).
std::int64_t steps(std::int64_t k, std::int64_t chunk, std::int64_t g) {
  const std::int64_t n = chunk <= 0 || chunk >= k ? k : chunk;
  return k / n * ((n + g - 1) / g) + (k % n + g - 1) / g;
}

// Cycles, tiles, stalls and buffer reads: those of the fmaq array on the GEMM M x S x N (the
// schedule depends on the shape only), and, single-buffered, the closed forms of
// docs/systolic.md with S for K. Buffer reads count words: g per full group.
TEST(FusedPe, CyclesAreTheFmaqArraysOverSteps) {
  const num::Format wa = num::parse_format("fp8_e4m3");
  num::AccumConfig chain;
  chain.product = chain.accumulator = chain.chunk_accumulator = num::parse_format("fp32");
  for (const Shape& s : {Shape{5, 70, 9}, Shape{20, 300, 6}, Shape{3, 32, 3}})
    for (std::int64_t chunk : {0, 128, 20}) {
      num::AccumConfig cfg = hopper_fp8();
      cfg.chunk = chunk;
      const std::int64_t S = steps(s.k, chunk, 32);
      const std::vector<double> a = random_operand(s.m * s.k, wa, 1);
      const std::vector<double> w = random_operand(s.k * s.n, wa, 2);
      const std::vector<double> as(s.m * S, 1.0), ws(S * s.n, 1.0);
      std::vector<double> c(s.m * s.n);
      for (DataflowKind df : {DataflowKind::ws, DataflowKind::os})
        for (Buffering b : {Buffering::single, Buffering::double_}) {
          const std::string where = fmt::format("{} {} GEMM {},{},{} chunk {}", to_string(df),
                                                to_string(b), s.m, s.k, s.n, chunk);
          const ArrayStats f = run_gemm({a.data(), w.data(), c.data(), s.m, s.k, s.n},
                                        {4, 4, df, PeKind::fused, b}, cfg);
          const ArrayStats q = run_gemm({as.data(), ws.data(), c.data(), s.m, S, s.n},
                                        {4, 4, df, PeKind::fmaq, b}, chain);
          EXPECT_EQ(f.total_cycles, q.total_cycles) << where;
          EXPECT_EQ(f.tiles, q.tiles) << where;
          EXPECT_EQ(f.full_cycles, q.full_cycles) << where;
          EXPECT_EQ(f.stall_cycles, q.stall_cycles) << where;
          EXPECT_EQ(f.pe_steps, q.macs) << where;  // one step per group: M x S x N
          EXPECT_EQ(f.utilization(), q.utilization()) << where;
          const std::int64_t n_tiles = (s.n + 3) / 4, m_tiles = (s.m + 3) / 4;
          const std::uint64_t act_reads = static_cast<std::uint64_t>(s.m * s.k * n_tiles);
          const std::uint64_t w_reads =
              static_cast<std::uint64_t>(s.k * s.n * (df == DataflowKind::ws ? 1 : m_tiles));
          EXPECT_EQ(f.act_buffer.reads, act_reads) << where;
          EXPECT_EQ(f.weight_buffer.reads, w_reads) << where;
          if (b == Buffering::double_) continue;
          std::int64_t want = 0;  // the closed forms, tile by tile
          if (df == DataflowKind::ws) {
            for (std::int64_t n0 = 0; n0 < s.n; n0 += 4)
              for (std::int64_t k0 = 0; k0 < S; k0 += 4)
                want += std::min<std::int64_t>(4, S - k0) + s.m + 4 +
                        std::min<std::int64_t>(4, s.n - n0) - 1;
          } else {
            for (std::int64_t m0 = 0; m0 < s.m; m0 += 4)
              for (std::int64_t n0 = 0; n0 < s.n; n0 += 4) {
                const std::int64_t mt = std::min<std::int64_t>(4, s.m - m0);
                want += S + mt + std::min<std::int64_t>(4, s.n - n0) - 2 + mt;
              }
          }
          EXPECT_EQ(f.total_cycles, static_cast<std::uint64_t>(want)) << where;
        }
    }
}

// Chunk lane 'column' works where chunks are whole K tiles of R steps of g products.
TEST(FusedPe, ColumnChunkLaneWithWholeTileChunks) {
  const num::Format wa = num::parse_format("fp8_e4m3");
  num::AccumConfig cfg = hopper_fp8();
  cfg.chunk = 128;  // 4 steps of 32: one K tile of a 4-row array, two of a 2-row one
  for (int rows : {4, 2}) {
    const std::vector<double> a = random_operand(5 * 300, wa, 3);
    const std::vector<double> w = random_operand(300 * 6, wa, 4);
    std::vector<double> want(5 * 6), got(5 * 6);
    num::StageCounts want_events;
    num::gemm_reference(a.data(), w.data(), want.data(), 5, 300, 6, cfg, &want_events);
    ArrayConfig ac{rows, 3, DataflowKind::ws, PeKind::fused};
    ac.chunk_lane = ChunkLane::column;
    const ArrayStats st = run_gemm({a.data(), w.data(), got.data(), 5, 300, 6}, ac, cfg);
    EXPECT_EQ(first_difference(got, want, 6), "") << rows << " rows";
    EXPECT_EQ(num::to_json(st.events).dump(), num::to_json(want_events).dump()) << rows << " rows";
  }
}

}  // namespace
}  // namespace lbasim::sysc
