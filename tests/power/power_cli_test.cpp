// `lbasim power` from the committed table: the table, clock and node options, JSON, and bad
// input (exit 1, the option and value named, no output written).
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "run_command.h"

namespace {

namespace fs = std::filesystem;
using lbasim::test::run_command;

struct PowerCli : ::testing::Test {
  fs::path dir;
  void SetUp() override {
    dir = fs::temp_directory_path() /
          ("lbasim-power-cli-" + std::to_string(::getpid()) + "-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  void TearDown() override { fs::remove_all(dir); }
  std::string out() const { return (dir / "o.json").string(); }
  nlohmann::json read_out() const { return nlohmann::json::parse(std::ifstream(out())); }
};

const std::string kBin = LBASIM_BIN;

TEST_F(PowerCli, PrintsTheCommittedTableAtTheSlowestFmax) {
  const auto r = run_command(kBin + " power --configs m7e4,fp32 --json " + out());
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("m7e4"), std::string::npos);
  const auto j = read_out();
  ASSERT_EQ(j.at("configs").size(), 2u);
  const auto& m7 = j.at("configs").at(0);
  const auto& f32 = j.at("configs").at(1);
  EXPECT_EQ(m7.at("name"), "m7e4");
  EXPECT_EQ(j.at("node_nm"), 180);
  EXPECT_EQ(j.at("estimate"), false);
  // Rows compare at one clock: the slower one's fmax; the paper's PE is the faster one.
  EXPECT_DOUBLE_EQ(j.at("clock_mhz").get<double>(),
                   std::min(m7.at("fmax_mhz").get<double>(), f32.at("fmax_mhz").get<double>()));
  EXPECT_GT(m7.at("fmax_mhz").get<double>(), f32.at("fmax_mhz").get<double>());
  EXPECT_LT(m7.at("area_um2").get<double>(), f32.at("area_um2").get<double>());
  EXPECT_LT(m7.at("power_mw").get<double>(), f32.at("power_mw").get<double>());
  for (const auto& row : j.at("configs")) {
    // Energy per MAC = power / frequency.
    EXPECT_NEAR(row.at("pj_per_mac").get<double>(),
                row.at("power_mw").get<double>() / j.at("clock_mhz").get<double>() * 1e3, 1e-9);
    EXPECT_TRUE(row.at("leakage_mw").is_number());
  }
}

// The dot-product unit rows (docs/tensor-core.md): a fused unit's cycle does G MACs, so its
// energy per MAC is the cycle's over G; the rows are not in the default "all".
TEST_F(PowerCli, FusedUnitRowsChargeACyclesEnergyToItsMacs) {
  const std::string units =
      std::string(LBASIM_SOURCE_DIR) + "/models/cost/data/power_osu018_units.json";
  const auto r = run_command(kBin + " power --table " + units +
                             " --configs chain_m13e8,fused4_m13e8,fused32_m13e8 --json " + out());
  ASSERT_EQ(r.status, 0) << r.output;
  const auto j = read_out();
  ASSERT_EQ(j.at("configs").size(), 3u);
  const long macs[] = {1, 4, 32};
  for (std::size_t i = 0; i < 3; ++i) {
    const auto& row = j.at("configs").at(i);
    EXPECT_EQ(row.at("macs_per_cycle").get<long>(), macs[i]) << row.dump();
    EXPECT_NEAR(row.at("pj_per_mac").get<double>(),
                row.at("power_mw").get<double>() / j.at("clock_mhz").get<double>() * 1e3 /
                    static_cast<double>(macs[i]),
                1e-9);
  }
  const auto all = run_command(kBin + " power");
  ASSERT_EQ(all.status, 0) << all.output;
  EXPECT_EQ(all.output.find("fused4_m13e8"), std::string::npos) << all.output;
}

// The array's fused PE (--pe fused, rtl/pe/fused_ws_pe.v): its rows are their own variant,
// carry G and F, and a busy cycle's energy is over its G MACs; from the table's own numbers.
TEST_F(PowerCli, FusedPeRowsAreTheirOwnAndChargeACycleToGMacs) {
  const auto r = run_command(kBin + " power --pe fused --json " + out());
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("the PE (ws fused, chunk lane pe, 1 stage)"), std::string::npos)
      << r.output;
  const auto j = read_out();
  std::ifstream in(std::string(LBASIM_SOURCE_DIR) + "/models/cost/data/power_osu018.json");
  const auto table = nlohmann::json::parse(in);
  std::size_t fused_rows = 0;
  for (const auto& t : table.at("configs")) {
    if (t.value("pe", "fmaq") != "fused") continue;
    ++fused_rows;
    nlohmann::json row;
    for (const auto& o : j.at("configs"))
      if (o.at("name") == t.at("name")) row = o;
    ASSERT_FALSE(row.is_null()) << t.at("name");
    EXPECT_EQ(row.at("pe"), "fused");
    const long g = t.at("fused").at("terms");
    EXPECT_EQ(row.at("macs_per_cycle").get<long>(), g);
    EXPECT_EQ(t.at("formats").at("product"), "exact");
    const double mac =
        t.at("mac").at("internal_pj").get<double>() + t.at("mac").at("switching_pj").get<double>();
    const double f = j.at("clock_mhz");
    EXPECT_NEAR(row.at("pj_per_mac").get<double>(),
                (mac * f * 1e-3 + t.at("leakage_mw").get<double>()) / f * 1e3 / g, 1e-9);
  }
  EXPECT_EQ(j.at("configs").size(), fused_rows);
  EXPECT_GE(fused_rows, 2u);
  // The FMAq listing has none of them.
  const auto fmaq = run_command(kBin + " power");
  ASSERT_EQ(fmaq.status, 0) << fmaq.output;
  EXPECT_EQ(fmaq.output.find("f32_m13e8"), std::string::npos) << fmaq.output;
}

TEST_F(PowerCli, NamedRowsWithoutPeCompareTheChainAndFusedPes) {
  // Without --pe each named row is shown with its own PE, at one clock: the same figures as
  // each PE kind's own listing at that clock.
  const auto r =
      run_command(kBin + " power --configs m13e8,f32_m13e8 --clock-mhz 20 --json " + out());
  ASSERT_EQ(r.status, 0) << r.output;
  const auto both = read_out().at("configs");
  ASSERT_EQ(both.size(), 2u);
  EXPECT_EQ(both.at(0).at("pe"), "fmaq");
  EXPECT_EQ(both.at(1).at("pe"), "fused");
  ASSERT_EQ(run_command(kBin + " power --configs m13e8 --clock-mhz 20 --json " + out()).status, 0);
  EXPECT_EQ(read_out().at("configs").at(0), both.at(0));
  ASSERT_EQ(
      run_command(kBin + " power --pe fused --configs f32_m13e8 --clock-mhz 20 --json " + out())
          .status,
      0);
  EXPECT_EQ(read_out().at("configs").at(0), both.at(1));
  // With --pe, or to rerun the flow (one PE kind per run), a row of the other PE is an error.
  std::filesystem::remove(out());
  for (const char* args : {" power --pe fmaq --configs m13e8,f32_m13e8 --json ",
                           " power --synthesize --configs m13e8,f32_m13e8 --work w --json "}) {
    const auto bad = run_command(kBin + args + out());
    EXPECT_EQ(bad.status, 1) << args << bad.output;
    EXPECT_NE(bad.output.find("'f32_m13e8' is a row of the fused PE"), std::string::npos)
        << bad.output;
    EXPECT_FALSE(std::filesystem::exists(out())) << args;
  }
}

TEST_F(PowerCli, DynamicPowerScalesWithTheClockAndNodesAreEstimates) {
  ASSERT_EQ(run_command(kBin + " power --configs m7e4 --clock-mhz 20 --json " + out()).status, 0);
  const auto a = read_out().at("configs").at(0);
  ASSERT_EQ(run_command(kBin + " power --configs m7e4 --clock-mhz 40 --json " + out()).status, 0);
  const auto b = read_out().at("configs").at(0);
  EXPECT_NEAR(b.at("dynamic_mw").get<double>(), 2 * a.at("dynamic_mw").get<double>(), 1e-12);
  EXPECT_NEAR(b.at("leakage_mw").get<double>(), a.at("leakage_mw").get<double>(), 1e-15);
  const auto r = run_command(kBin + " power --configs m7e4 --node 7 --json " + out());
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("ESTIMATES"), std::string::npos);
  const auto j = read_out();
  EXPECT_EQ(j.at("estimate"), true);
  const auto& row = j.at("configs").at(0);
  EXPECT_TRUE(row.at("leakage_mw").is_null());
  EXPECT_GT(row.at("fmax_mhz").get<double>(), a.at("fmax_mhz").get<double>());
  EXPECT_LT(row.at("area_um2").get<double>(), a.at("area_um2").get<double>());
}

