// Memory bandwidth and stalls (docs/systolic.md, "Memory bandwidth"): cases whose schedule and
// stall counts are worked out by hand in the comments, and unlimited bandwidth reproducing the
// compute-only counts.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "lbasim/base/error.h"
#include "lbasim/numerics/format.h"
#include "lbasim/systemc/random_operands.h"
#include "lbasim/systemc/run_gemm.h"

namespace lbasim::sysc {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

ArrayStats run(std::int64_t m, std::int64_t k, std::int64_t n, const ArrayConfig& ac,
               const GemmDram& dram) {
  num::AccumConfig cfg;
  cfg.product = num::parse_format("M7E4b12");
  cfg.accumulator = cfg.chunk_accumulator = num::parse_format("M7E4b10");
  cfg.chunk = 2;
  const num::Format wa = num::parse_format("M4E3");
  const std::vector<double> a = random_operand(m * k, wa, 5);
  const std::vector<double> w = random_operand(k * n, wa, 6);
  std::vector<double> c(m * n);
  return run_gemm({a.data(), w.data(), c.data(), m, k, n, dram}, ac, cfg);
}

ArrayConfig make(int rows, int cols, DataflowKind df, Buffering b, double bw) {
  return {rows, cols, df, PeKind::fmaq, b, bw};
}

GemmDram only(bool a, bool w, bool c, bool partials = false) {
  GemmDram d;
  d.a = a;
  d.w = w;
  d.c = c;
  d.partials = partials;
  d.a_bytes = d.w_bytes = 1;
  d.c_bytes = 2;
  d.pair_bytes = 4;
  return d;
}

void expect_cycles(const ArrayStats& s, std::uint64_t total, std::uint64_t memory_stall,
                   std::uint64_t stall) {
  EXPECT_EQ(s.total_cycles, total);
  EXPECT_EQ(s.memory_stall_cycles, memory_stall);
  EXPECT_EQ(s.stall_cycles, stall);
  EXPECT_EQ(s.full_cycles + s.fill_drain_cycles, total - memory_stall - stall);
}

TEST(MemoryStalls, WeightStationaryDoubleWeightsFromDram) {
  // 2x2 array, GEMM M=4 K=4 N=2: two K tiles of 2x2 weights (4 bytes each), 1 byte per cycle.
  // Tile 0's weights are read in cycles 0-3 (usable from 4): L_0 = 4, s_0 = 5, end_0 = 5 + M +
  // R + nt - 1 = 12. Tile 1's read is issued when tile 0 starts loading (cycle 4): 4-7, usable
  // from 8: L_1 = max(L_0 + 2, s_0 + 2 - 1, 8) = 8, s_1 = max(9, s_0 + M, s_0 + R + 1) = 9,
  // end_1 = 16. Cycles 0-3 wait for DRAM (4), cycle 4 only loads (1), 5-15 stream (11).
  // Without DRAM: L_0 = 0, s_0 = 1, L_1 = 2, s_1 = 5, total 12.
  const ArrayConfig ac = make(2, 2, DataflowKind::ws, Buffering::double_, 1);
  const ArrayStats s = run(4, 4, 2, ac, only(false, true, false));
  expect_cycles(s, 16, 4, 1);
  EXPECT_EQ(s.dram_read_bytes, 8);
  expect_cycles(run(4, 4, 2, make(2, 2, DataflowKind::ws, Buffering::double_, kInf),
                    only(false, true, false)),
                12, 0, 1);
  // C to DRAM too: 8 results x 2 bytes written from cycle 16, done at 32: 16 more stalls.
  const ArrayStats sc = run(4, 4, 2, ac, only(false, true, true));
  expect_cycles(sc, 32, 20, 1);
  EXPECT_EQ(sc.dram_write_bytes, 16);
}

TEST(MemoryStalls, WeightStationarySingleWeightsFromDram) {
  // The same GEMM single-buffered: tile 0 usable from 4: L_0 = 4, s_0 = 6, end_0 = 13; tile
  // 1's read (issued at L_0 = 4) is usable from 8 < end_0: L_1 = 13, s_1 = 15, end_1 = 22.
  // Stalls: 4 on DRAM, 2 + 2 weight-load cycles. Without DRAM: 2 x (2 + 7) = 18.
  expect_cycles(
      run(4, 4, 2, make(2, 2, DataflowKind::ws, Buffering::single, 1), only(false, true, false)),
      22, 4, 4);
}

TEST(MemoryStalls, WeightStationarySpilledPartialPairs) {
  // 2x2, GEMM M=2 K=4 N=2, nothing but the partial pairs in DRAM (4 bytes a pair, 1 byte per
  // cycle). Tile 0: L_0 = 0, s_0 = 1, end_0 = 1 + 2 + 2 + 2 - 1 = 6; it writes 4 pairs (16
  // bytes) in cycles 6-21, and tile 1 reads them back in 22-37, so s_1 = 38 although its
  // weights loaded in cycles 2-3 and it could stream from max(L_1 + 1, s_0 + M, s_0 + R + 1) = 4.
  // end_1 = 43. Cycle 0 loads; 1-3 and 38-42 stream; 4-37 wait for DRAM (in 4-5 tile 0's last
  // words still move, but the cycle is lost to the wait: none of its cycles has all 4 PEs busy).
  const ArrayStats s = run(2, 4, 2, make(2, 2, DataflowKind::ws, Buffering::double_, 1),
                           only(false, false, false, true));
  expect_cycles(s, 43, 34, 1);
  EXPECT_EQ(s.dram_read_bytes, 16);
  EXPECT_EQ(s.dram_write_bytes, 16);
}

TEST(MemoryStalls, OutputStationaryDoubleOperandsFromDram) {
  // 2x2, GEMM M=2 K=3 N=4: one M tile, two N tiles; 2 bytes per cycle. Tile 0 reads A (2 x 3)
  // and its W (3 x 2): 12 bytes in cycles 0-5, s_0 = 6. Tile 1 reads its W (6 bytes) from s_0:
  // 6-8, usable from 9 = s_0 + max(K, mt): s_1 = 9. end_1 = s_1 + K + R + mt + nt - 2 = 16.
  // Streams: tile 0 in 6-10, tile 1 in 9-13; 14-15 only drain; 0-5 wait for DRAM.
  const ArrayStats s =
      run(2, 3, 4, make(2, 2, DataflowKind::os, Buffering::double_, 2), only(true, true, false));
  expect_cycles(s, 16, 6, 2);
  EXPECT_EQ(s.dram_read_bytes, 18);
}

// With partial pairs on chip (a spill serializes K tiles whatever the bandwidth: see
// WeightStationarySpilledPartialPairs).
TEST(MemoryStalls, UnlimitedBandwidthIsComputeOnly) {
  const GemmDram all = only(true, true, true);
  for (DataflowKind df : {DataflowKind::ws, DataflowKind::os})
    for (Buffering b : {Buffering::single, Buffering::double_})
      for (const auto& [m, k, n] : {std::tuple{5, 9, 7}, {1, 13, 3}, {9, 4, 11}}) {
        const ArrayStats with = run(m, k, n, make(3, 4, df, b, kInf), all);
        const ArrayStats without = run(m, k, n, make(3, 4, df, b, kInf), {});
        nlohmann::json a = to_json(with), z = to_json(without);
        EXPECT_GT(a["dram"]["read_bytes"].get<double>(), 0.0);
        a.erase("dram");
        z.erase("dram");
        EXPECT_EQ(a.dump(), z.dump());
      }
}

TEST(MemoryStalls, BadBandwidthAndBufferingAreRefused) {
  const auto message = [](auto&& f) -> std::string {
    try {
      f();
    } catch (const InputError& e) {
      return e.what();
    }
    return "(no error)";
  };
  for (const char* bad : {"0", "-4", "nan", "fast", ""}) {
    const std::string msg = message([&] { parse_bandwidth(bad, "--dram-bw"); });
    EXPECT_NE(msg.find(std::string("--dram-bw: '") + bad + "'"), std::string::npos) << msg;
  }
  EXPECT_EQ(parse_bandwidth("inf", "--dram-bw"), kInf);
  EXPECT_EQ(parse_bandwidth("12.5", "--dram-bw"), 12.5);
  const std::string b = message([] { parse_buffering("triple", "--buffering"); });
  EXPECT_NE(b.find("--buffering: 'triple'"), std::string::npos) << b;
  const std::string v =
      message([] { validate(make(4, 4, DataflowKind::ws, Buffering::single, 0)); });
  EXPECT_NE(v.find("DRAM bandwidth 0"), std::string::npos) << v;
}

}  // namespace
}  // namespace lbasim::sysc
