// The energy model: hand-computed sums, the SRAM size law, refusals and relations.
#include "lbasim/cost/energy.h"

#include <gtest/gtest.h>

#include <cmath>

#include "lbasim/numerics/error.h"

namespace lbasim::cost {
namespace {

ActionEnergies sample_actions() {
  ActionEnergies e;
  e.multiply = 1;
  e.product_round = 2;
  e.accumulate = 3;
  e.chunk_add = 4;
  e.reg_write = 0.5;
  e.zero_mac_gated = 0.25;
  e.zero_mac_ungated = 5;
  return e;
}

Activity sample_activity() {
  Activity a;
  a.macs = 10;
  a.zero_operand_macs = 4;
  a.chunk_adds = 2;
  a.reg_writes = 8;
  a.buffers = {{"act", 8192, 100, 50}, {"out", 1024, 0, 8}};
  a.dram_bytes = 10;
  return a;
}

MemoryEnergy flat_memory() { return {{{8192, 1.25}}, 200}; }

TEST(Energy, HandComputedSum) {
  const EnergyBreakdown b = estimate(sample_actions(), sample_activity(), flat_memory());
  EXPECT_EQ(b.mac, 36.0);       // 6 non-zero MACs x (1 + 2 + 3)
  EXPECT_EQ(b.zero_mac, 1.0);   // 4 x 0.25, gated
  EXPECT_EQ(b.chunk_add, 8.0);  // 2 x 4
  EXPECT_EQ(b.registers, 4.0);  // 8 x 0.5
  EXPECT_EQ(b.sram, 197.5);     // (150 + 8) bytes x 1.25 (one anchor: flat)
  EXPECT_EQ(b.dram, 2000.0);    // 10 x 200
  EXPECT_EQ(b.total(), 2246.5);
  EXPECT_EQ(b.per_mac(), 224.65);
}

TEST(Energy, UngatedZeroOperandMacsCostTheUngatedEnergy) {
  EnergyOptions opt;
  opt.gate_zero_operands = false;
  const EnergyBreakdown b = estimate(sample_actions(), sample_activity(), flat_memory(), opt);
  EXPECT_EQ(b.zero_mac, 20.0);  // 4 x 5
}

TEST(Energy, HorowitzSramAnchorsAndInterpolation) {
  const MemoryEnergy m = MemoryEnergy::horowitz45();
  EXPECT_DOUBLE_EQ(m.sram_pj(8192), 10.0 / 8);
  EXPECT_DOUBLE_EQ(m.sram_pj(32768), 20.0 / 8);
  EXPECT_DOUBLE_EQ(m.sram_pj(1 << 20), 100.0 / 8);
  EXPECT_DOUBLE_EQ(m.sram_pj(1024), 10.0 / 8);  // flat below the smallest anchor
  // 16 KB lies halfway between 8 KB and 32 KB in log size: the geometric mean of the energies.
  EXPECT_NEAR(m.sram_pj(16384), std::sqrt(1.25 * 2.5), 1e-12);
  // Beyond 1 MB: the 32 KB-1 MB slope continues, so energy keeps growing.
  EXPECT_GT(m.sram_pj(4 << 20), m.sram_pj(1 << 20));
  EXPECT_DOUBLE_EQ(m.dram_pj_per_byte, 1950.0 / 8);
}

TEST(Energy, CheaperActionsGiveLessEnergy) {
  ActionEnergies cheap = sample_actions();
  cheap.accumulate = 1;
  const MemoryEnergy m = MemoryEnergy::horowitz45();
  EXPECT_LT(estimate(cheap, sample_activity(), m).total(),
            estimate(sample_actions(), sample_activity(), m).total());
}

TEST(Energy, InferenceIsTheSumOfItsLayers) {
  Activity second = sample_activity();
  second.macs = 100;
  second.zero_operand_macs = 0;
  const MemoryEnergy m = flat_memory();
  const InferenceEnergy inf =
      estimate_inference(sample_actions(), {{"conv1", sample_activity()}, {"fc", second}}, m);
  ASSERT_EQ(inf.layers.size(), 2u);
  EXPECT_EQ(inf.layers[0].first, "conv1");
  EXPECT_EQ(inf.layers[1].second.mac, 600.0);  // 100 x 6
  EXPECT_EQ(inf.total.macs, 110u);
  EXPECT_EQ(inf.total.total(), inf.layers[0].second.total() + inf.layers[1].second.total());
}

TEST(Energy, RefusesInconsistentCounts) {
  Activity a = sample_activity();
  a.zero_operand_macs = 11;
  EXPECT_THROW(estimate(sample_actions(), a, flat_memory()), InputError);
  ActionEnergies e = sample_actions();
  e.multiply = -1;
  EXPECT_THROW(estimate(e, sample_activity(), flat_memory()), InputError);
  EXPECT_THROW(MemoryEnergy{}.sram_pj(1), InputError);
}

TEST(Energy, NoMacsNoPerMacEnergy) {
  EXPECT_EQ(estimate(sample_actions(), Activity{}, flat_memory()).per_mac(), 0.0);
}

}  // namespace
}  // namespace lbasim::cost