TEST_F(PowerCli, BadInputIsExitOneNamingTheOptionWithNoOutput) {
  const std::pair<std::string, std::string> cases[] = {
      {"--configs m7e4,fp64", "--configs m7e4,fp64: unknown configuration 'fp64'"},
      {"--clock-mhz 0", "--clock-mhz 0"},
      {"--clock-mhz=-5", "--clock-mhz -5"},
      {"--node 28", "--node 28"},
      {"--netlists " + (dir / "n").string(), "add --synthesize"},
      {"--table " + (dir / "none.json").string(), "none.json"},
      {"--chunk-lane diagonal", "--chunk-lane diagonal: expected pe or column"},
      {"--stages 3", "--stages 3: expected 1 or 2"},
      {"--stages 0", "--stages 0: expected 1 or 2"},
      {"--dataflow rs", "--dataflow rs: expected ws or os"},
      {"--pe tensor", "--pe tensor: expected fmaq or fused"},
      {"--pe fused --dataflow os", "--pe fused: the fused PE is built as ws, chunk lane pe"},
      {"--pe fused --configs m7e4", "--configs m7e4: 'm7e4' is a row of the fmaq PE"},
      {"--pe fmaq --configs f32_m13e8",
       "--configs f32_m13e8: 'f32_m13e8' is a row of the fused PE"},
      {"--merge", "--merge: needs --table-out"},
      {"--synthesize --configs chain_m13e8 --stages 2 --work " + (dir / "n").string(),
       "--configs chain_m13e8: a dot-product unit has no PE variant"},
  };
  for (const auto& [args, message] : cases) {
    const auto r = run_command(kBin + " power " + args + " --json " + out());
    EXPECT_EQ(r.status, 1) << args << "\n" << r.output;
    EXPECT_NE(r.output.find(message), std::string::npos) << args << "\n" << r.output;
    EXPECT_FALSE(fs::exists(out())) << args;
    EXPECT_FALSE(fs::exists(dir / "n")) << args;
  }
  std::ofstream(dir / "bad.json") << R"({"schema": "lbasim-power-1", "library": "x"})";
  const auto r = run_command(kBin + " power --table " + (dir / "bad.json").string());
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.output.find("bad.json: missing field 'node_nm'"), std::string::npos) << r.output;
}

