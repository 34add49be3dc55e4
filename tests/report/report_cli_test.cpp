// `lbasim report` end to end: the page and the merged JSON written from a sweep directory; bad
// input refused with exit 1 and no output. The `browser` test renders the page with headless
// Chromium and checks the screenshot is a real picture.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "report_records.h"
#include "run_command.h"

namespace {

namespace fs = std::filesystem;

struct CliResult {
  int status;
  std::string out;  // stdout and stderr
};

CliResult run(const std::string& cmd) {
  const auto r = lbasim::test::run_command(cmd);
  return {r.status, r.output};
}

std::string fmt_cmd(const fs::path& d) {
  return std::string(LBASIM_BIN) + " report --in " + d.string() + " --out " +
         (d / "report.html").string() + " --json " + (d / "report.json").string();
}

fs::path sweep_dir(const std::string& name) {
  const fs::path d = fs::temp_directory_path() / ("lbasim_report_cli_" + name);
  fs::remove_all(d);
  fs::create_directories(d / "points");
  for (const nlohmann::json& j : lbasim::report::test::four_points())
    std::ofstream(d / "points" / (j["id"].get<std::string>() + ".json")) << j.dump(2);
  return d;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(ReportCli, WritesPageAndMergedJson) {
  const fs::path d = sweep_dir("ok");
  const CliResult r = run(fmt_cmd(d));
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("recommended: fp16-c16"), std::string::npos) << r.out;
  const auto merged = nlohmann::json::parse(slurp(d / "report.json"));
  EXPECT_EQ(merged["points"].size(), 4u);
  EXPECT_EQ(merged["recommended"], "fp16-c16");
  EXPECT_NE(slurp(d / "report.html").find("<svg"), std::string::npos);
}

TEST(ReportCli, RefusesBadRecordAndWritesNothing) {
  const fs::path d = sweep_dir("bad");
  std::ofstream(d / "points" / "broken.json") << R"({"id": "x"})";
  const CliResult r = run(fmt_cmd(d));
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_NE(r.out.find("broken.json"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("trace"), std::string::npos) << r.out;  // the first missing field
  EXPECT_FALSE(fs::exists(d / "report.html"));
  EXPECT_FALSE(fs::exists(d / "report.json"));
}

// --units: the cost flow's units (chain and fused) in the page and the JSON, every unit at the
// slowest unit's fmax; pJ/MAC is the busy cycle's energy plus leakage over the MACs it does.
TEST(ReportCli, UnitsTableComparesChainAndFusedAtOneClock) {
  const fs::path d = sweep_dir("units");
  const CliResult r = run(fmt_cmd(d) + " --units " + LBASIM_UNITS_TABLE);
  ASSERT_EQ(r.status, 0) << r.out;
  const auto table = nlohmann::json::parse(slurp(LBASIM_UNITS_TABLE));
  const auto merged = nlohmann::json::parse(slurp(d / "report.json"));
  const std::string html = slurp(d / "report.html");
  ASSERT_EQ(merged["units"].size(), table["configs"].size());
  double clock = 1e300;
  for (const auto& row : table["configs"]) clock = std::min(clock, row["fmax_mhz"].get<double>());
  EXPECT_DOUBLE_EQ(merged["units_clock_mhz"].get<double>(), clock);
  for (std::size_t i = 0; i < table["configs"].size(); ++i) {
    const auto& row = table["configs"][i];
    const auto& u = merged["units"][i];
    EXPECT_EQ(u["name"], row["name"]);
    EXPECT_NE(html.find(row["name"].get<std::string>()), std::string::npos);
    const double macs = row.value("macs_per_cycle", 1.0);
    const double pj =
        (row["mac"]["internal_pj"].get<double>() + row["mac"]["switching_pj"].get<double>() +
         row["leakage_mw"].get<double>() / clock * 1e3) /
        macs;
    EXPECT_NEAR(u["pj_per_mac"].get<double>(), pj, 1e-9 * pj) << row["name"];
    EXPECT_NEAR(u["gmacs_per_mm2"].get<double>(),
                row["fmax_mhz"].get<double>() * macs / row["area_um2"].get<double>() * 1e3, 1e-9)
        << row["name"];
  }
  EXPECT_NE(html.find("Dot-product units: FMAq chain vs fused"), std::string::npos);
  // A units file that is not a power table: exit 1 naming it, nothing written.
  const fs::path bad = d / "not_a_table.json";
  std::ofstream(bad) << R"({"rows": 3})";
  fs::remove(d / "report.html");
  fs::remove(d / "report.json");
  const CliResult b = run(fmt_cmd(d) + " --units " + bad.string());
  EXPECT_EQ(b.status, 1) << b.out;
  EXPECT_NE(b.out.find("not_a_table.json"), std::string::npos) << b.out;
  EXPECT_FALSE(fs::exists(d / "report.html"));
}

TEST(ReportBrowser, ChromiumRendersThePage) {
  const char* chromium = "/usr/bin/chromium";
  if (!fs::exists(chromium)) GTEST_SKIP() << "chromium is not installed (tools/setup.sh)";
  const fs::path d = sweep_dir("browser");
  ASSERT_EQ(run(fmt_cmd(d)).status, 0);
  fs::create_directories(d / "profile");
  const std::string flags =
      std::string(chromium) +
      " --headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
      "--disable-background-networking --disable-component-update --disable-sync "
      "--user-data-dir=" +
      (d / "profile").string();
  const std::string url = "file://" + (d / "report.html").string();
  const fs::path png = d / "report.png";
  const CliResult shot =
      run(flags + " --screenshot=" + png.string() + " --window-size=1200,2000 " + url);
  ASSERT_TRUE(fs::exists(png)) << shot.out;
  const std::string bytes = slurp(png);
  ASSERT_GT(bytes.size(), 24u);
  EXPECT_EQ(bytes.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  // IHDR: width and height, big-endian, at bytes 16..23.
  const auto be32 = [&](std::size_t at) {
    return (std::uint32_t(std::uint8_t(bytes[at])) << 24) |
           (std::uint32_t(std::uint8_t(bytes[at + 1])) << 16) |
           (std::uint32_t(std::uint8_t(bytes[at + 2])) << 8) | std::uint8_t(bytes[at + 3]);
  };
  EXPECT_EQ(be32(16), 1200u);
  EXPECT_EQ(be32(20), 2000u);
  // A blank 1200x2000 page compresses to a few KB; text, plots and colour make it far larger.
  EXPECT_GT(bytes.size(), 40'000u) << "screenshot looks blank";
  // The DOM Chromium built holds every plot.
  const CliResult dom = run(flags + " --dump-dom " + url);
  for (const char* title : {"Top-1 accuracy vs accumulator width",
                            "Pareto front: top-1 accuracy vs energy per inference",
                            "Accumulator-stage swamped ops per layer"})
    EXPECT_NE(dom.out.find(title), std::string::npos) << title;
}

}  // namespace
