// lbasim sweep: one record per point with accuracy, cycles, area and energy; a second run
// reuses every record; bad specs are refused naming the file and key.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "lbasim/traces/trace.h"
#include "run_command.h"

namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

using RunResult = lbasim::test::CommandResult;

RunResult run(const std::string& args) {
  return lbasim::test::run_command(std::string(LBASIM_BIN) + " " + args);
}

fs::path fresh(const std::string& name) {
  const fs::path d = fs::temp_directory_path() / "lbasim_sweep_test" / name;
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

void write(const fs::path& p, const std::string& text) { std::ofstream(p) << text; }

const std::string kTrace = std::string(LBASIM_TRACES) + "/mlp-fmnist";

TEST(Sweep, WritesOneCompleteRecordPerPointAndResumes) {
  const fs::path dir = fresh("complete");
  write(dir / "spec.json", R"({"trace": ")" + kTrace + R"(", "limit": 16,
    "accumulators": ["m7e4", "m3e4"], "chunks": [0, 16], "arrays": ["4x4"], "dataflows": ["ws", "os"]})");
  RunResult r =
      run("sweep --spec " + (dir / "spec.json").string() + " --out " + (dir / "out").string());
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("8 points: 8 computed, 0 reused"));

  // MACs of one inference, from the trace's own graph.
  const auto trace = lbasim::traces::read_trace(kTrace);
  std::int64_t macs = 0;
  for (const auto& op : trace.graph)
    if (lbasim::traces::is_gemm(op.kind)) macs += op.macs_per_image();

  int records = 0;
  for (const auto& e : fs::directory_iterator(dir / "out" / "points")) {
    ++records;
    std::ifstream in(e.path());
    const auto rec = nlohmann::json::parse(in);
    SCOPED_TRACE(e.path().string());
    EXPECT_EQ(rec["accuracy"]["images"], 16);
    const double top1 = rec["accuracy"]["top1"];
    EXPECT_GE(top1, 0.0);
    EXPECT_LE(top1, 1.0);
    EXPECT_EQ(rec["cycles"]["macs"].get<std::int64_t>(), macs);
    EXPECT_GT(rec["cycles"]["total"].get<std::int64_t>(), macs / 16);  // 16 PEs at most busy
    EXPECT_DOUBLE_EQ(rec["area_um2"]["array"].get<double>(),
                     16 * rec["area_um2"]["pe"].get<double>());
    EXPECT_GT(rec["energy_pj"]["per_inference"].get<double>(), 0.0);
    // PE array, SRAM and DRAM apart, adding up; power at the sweep's one clock.
    const auto& b = rec["energy_pj"]["breakdown"];
    EXPECT_NEAR(b["pe"].get<double>() + b["sram"].get<double>() + b["dram"].get<double>(),
                rec["energy_pj"]["per_inference"].get<double>(),
                1e-9 * rec["energy_pj"]["per_inference"].get<double>());
    EXPECT_GT(b["pe"].get<double>(), 0.0);
    EXPECT_GT(b["sram"].get<double>(), 0.0);
    EXPECT_GT(b["dram"].get<double>(), 0.0);  // the image in, the logits out
    EXPECT_GT(rec["power_mw"].get<double>(), 0.0);
    EXPECT_LE(rec["clock_mhz"].get<double>(), rec["fmax_mhz"].get<double>());
    EXPECT_EQ(rec["layers"].size(), rec["energy_pj"]["layers"].size());
    EXPECT_EQ(rec["trace"]["name"], trace.name);
  }
  EXPECT_EQ(records, 8);

  // The 8-bit accumulator costs less energy than the 12-bit one at the same point.
  const auto energy = [&](const std::string& id) {
    std::ifstream in(dir / "out" / "points" / (id + ".json"));
    return nlohmann::json::parse(in)["energy_pj"]["per_inference"].get<double>();
  };
  EXPECT_LT(energy("m3e4-c16-4x4-ws"), energy("m7e4-c16-4x4-ws"));

  r = run("sweep --spec " + (dir / "spec.json").string() + " --out " + (dir / "out").string());
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("8 points: 0 computed, 8 reused"));
}

