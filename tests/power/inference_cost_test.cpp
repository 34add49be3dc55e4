// One inference's energy: PE array from the power table, SRAM and DRAM from the memory model,
// checked against the sums written out by hand.
#include "lbasim/cost/inference_cost.h"

#include <gtest/gtest.h>

#include "lbasim/base/error.h"

namespace lbasim::cost {
namespace {

// One layer on a 2x2 WS array for 100 cycles: m x n outputs, `macs` products in `steps` busy
// PE-cycles.
sysc::ArrayStats layer(std::int64_t m, std::int64_t n, std::uint64_t macs, std::uint64_t steps) {
  sysc::ArrayStats st;
  st.array = {2, 2, sysc::DataflowKind::ws};
  st.m = m;
  st.n = n;
  st.total_cycles = 100;
  st.macs = macs;
  st.pe_steps = steps;
  return st;
}

PowerRow pe_row(double mac_internal_pj, double mac_switching_pj, double idle_pj,
                double leakage_mw) {
  PowerRow pe;
  pe.mac_internal_pj = mac_internal_pj;
  pe.mac_switching_pj = mac_switching_pj;
  pe.idle_pj = idle_pj;
  pe.leakage_mw = leakage_mw;
  return pe;
}

TEST(InferenceCost, PeSramAndDramByHand) {
  sysc::ArrayStats st = layer(4, 5, 300, 300);
  st.act_buffer.reads = 50;
  st.weight_buffer.reads = 20;
  st.out_buffer.reads = 6;
  st.out_buffer.writes = 4;
  const PowerRow pe = pe_row(6, 4, 1, 0.001);
  memory::NetworkTraffic t;
  t.buffers = {4, 4, 4};  // KiB: below 8 KB, Horowitz's 10 pJ per 64 bits = 1.25 pJ/B
  memory::GemmTraffic g;
  g.name = "L";
  g.a_from_dram = true;
  g.a_dram_bytes = 100;
  t.gemms = {g};
  t.other_dram_bytes = 10;
  memory::MemoryCosts mem;
  mem.dram_pj_per_byte = 243.75;
  const InferenceCost c = inference_cost({{"L", st}}, pe, 50, t, mem, {1, 1, 4});
  ASSERT_EQ(c.layers.size(), 1u);
  // 300 MACs x 10 pJ + 100 idle PE-cycles x 1 pJ + 1 uW x 400 PE-cycles / 50 MHz (8 pJ).
  EXPECT_NEAR(c.layers[0].pe_pj, 3000 + 100 + 8, 1e-9);
  // (50 act + 20 weight + 10 x 4 B out + 20 outputs written) x 1.25 pJ/B.
  EXPECT_NEAR(c.layers[0].sram_pj, (50 + 20 + 40 + 20) * 1.25, 1e-9);
  EXPECT_NEAR(c.layers[0].dram_pj, 100 * 243.75, 1e-9);
  EXPECT_NEAR(c.total.dram_pj, 110 * 243.75, 1e-9);
  EXPECT_NEAR(c.seconds(), 100 / 50e6, 1e-18);
  EXPECT_NEAR(c.average_power_mw(), c.total.total_pj() * 1e-9 / 2e-6, 1e-12);
  EXPECT_NEAR(c.tops_per_w(), 600 / (c.total.total_pj() * 1e-12) / 1e12, 1e-9);
  EXPECT_THROW(inference_cost({{"other", st}}, pe, 50, t, mem, {1, 1, 4}), InputError);
  EXPECT_THROW(inference_cost({{"L", st}}, pe, 0, t, mem, {1, 1, 4}), InputError);
}

// A fused array: a busy PE-cycle is a step of up to G MACs, costed at the row's MAC-cycle
// energy once; TOPS/W still counts the MACs.
TEST(InferenceCost, FusedStepsAreTheBusyCycles) {
  const sysc::ArrayStats st = layer(1, 1, 1000, 300);  // 300 steps of up to 4 products
  PowerRow pe = pe_row(30, 10, 2, 0);
  pe.macs_per_cycle = 4;
  memory::NetworkTraffic t;
  t.buffers = {4, 4, 4};
  memory::GemmTraffic g;
  g.name = "L";
  t.gemms = {g};
  const InferenceCost c = inference_cost({{"L", st}}, pe, 50, t, memory::MemoryCosts{}, {1, 1, 4});
  EXPECT_NEAR(c.layers[0].pe_pj, 300 * 40 + 100 * 2, 1e-9);
  EXPECT_NEAR(c.tops_per_w(), 2000 / (c.total.total_pj() * 1e-12) / 1e12, 1e-9);
}

}  // namespace
}  // namespace lbasim::cost