TEST_F(PowerCli, ColumnRowsArePeAndLaneOverTheRows) {
  // Chunk lane 'column': per PE, the PE without its chunk lane plus the column-bottom lane
  // shared over the array's rows (docs/cost.md), from the two parts the table keeps.
  const auto r =
      run_command(kBin + " power --chunk-lane column --configs m7e4,m3e4 --json " + out());
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("chunk lane column"), std::string::npos) << r.output;
  const auto j = read_out();
  std::ifstream in(std::string(LBASIM_SOURCE_DIR) + "/models/cost/data/power_osu018.json");
  const auto table = nlohmann::json::parse(in);
  for (const auto& row : j.at("configs")) {
    EXPECT_EQ(row.at("chunk_lane"), "column");
    nlohmann::json col, pe;
    for (const auto& t : table.at("configs"))
      if (t.at("name") == row.at("name") && t.value("stages", 1) == 1 &&
          t.value("dataflow", "ws") == "ws")
        (t.value("chunk_lane", "pe") == "column" ? col : pe) = t;
    ASSERT_FALSE(col.is_null());
    ASSERT_FALSE(pe.is_null());
    const auto& c = col.at("column");
    const double rows = c.at("rows");
    EXPECT_EQ(rows, 16);
    const auto energy = [](const nlohmann::json& m) {
      return m.at("internal_pj").get<double>() + m.at("switching_pj").get<double>();
    };
    EXPECT_NEAR(
        row.at("area_um2").get<double>(),
        c.at("pe").at("area_um2").get<double>() + c.at("lane").at("area_um2").get<double>() / rows,
        1e-9);
    const double mac = energy(c.at("pe").at("mac")) + energy(c.at("lane").at("mac")) / rows;
    const double f = j.at("clock_mhz");
    const double leak = c.at("pe").at("leakage_mw").get<double>() +
                        c.at("lane").at("leakage_mw").get<double>() / rows;
    EXPECT_NEAR(row.at("power_mw").get<double>(), mac * f * 1e-3 + leak, 1e-9);
    // No chunk adder or chunk register in the PE: smaller and cheaper per MAC than 'pe'.
    EXPECT_LT(row.at("area_um2").get<double>(), pe.at("area_um2").get<double>());
    EXPECT_LT(mac, energy(pe.at("mac")));
  }
}

