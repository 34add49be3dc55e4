// One small synthesis run of the area flow (tools/area/synth_table.py with Yosys): the 8-bit
// and the paper's 12-bit accumulator PEs map onto the NanGate45 subset, and the 8-bit one is
// smaller. The full table is produced outside ctest (docs/cost.md).
#include <fmt/core.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "lbasim/cost/tables.h"

namespace lbasim::cost {
namespace {

namespace fs = std::filesystem;

TEST(SynthFlow, EightBitAccumulatorPeIsSmallerThanThePapers) {
  if (std::system("command -v yosys >/dev/null 2>&1") != 0) GTEST_SKIP() << "yosys not installed";
  const fs::path out = fs::temp_directory_path() / "lbasim_synth_flow_test.json";
  fs::remove(out);
  const std::string cmd = fmt::format(
      "/usr/bin/python3 '{}/tools/area/synth_table.py' --only m3e4,m7e4 --out '{}' "
      ">/dev/null",
      LBASIM_SOURCE_DIR, out.string());
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  const AreaTable t = read_area_table(out);
  fs::remove(out);
  ASSERT_NE(t.find("m3e4"), nullptr);
  ASSERT_NE(t.find("m7e4"), nullptr);
  const AreaRow& small = *t.find("m3e4");
  const AreaRow& paper = *t.find("m7e4");
  EXPECT_GT(small.area_um2, 0);
  EXPECT_LT(small.area_um2, paper.area_um2);
  EXPECT_LT(small.flip_flops, paper.flip_flops);  // 4 fewer accumulator bits, twice (psum, chunk)
  EXPECT_GT(small.transistors, 0);
  EXPECT_GT(small.components_um2.at("multiply"), 0);
}

}  // namespace
}  // namespace lbasim::cost
