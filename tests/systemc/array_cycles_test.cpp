// Cycle counts, buffer traffic and per-PE counters of small cases against the hand-derived
// formulas of docs/systolic.md (expected numbers worked out by hand in the comments).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "array_runs.h"
#include "lbasim/numerics/format.h"
#include "lbasim/systemc/random_operands.h"
#include "lbasim/systemc/run_gemm.h"

namespace lbasim::sysc {
namespace {

// Single-buffered: the counts below are of that mode (double buffering:
// array_schedule_test.cpp).
test::ArrayRun run(std::int64_t m, std::int64_t k, std::int64_t n, ArrayConfig ac,
                   std::int64_t chunk = 0) {
  ac.buffering = Buffering::single;
  return test::run_array(m, k, n, ac, chunk);
}

// docs/systolic.md: WS tile (kt, nt) = kt load + (M + R + nt - 1) stream cycles.
std::uint64_t ws_formula(std::int64_t m, std::int64_t k, std::int64_t n, int rows, int cols) {
  std::uint64_t total = 0;
  for (std::int64_t n0 = 0; n0 < n; n0 += cols)
    for (std::int64_t k0 = 0; k0 < k; k0 += rows) {
      const std::int64_t kt = std::min<std::int64_t>(rows, k - k0);
      const std::int64_t nt = std::min<std::int64_t>(cols, n - n0);
      total += kt + m + rows + nt - 1;
    }
  return total;
}

// docs/systolic.md: OS tile (mt, nt) = (K + mt + nt - 2) stream + mt drain cycles.
std::uint64_t os_formula(std::int64_t m, std::int64_t k, std::int64_t n, int rows, int cols) {
  std::uint64_t total = 0;
  for (std::int64_t m0 = 0; m0 < m; m0 += rows)
    for (std::int64_t n0 = 0; n0 < n; n0 += cols) {
      const std::int64_t mt = std::min<std::int64_t>(rows, m - m0);
      const std::int64_t nt = std::min<std::int64_t>(cols, n - n0);
      total += k + 2 * mt + nt - 2;
    }
  return total;
}

TEST(ArrayCycles, WeightStationarySingleTile) {
  // 4x4, M=5 K=4 N=4: 4 load + (5 + 4 + 4 - 1) = 16. PE(r,c) works in stream cycles
  // m + r + c, m = 0..4: cycles 0..10 have MACs, none has all 16 PEs busy.
  const test::ArrayRun r = run(5, 4, 4, {4, 4, DataflowKind::ws});
  EXPECT_EQ(r.stats.total_cycles, 16u);
  EXPECT_EQ(r.stats.stall_cycles, 4u);
  EXPECT_EQ(r.stats.compute_cycles, 11u);
  EXPECT_EQ(r.stats.full_cycles, 0u);
  EXPECT_EQ(r.stats.fill_drain_cycles, 12u);
  EXPECT_EQ(r.stats.macs, 80u);
  EXPECT_DOUBLE_EQ(r.stats.utilization(), 80.0 / (16 * 16));
  // Word (m, c) leaves in cycle 4 + m + R + c.
  ASSERT_EQ(r.words.size(), 20u);
  for (const OutputWord& w : r.words) {
    EXPECT_EQ(w.cycle, static_cast<std::uint64_t>(8 + w.m + w.column));
    EXPECT_TRUE(w.final);
  }
  // Every PE: 1 weight + 5 activations + 5 psum pairs (2 registers each) = 16 writes.
  for (const PeCounters& pe : r.stats.pe) {
    EXPECT_EQ(pe.macs, 5u);
    EXPECT_EQ(pe.reg_writes, 16u);
  }
}

TEST(ArrayCycles, WeightStationaryRaggedTiles) {
  // 4x4, M=3 K=10 N=6: K tiles 4,4,2 and N tiles 4,2.
  // N tile 4: (4+3+4+4-1) + (4+3+4+4-1) + (2+3+4+4-1) = 14 + 14 + 12 = 40
  // N tile 2: (4+3+4+2-1) + (4+3+4+2-1) + (2+3+4+2-1) = 12 + 12 + 10 = 34   total 74.
  const test::ArrayRun r = run(3, 10, 6, {4, 4, DataflowKind::ws});
  EXPECT_EQ(r.stats.total_cycles, 74u);
  EXPECT_EQ(r.stats.tiles, 6u);
  EXPECT_EQ(r.stats.stall_cycles, 20u);         // weight rows loaded: 10 per N tile
  EXPECT_EQ(r.stats.act_buffer.reads, 60u);     // M x K per N tile
  EXPECT_EQ(r.stats.weight_buffer.reads, 60u);  // K x N
  // Partial pairs: 2 words per output per non-final K tile: (2*3*4 + 2*3*2) * 2 = 72 writes
  // plus 18 results; the same 72 words are read back at the top of the columns.
  EXPECT_EQ(r.stats.out_buffer.writes, 90u);
  EXPECT_EQ(r.stats.out_buffer.reads, 72u);
}

TEST(ArrayCycles, OutputStationaryRaggedTiles) {
  // 4x4, M=5 K=7 N=6: tiles (mt,nt) = (4,4) (4,2) (1,4) (1,2):
  // (7+4+4-2)+4 = 17, (7+4+2-2)+4 = 15, (7+1+4-2)+1 = 11, (7+1+2-2)+1 = 9: total 52.
  const test::ArrayRun r = run(5, 7, 6, {4, 4, DataflowKind::os});
  EXPECT_EQ(r.stats.total_cycles, 52u);
  EXPECT_EQ(r.stats.stall_cycles, 10u);
  EXPECT_EQ(r.stats.act_buffer.reads, 70u);     // mt x K per tile
  EXPECT_EQ(r.stats.weight_buffer.reads, 84u);  // nt x K per tile
  EXPECT_EQ(r.stats.out_buffer.writes, 30u);
}

TEST(ArrayCycles, OutputStationaryDrainTimingAndChunkCounters) {
  // 4x4, M=K=N=4, chunk 2: stream 4+4+4-2 = 10 cycles, then row r drains in cycle 10 + r.
  const test::ArrayRun r = run(4, 4, 4, {4, 4, DataflowKind::os}, 2);
  EXPECT_EQ(r.stats.total_cycles, 14u);
  ASSERT_EQ(r.words.size(), 16u);
  for (const OutputWord& w : r.words) EXPECT_EQ(w.cycle, static_cast<std::uint64_t>(10 + w.m));
  // Each PE: 4 activations + 4 weights + 4 psums + chunk lane cleared at k=0 and updated at k=2.
  for (const PeCounters& pe : r.stats.pe) {
    EXPECT_EQ(pe.macs, 4u);
    EXPECT_EQ(pe.chunk_adds, 1u);
    EXPECT_EQ(pe.reg_writes, 14u);
  }
  // 16 outputs x 2 chunks: one chunk add in the PE, one at the column bottom.
  EXPECT_EQ(r.stats.chunk_adds, 32u);
}

TEST(ArrayCycles, RegisterWritesPastSixteenBits) {
  // The per-PE write counters are 16 bits wide between flushes (write_counts.h): a GEMM whose
  // PEs each write more than 65535 times must still count every write.
  // WS 4x4, M=30000 K=N=4: 1 weight + M activations + M psum pairs (2 registers) = 90001.
  const test::ArrayRun ws = run(30000, 4, 4, {4, 4, DataflowKind::ws});
  for (const PeCounters& pe : ws.stats.pe) EXPECT_EQ(pe.reg_writes, 90001u);
  // OS 4x4, M=N=4 K=30000: K activations + K weights + K psums + the chunk lane cleared at k=0.
  const test::ArrayRun os = run(4, 30000, 4, {4, 4, DataflowKind::os});
  for (const PeCounters& pe : os.stats.pe) EXPECT_EQ(pe.reg_writes, 90001u);
}

TEST(ArrayCycles, OneByOneArray) {
  // 1x1 WS, M=2 K=3 N=1: three tiles of 1 load + (2+1+1-1) stream = 12; 2 full cycles each.
  const test::ArrayRun r = run(2, 3, 1, {1, 1, DataflowKind::ws});
  EXPECT_EQ(r.stats.total_cycles, 12u);
  EXPECT_EQ(r.stats.full_cycles, 6u);
  EXPECT_EQ(r.stats.fill_drain_cycles, 3u);
  EXPECT_EQ(r.stats.stall_cycles, 3u);
}

TEST(ArrayCycles, FormulasHoldForManyShapes) {
  for (int rows : {1, 2, 3, 5})
    for (int cols : {1, 4, 6})
      for (std::int64_t m : {1, 4, 9})
        for (std::int64_t k : {1, 5, 12})
          for (std::int64_t n : {1, 7}) {
            const test::ArrayRun ws = run(m, k, n, {rows, cols, DataflowKind::ws}, 3);
            EXPECT_EQ(ws.stats.total_cycles, ws_formula(m, k, n, rows, cols))
                << "ws " << rows << "x" << cols << " " << m << "," << k << "," << n;
            const test::ArrayRun os = run(m, k, n, {rows, cols, DataflowKind::os}, 3);
            EXPECT_EQ(os.stats.total_cycles, os_formula(m, k, n, rows, cols))
                << "os " << rows << "x" << cols << " " << m << "," << k << "," << n;
            for (const test::ArrayRun* r : {&ws, &os})
              EXPECT_EQ(r->stats.total_cycles,
                        r->stats.stall_cycles + r->stats.full_cycles + r->stats.fill_drain_cycles);
          }
}

}  // namespace
}  // namespace lbasim::sysc