TEST_F(PowerCli, OutputStationaryRowsAreTheirOwn) {
  const auto r = run_command(kBin + " power --dataflow os --configs m7e4,m3e4 --json " + out());
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("the PE (os, chunk lane pe, 1 stage)"), std::string::npos) << r.output;
  const auto j = read_out();
  ASSERT_EQ(j.at("configs").size(), 2u);
  for (const auto& row : j.at("configs")) EXPECT_EQ(row.at("dataflow"), "os");
  // A configuration without an os row is refused naming it and the variant.
  const auto bad = run_command(kBin + " power --dataflow os --configs fp32 --json " + out());
  EXPECT_EQ(bad.status, 1);
  EXPECT_NE(bad.output.find("--configs fp32: no row for this configuration as os"),
            std::string::npos)
      << bad.output;
}

TEST_F(PowerCli, TwoStageRowsHaveTheirOwnFmax) {
  // --stages 2: the PE with a register after the product, its rows at their own clock.
  ASSERT_EQ(run_command(kBin + " power --configs m7e4,m3e4 --json " + out()).status, 0);
  const auto one = read_out();
  const auto r = run_command(kBin + " power --stages 2 --configs m7e4,m3e4 --json " + out());
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("2 stages"), std::string::npos) << r.output;
  const auto two = read_out();
  EXPECT_GT(two.at("clock_mhz").get<double>(), one.at("clock_mhz").get<double>());
  for (std::size_t i = 0; i < 2; ++i) {
    const auto &a = one.at("configs").at(i), &b = two.at("configs").at(i);
    EXPECT_EQ(b.at("name"), a.at("name"));
    EXPECT_EQ(b.at("stages"), 2);
    EXPECT_EQ(a.at("stages"), 1);
    EXPECT_GT(b.at("fmax_mhz").get<double>(), a.at("fmax_mhz").get<double>());
    EXPECT_GT(b.at("area_um2").get<double>(), a.at("area_um2").get<double>());
  }
}

}  // namespace
