#include "lbasim/memory/buffers.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "lbasim/base/error.h"
#include "lbasim/base/json_field.h"
#include "lbasim/cost/node_scaling.h"
#include "lbasim/memory/sram_energy.h"

namespace lbasim::memory {
namespace {

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(Buffers, ParsedFromJsonAndCommandLineWithClearErrors) {
  const nlohmann::json good{{"weight_kib", 32}, {"output_kib", 8}};
  const BufferConfig b = buffers_from_field(JsonField("spec.json", good, "buffers"));
  EXPECT_EQ(b.activation_kib, BufferConfig{}.activation_kib);
  EXPECT_EQ(b.weight_kib, 32);
  EXPECT_EQ(b.weight_bytes(), 32 * 1024);
  EXPECT_EQ(parse_buffers("16,32,8", "--buffers"), (BufferConfig{16, 32, 8}));
  const nlohmann::json typo{{"act", 1}}, zero{{"output_kib", 0}}, text{{"weight_kib", "32"}};
  EXPECT_NE(error_of([&] {
              buffers_from_field(JsonField("spec.json", typo, "buffers"));
            }).find("spec.json: unknown key 'buffers.act'"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              buffers_from_field(JsonField("spec.json", zero, "buffers"));
            }).find("spec.json: field 'buffers.output_kib': 0 KiB: expected a buffer capacity"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              buffers_from_field(JsonField("spec.json", text, "buffers"));
            }).find("field 'buffers.weight_kib'"),
            std::string::npos);
  EXPECT_NE(error_of([] {
              parse_buffers("64,0,64", "--buffers-kib");
            }).find("--buffers-kib 64,0,64: weight_kib = 0"),
            std::string::npos);
  EXPECT_NE(error_of([] { parse_buffers("16,32", "--buffers"); }).find("--buffers 16,32"),
            std::string::npos);
  EXPECT_NE(error_of([] { parse_buffers("16,x,8", "--buffers"); }), "");
  EXPECT_NE(error_of([] { parse_buffers("16,-1,8", "--buffers"); }).find("weight_kib = -1"),
            std::string::npos);
}

TEST(NodeScaling, FactorsFromStillmakerAndBaasShrinkWithTheNode) {
  const cost::NodeScaling base = cost::scaling_from_180nm(180);
  EXPECT_EQ(base.delay, 1);
  EXPECT_EQ(base.energy, 1);
  EXPECT_FALSE(base.estimate);
  double last_delay = 1, last_energy = 1, last_area = 1;
  for (int node : {45, 16, 7}) {
    const cost::NodeScaling s = cost::scaling_from_180nm(node);
    EXPECT_TRUE(s.estimate);
    EXPECT_LT(s.delay, last_delay) << node;
    EXPECT_LT(s.energy, last_energy) << node;
    EXPECT_LT(s.area, last_area) << node;
    last_delay = s.delay;
    last_energy = s.energy;
    last_area = s.area;
  }
  // The published polynomials at the nominal supplies, by hand: 180 nm 1.8 V delay
  // 97.09*1.8^2 - 356.7*1.8 + 406.5 = 79.0116; 45 nm 1.0 V -501.6 + 1567 - 1619 + 566.1 = 12.5.
  EXPECT_NEAR(cost::scaling_from_180nm(45).delay, 12.5 / 79.0116, 1e-9);
  // Energy 180 nm: 24.64*1.8 - 17.98 = 26.372; 45 nm: 1.018 - 0.3107 + 0.1539 = 0.8612.
  EXPECT_NEAR(cost::scaling_from_180nm(45).energy, 0.8612 / 26.372, 1e-9);
  EXPECT_NEAR(cost::scaling_from_180nm(7).area, 1.0 / 320, 1e-12);
  EXPECT_NE(error_of([] { cost::scaling_from_180nm(28); }).find("--node 28"), std::string::npos);
}

TEST(MemoryCosts, SramAnchorsScaledTo180nmAndDramUnscaled) {
  const MemoryCosts c = MemoryCosts::at_180nm();
  const double scale = 26.372 / (1.018 * 0.81 - 0.3107 * 0.9 + 0.1539);  // 45 nm at 0.9 V
  EXPECT_NEAR(c.sram_energy_scale, scale, 1e-9);
  EXPECT_NEAR(c.sram_pj_per_byte(4 * 1024), 10.0 / 8 * scale, 1e-9);   // flat below 8 KB
  EXPECT_NEAR(c.sram_pj_per_byte(32 * 1024), 20.0 / 8 * scale, 1e-9);  // an anchor
  EXPECT_GT(c.sram_pj_per_byte(64 * 1024), c.sram_pj_per_byte(32 * 1024));
  EXPECT_EQ(c.dram_pj_per_byte, 1950.0 / 8);
  EXPECT_NEAR(c.sram_area_um2(1024), 8192 * 0.346 * 19 / 0.7, 1e-6);
  EXPECT_THROW(c.sram_pj_per_byte(0), InputError);
}

}  // namespace
}  // namespace lbasim::memory