// A fused PE row of the power table (lbasim power --pe fused) is an accumulator like the
// others: its points run the array with the fused PE of the row's G (fewer cycles for the same
// MACs) and take their area, fmax and PE energy from that row.
TEST(Sweep, FusedPeRowsRunTheFusedArrayAndTheirRow) {
  const fs::path dir = fresh("fused");
  write(dir / "spec.json", R"({"trace": ")" + kTrace + R"(", "limit": 4,
    "accumulators": ["m7e4", "f4_m13e8"], "chunks": [0], "arrays": ["4x4"], "dataflows": ["ws"]})");
  const RunResult r =
      run("sweep --spec " + (dir / "spec.json").string() + " --out " + (dir / "out").string());
  ASSERT_EQ(r.status, 0) << r.output;
  const auto record = [&](const std::string& id) {
    std::ifstream in(dir / "out" / "points" / (id + ".json"));
    return nlohmann::json::parse(in);
  };
  const auto chain = record("m7e4-c0-4x4-ws"), fused = record("f4_m13e8-c0-4x4-ws");
  std::ifstream tin(std::string(LBASIM_SOURCE) + "/models/cost/data/power_osu018.json");
  const auto table = nlohmann::json::parse(tin);
  nlohmann::json row;
  for (const auto& t : table.at("configs"))
    if (t.at("name") == "f4_m13e8" && t.value("pe", "fmaq") == "fused") row = t;
  ASSERT_FALSE(row.is_null());
  EXPECT_EQ(fused["point"]["pe"], "fused");
  EXPECT_EQ(chain["point"]["pe"], "fmaq");
  EXPECT_EQ(fused["point"]["product"], "exact");
  EXPECT_EQ(fused["cycles"]["macs"], chain["cycles"]["macs"]);
  EXPECT_LT(fused["cycles"]["total"].get<double>(), chain["cycles"]["total"].get<double>());
  EXPECT_DOUBLE_EQ(fused["area_um2"]["pe"].get<double>(), row["area_um2"].get<double>());
  EXPECT_DOUBLE_EQ(fused["fmax_mhz"].get<double>(), row["fmax_mhz"].get<double>());
  // One clock for the sweep: the slower row's fmax (the fused PE's).
  EXPECT_DOUBLE_EQ(fused["clock_mhz"].get<double>(),
                   std::min(row["fmax_mhz"].get<double>(), chain["fmax_mhz"].get<double>()));
  // PE energy from the row: busy PE-cycles (steps) at its MAC-cycle energy, the others idle.
  const double f = fused["clock_mhz"], cycles = fused["cycles"]["total"];
  const double pe_cycles = cycles * 16,
               steps = fused["cycles"]["utilization"].get<double>() * pe_cycles;
  const double mac =
      row["mac"]["internal_pj"].get<double>() + row["mac"]["switching_pj"].get<double>();
  const double idle =
      row["idle"]["internal_pj"].get<double>() + row["idle"]["switching_pj"].get<double>();
  const double pe = steps * mac + (pe_cycles - steps) * idle +
                    row["leakage_mw"].get<double>() * 1e-3 * pe_cycles / (f * 1e6) * 1e12;
  EXPECT_NEAR(fused["energy_pj"]["breakdown"]["pe"].get<double>(), pe, 1e-6 * pe);
}

TEST(Sweep, BadSpecsAreRefused) {
  const fs::path dir = fresh("bad");
  const std::vector<std::pair<std::string, std::vector<std::string>>> cases{
      {R"({"trace": "x", "accumulators": ["m7e4"], "chunks": [16], "arrays": ["4x4"], "dataflows": ["ws"], "batch": 3})",
       {"unknown key 'batch'"}},
      {R"({"trace": ")" + kTrace +
           R"(", "accumulators": ["m9e9"], "chunks": [16], "arrays": ["4x4"], "dataflows": ["ws"]})",
       {"accumulators", "m9e9", "m7e4"}},
      {R"({"trace": "x", "accumulators": ["m7e4"], "chunks": [-1], "arrays": ["4x4"], "dataflows": ["ws"]})",
       {"field 'chunks[0]'", "-1"}},
      {R"({"trace": "x", "accumulators": ["m7e4"], "chunks": [1], "arrays": ["4y4"], "dataflows": ["ws"]})",
       {"4y4"}},
      {R"({"trace": "x", "accumulators": ["m7e4"], "chunks": [1], "arrays": ["4x4"], "dataflows": ["is"]})",
       {"is"}},
      {R"({"accumulators": ["m7e4"], "chunks": [1], "arrays": ["4x4"], "dataflows": ["ws"]})",
       {"missing field 'trace'"}},
  };
  for (const auto& [spec, fragments] : cases) {
    write(dir / "spec.json", spec);
    const RunResult r =
        run("sweep --spec " + (dir / "spec.json").string() + " --out " + (dir / "out").string());
    EXPECT_EQ(r.status, 1) << spec << "\n" << r.output;
    EXPECT_THAT(r.output, HasSubstr("spec.json")) << spec;
    for (const auto& f : fragments) EXPECT_THAT(r.output, HasSubstr(f)) << spec;
  }
}

}  // namespace
