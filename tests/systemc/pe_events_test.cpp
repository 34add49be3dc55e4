// The per-PE, per-cycle event record (CycleEvents) against the golden model, in both buffering
// modes: every recorded step is attributed to its output through the timing of
// docs/systolic.md (WS: PE(r, c) works on row m in cycle s + m + r + c of its tile; OS: on
// step k in cycle s + k + r + c; s from the closed-form schedule), the
// column-bottom adds come from the output words, and per output the stage counts must equal
// num::dot_chunked's for that output alone.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <utility>
#include <vector>

#include "closed_forms.h"
#include "lbasim/numerics/accumulate.h"
#include "lbasim/numerics/format.h"
#include "lbasim/systemc/random_operands.h"
#include "lbasim/systemc/run_gemm.h"

namespace lbasim::sysc {
namespace {

num::AccumConfig narrow(std::int64_t chunk) {
  num::AccumConfig c;
  c.product = num::parse_format("M7E4b12");
  c.accumulator = num::parse_format("M3E4b9:rne:subnormal");
  c.chunk_accumulator = num::parse_format("M6E5");
  c.chunk = chunk;
  return c;
}

void add_events(num::EventCounts& c, std::uint8_t e) { c.add(e); }

void check_record(const ArrayConfig& ac, std::int64_t m, std::int64_t k, std::int64_t n,
                  std::int64_t chunk, std::uint64_t seed) {
  const num::AccumConfig cfg = narrow(chunk);
  const num::Format wa = num::parse_format("M4E3");
  const std::vector<double> a = random_operand(m * k, wa, seed, 2.0);
  const std::vector<double> w = random_operand(k * n, wa, seed + 1, 2.0);
  const std::vector<test::TileTimes> tiles = test::schedule(ac, m, k, n);
  std::map<std::pair<std::int64_t, std::int64_t>, num::StageCounts> got;
  std::uint64_t steps = 0;
  const std::string where =
      fmt::format("{} {} {}x{} GEMM {},{},{} chunk {}", to_string(ac.dataflow),
                  to_string(ac.buffering), ac.rows, ac.cols, m, k, n, chunk);
  const bool ws = ac.dataflow == DataflowKind::ws;
  RunHooks hooks;
  hooks.on_pe_events = [&](const CycleEvents& ev) {
    ASSERT_EQ(ev.pe.size(), static_cast<std::size_t>(ac.rows * ac.cols));
    for (int r = 0; r < ev.rows; ++r)
      for (int c = 0; c < ev.cols; ++c) {
        const PeStepEvents& e = ev.pe[r * ev.cols + c];
        if (!e.done) {
          EXPECT_EQ(e.product | e.accumulator | e.chunk, 0) << where;
          continue;
        }
        ASSERT_TRUE(e.done & PeStepEvents::kMac) << where;
        EXPECT_EQ(e.product & num::kSwamped, 0) << where << ": a product is never swamped";
        // The tile this PE works for in this cycle, from the documented timing: WS row m (OS
        // step k) = cycle - s - r - c.
        const test::TileTimes* tile = nullptr;
        std::int64_t j = 0;
        for (const test::TileTimes& t : tiles) {
          j = static_cast<std::int64_t>(ev.cycle) - t.stream - r - c;
          if (r < t.rows && c < t.cols && j >= 0 && j < (ws ? m : k)) {
            tile = &t;
            break;
          }
        }
        ASSERT_NE(tile, nullptr) << where << ": PE(" << r << "," << c << ") busy in cycle "
                                 << ev.cycle << " outside the schedule";
        const std::int64_t om = ws ? j : tile->row0 + r, on = tile->col0 + c;
        num::StageCounts& sc = got[{om, on}];
        add_events(sc.product, e.product);
        add_events(sc.accumulator, e.accumulator);
        if (e.done & PeStepEvents::kChunkAdd) add_events(sc.chunk, e.chunk);
        ++steps;
      }
  };
  hooks.on_output = [&](const OutputWord& word) {
    if (word.final) add_events(got[{word.m, word.n}].chunk, word.events);
  };
  std::vector<double> c(m * n);
  run_gemm({a.data(), w.data(), c.data(), m, k, n}, ac, cfg, hooks);
  EXPECT_EQ(steps, static_cast<std::uint64_t>(m * k * n)) << where;
  for (std::int64_t i = 0; i < m; ++i)
    for (std::int64_t j = 0; j < n; ++j) {
      num::StageCounts want;
      num::dot_chunked(a.data() + i * k, 1, w.data() + j, n, k, cfg, &want);
      EXPECT_EQ(num::to_json(got[{i, j}]).dump(), num::to_json(want).dump())
          << where << " output (" << i << "," << j << ")";
    }
}

void check_records(DataflowKind df, std::uint64_t seed) {
  for (Buffering b : {Buffering::single, Buffering::double_})
    for (const auto& [rows, cols] : {std::pair{4, 4}, {3, 5}, {5, 3}, {1, 1}})
      for (std::int64_t chunk : {0, 1, 2, 3, 5})
        for (const auto& [m, k, n] : {std::tuple{6, 4, 4}, {5, 11, 7}, {2, 3, 1}})
          check_record({rows, cols, df, PeKind::fmaq, b}, m, k, n, chunk, seed += 2);
}

TEST(PeEventRecord, WeightStationaryMatchesGoldenPerOutput) {
  check_records(DataflowKind::ws, 100);
}

TEST(PeEventRecord, OutputStationaryMatchesGoldenPerOutput) {
  check_records(DataflowKind::os, 200);
}

// Keeping the record must not change anything else: values, cycles, counters, events.
TEST(PeEventRecord, RecordingChangesNothing) {
  const num::AccumConfig cfg = narrow(3);
  const num::Format wa = num::parse_format("M4E3");
  const std::vector<double> a = random_operand(9 * 14, wa, 5, 2.0);
  const std::vector<double> w = random_operand(14 * 6, wa, 6, 2.0);
  for (DataflowKind df : {DataflowKind::ws, DataflowKind::os}) {
    std::vector<double> c0(9 * 6), c1(9 * 6);
    const ArrayStats plain = run_gemm({a.data(), w.data(), c0.data(), 9, 14, 6}, {4, 3, df}, cfg);
    RunHooks hooks;
    std::uint64_t frames = 0;
    hooks.on_pe_events = [&](const CycleEvents&) { ++frames; };
    const ArrayStats rec =
        run_gemm({a.data(), w.data(), c1.data(), 9, 14, 6}, {4, 3, df}, cfg, hooks);
    EXPECT_EQ(to_json(plain).dump(), to_json(rec).dump());
    for (std::size_t i = 0; i < c0.size(); ++i)
      EXPECT_EQ(std::bit_cast<std::uint64_t>(c0[i]), std::bit_cast<std::uint64_t>(c1[i]));
    EXPECT_EQ(frames, rec.full_cycles + rec.fill_drain_cycles);  // one frame per stream cycle
    EXPECT_GT(frames, 0u);
  }
}

}  // namespace
}  // namespace lbasim::sysc
