// The per-PE, per-cycle event record (CycleEvents) against the golden model: every recorded
// step is attributed to its output through the timing of docs/systolic.md (WS: PE(r, c) works
// on row m in stream cycle m + r + c of its tile; OS: on step k in cycle k + r + c), the
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

// A stream tile of the single-buffered schedule: first stream cycle, first k and n (WS) or
// first m and n (OS).
struct Tile {
  std::uint64_t stream_start;
  std::int64_t first, n0;
};

// docs/systolic.md, single buffering: WS tile = kt load + (M + R + nt - 1) stream cycles, N
// tiles outer; OS tile = (K + mt + nt - 2) stream + mt drain cycles, M tiles outer.
std::vector<Tile> single_schedule(const ArrayConfig& ac, std::int64_t m, std::int64_t k,
                                  std::int64_t n) {
  std::vector<Tile> tiles;
  std::uint64_t t = 0;
  const bool ws = ac.dataflow == DataflowKind::ws;
  const std::int64_t outer = ws ? n : m, inner_len = ws ? k : n;
  const int outer_step = ws ? ac.cols : ac.rows, inner_step = ws ? ac.rows : ac.cols;
  for (std::int64_t o = 0; o < outer; o += outer_step)
    for (std::int64_t i = 0; i < inner_len; i += inner_step) {
      const std::int64_t nt = std::min<std::int64_t>(ac.cols, ws ? n - o : n - i);
      if (ws) {
        const std::int64_t kt = std::min<std::int64_t>(ac.rows, k - i);
        tiles.push_back({t + kt, i, o});
        t += kt + m + ac.rows + nt - 1;
      } else {
        const std::int64_t mt = std::min<std::int64_t>(ac.rows, m - o);
        tiles.push_back({t, o, i});
        t += k + 2 * mt + nt - 2;
      }
    }
  return tiles;
}

void add_events(num::EventCounts& c, std::uint8_t e) { c.add(e); }

void check_record(const ArrayConfig& ac, std::int64_t m, std::int64_t k, std::int64_t n,
                  std::int64_t chunk, std::uint64_t seed) {
  const num::AccumConfig cfg = narrow(chunk);
  const num::Format wa = num::parse_format("M4E3");
  const std::vector<double> a = random_operand(m * k, wa, seed, 2.0);
  const std::vector<double> w = random_operand(k * n, wa, seed + 1, 2.0);
  const std::vector<Tile> tiles = single_schedule(ac, m, k, n);
  std::map<std::pair<std::int64_t, std::int64_t>, num::StageCounts> got;
  std::uint64_t steps = 0;
  const std::string where = fmt::format("{} {}x{} GEMM {},{},{} chunk {}", to_string(ac.dataflow),
                                        ac.rows, ac.cols, m, k, n, chunk);
  RunHooks hooks;
  hooks.on_pe_events = [&](const CycleEvents& ev) {
    ASSERT_EQ(ev.pe.size(), static_cast<std::size_t>(ac.rows * ac.cols));
    // The tile streaming in this cycle: the last one that started.
    std::size_t ti = 0;
    while (ti + 1 < tiles.size() && tiles[ti + 1].stream_start <= ev.cycle) ++ti;
    const Tile& tile = tiles[ti];
    const std::int64_t s = static_cast<std::int64_t>(ev.cycle - tile.stream_start);
    for (int r = 0; r < ev.rows; ++r)
      for (int c = 0; c < ev.cols; ++c) {
        const PeStepEvents& e = ev.pe[r * ev.cols + c];
        if (!e.done) {
          EXPECT_EQ(e.product | e.accumulator | e.chunk, 0) << where;
          continue;
        }
        ASSERT_TRUE(e.done & PeStepEvents::kMac) << where;
        EXPECT_EQ(e.product & num::kSwamped, 0) << where << ": a product is never swamped";
        // Output coordinates from the documented timing.
        const std::int64_t om = ac.dataflow == DataflowKind::ws ? s - r - c : tile.first + r;
        const std::int64_t on = tile.n0 + c;
        ASSERT_TRUE(om >= 0 && om < m && on < n) << where << " cycle " << ev.cycle;
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

TEST(PeEventRecord, WeightStationaryMatchesGoldenPerOutput) {
  std::uint64_t seed = 100;
  for (const ArrayConfig ac : {ArrayConfig{4, 4, DataflowKind::ws}, ArrayConfig{3, 5},
                               ArrayConfig{5, 3}, ArrayConfig{1, 1}})
    for (std::int64_t chunk : {0, 1, 2, 3, 5})
      for (const auto& [m, k, n] : {std::tuple{6, 4, 4}, {5, 11, 7}, {2, 3, 1}})
        check_record(ac, m, k, n, chunk, seed += 2);
}

TEST(PeEventRecord, OutputStationaryMatchesGoldenPerOutput) {
  std::uint64_t seed = 200;
  for (const ArrayConfig ac :
       {ArrayConfig{4, 4, DataflowKind::os}, ArrayConfig{3, 5, DataflowKind::os},
        ArrayConfig{5, 3, DataflowKind::os}, ArrayConfig{1, 1, DataflowKind::os}})
    for (std::int64_t chunk : {0, 1, 2, 3, 5})
      for (const auto& [m, k, n] : {std::tuple{6, 4, 4}, {5, 11, 7}, {2, 3, 1}})
        check_record(ac, m, k, n, chunk, seed += 2);
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
  }
}

}  // namespace
}  // namespace lbasim::sysc
