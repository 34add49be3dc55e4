// Double buffering and memory stalls (docs/systolic.md): SystemC cycle counts and word timing
// against the closed forms (tests/systemc/closed_forms.h) on ragged shapes, both dataflows,
// several arrays; hand-derived examples; memory-bound cases whose stalls are worked out by hand.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <tuple>
#include <vector>

#include "array_runs.h"
#include "closed_forms.h"
#include "lbasim/numerics/format.h"
#include "lbasim/systemc/random_operands.h"
#include "lbasim/systemc/run_gemm.h"

namespace lbasim::sysc {
namespace {

using test::array;
using test::ArrayRun;

ArrayRun run(std::int64_t m, std::int64_t k, std::int64_t n, const ArrayConfig& ac) {
  return test::run_array(m, k, n, ac, 3);
}

std::uint64_t categories(const ArrayStats& s) {
  return s.stall_cycles + s.memory_stall_cycles + s.full_cycles + s.fill_drain_cycles;
}

TEST(DoubleBuffering, ClosedFormExampleOfTheIssue) {
  // 32x32, GEMM 256x1024x256, WS: 8 N tiles x 32 K tiles. Double: L_0 = 0, s_0 = 1,
  // L_1 = max(0 + 32, 1 + 32 - 1) = 32, s_1 = max(33, 1 + 256, 1 + 33) = 257, and so on:
  // s_i = 1 + 256 i; total = s_255 + M + R + nt - 1 = 65281 + 256 + 32 + 32 - 1 = 65600.
  // Single: 256 x (32 + 256 + 32 + 32 - 1) = 89856. OS: 8 x 8 tiles, period max(K, mt) = 1024:
  // 63 x 1024 + 1024 + 32 + 32 + 32 - 2 = 65630 (single: 64 x (1024 + 64 + 32 - 2) = 71552).
  for (const auto& [df, b, want] : {std::tuple{DataflowKind::ws, Buffering::double_, 65600u},
                                    {DataflowKind::ws, Buffering::single, 89856u},
                                    {DataflowKind::os, Buffering::double_, 65630u},
                                    {DataflowKind::os, Buffering::single, 71552u}})
    EXPECT_EQ(test::total_cycles(test::schedule(array(32, 32, df, b), 256, 1024, 256)), want);
}

TEST(DoubleBuffering, ScaledDownExampleOnTheModel) {
  // 8x8, GEMM 64x256x64, WS: 8 x 32 tiles, s_i = 1 + 64 i, total = 1 + 64 x 255 + 64 + 8 + 8 -
  // 1 = 16400 (single: 256 x (8 + 64 + 8 + 8 - 1) = 22272); one weight-load stall (cycle 0).
  const ArrayRun ws = run(64, 256, 64, array(8, 8, DataflowKind::ws, Buffering::double_));
  EXPECT_EQ(ws.stats.total_cycles, 16400u);
  EXPECT_EQ(ws.stats.stall_cycles, 1u);
  EXPECT_EQ(run(64, 256, 64, array(8, 8, DataflowKind::ws, Buffering::single)).stats.total_cycles,
            22272u);
  // OS: 8 x 8 tiles, period max(256, 8): 63 x 256 + 256 + 8 + 8 + 8 - 2 = 16406 (single: 64 x
  // (256 + 16 + 8 - 2) = 17792). The last tile streams until s + K + mt + nt - 2, then drains
  // for R = 8 cycles (its words leave in s + K - 1 + c + R + 7 - j).
  const ArrayRun os = run(64, 256, 64, array(8, 8, DataflowKind::os, Buffering::double_));
  EXPECT_EQ(os.stats.total_cycles, 16406u);
  EXPECT_EQ(os.stats.stall_cycles, 8u);
  EXPECT_EQ(run(64, 256, 64, array(8, 8, DataflowKind::os, Buffering::single)).stats.total_cycles,
            17792u);
  for (const ArrayRun* r : {&ws, &os}) {
    EXPECT_EQ(r->stats.macs, 64u * 256 * 64);
    EXPECT_EQ(categories(r->stats), r->stats.total_cycles);
  }
}

TEST(DoubleBuffering, CyclesAndWordTimesFollowTheClosedForms) {
  for (DataflowKind df : {DataflowKind::ws, DataflowKind::os})
    for (Buffering b : {Buffering::single, Buffering::double_})
      for (const auto& [rows, cols] : {std::pair{1, 1}, {2, 3}, {3, 2}, {4, 4}, {5, 3}})
        for (std::int64_t m : {1, 3, 9})
          for (std::int64_t k : {1, 5, 12, 17})
            for (std::int64_t n : {1, 4, 7}) {
              const ArrayConfig ac = array(rows, cols, df, b);
              const std::vector<test::TileTimes> tiles = test::schedule(ac, m, k, n);
              const ArrayRun r = run(m, k, n, ac);
              const std::string where = std::string(to_string(df)) + " " +
                                        std::string(to_string(b)) + " " + std::to_string(rows) +
                                        "x" + std::to_string(cols) + " " + std::to_string(m) + "," +
                                        std::to_string(k) + "," + std::to_string(n);
              ASSERT_EQ(r.stats.total_cycles, test::total_cycles(tiles)) << where;
              EXPECT_EQ(categories(r.stats), r.stats.total_cycles) << where;
              EXPECT_EQ(r.stats.memory_stall_cycles, 0u) << where;
              // Every word leaves when the closed form says: WS (m, c) of tile i in
              // s_i + m + R + c; OS double (row j, c) in s_i + K - 1 + c + R + (mt - 1 - j),
              // OS single in s_i + K + mt + nt - 2 + j.
              std::vector<std::tuple<std::uint64_t, std::int64_t, std::int64_t, bool>> want, got;
              for (const test::TileTimes& t : tiles)
                for (std::int64_t j = 0; j < (df == DataflowKind::ws ? m : t.rows); ++j)
                  for (std::int64_t c = 0; c < t.cols; ++c) {
                    std::int64_t cycle = 0;
                    if (df == DataflowKind::ws)
                      cycle = t.stream + j + rows + c;
                    else if (b == Buffering::double_)
                      cycle = t.stream + k - 1 + c + rows + (t.rows - 1 - j);
                    else
                      cycle = t.stream + k + t.rows + t.cols - 2 + j;
                    const bool final = df == DataflowKind::os || t.row0 + t.rows >= k;
                    want.emplace_back(cycle, df == DataflowKind::ws ? j : t.row0 + j, t.col0 + c,
                                      final);
                  }
              for (const OutputWord& word : r.words)
                got.emplace_back(word.cycle, word.m, word.n, word.final);
              std::sort(want.begin(), want.end());
              std::sort(got.begin(), got.end());
              EXPECT_EQ(got, want) << where;
            }
}

}  // namespace
}  // namespace lbasim::sysc
