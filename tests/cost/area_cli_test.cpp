// `lbasim area` end to end: the committed table printed, bad input refused with exit 1.
#include <gtest/gtest.h>

#include "run_command.h"

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

namespace {

struct CliResult {
  int status;
  std::string out;  // stdout and stderr
};

CliResult run(const std::string& args) {
  const auto r = lbasim::test::run_command(std::string(LBASIM_BIN) + " area " + args);
  return {r.status, r.output};
}

TEST(AreaCli, PrintsTheCommittedTable) {
  const CliResult r = run("--array 2x3");
  ASSERT_EQ(r.status, 0) << r.out;
  for (const char* row : {"fp32", "fp16", "bf16", "m10e5", "m7e4", "m6e5", "m3e4"})
    EXPECT_NE(r.out.find(row), std::string::npos) << row;
  EXPECT_NE(r.out.find("estimated 2x3 array"), std::string::npos) << r.out;
}

TEST(AreaCli, RefusesBadInput) {
  CliResult r = run("--table /nonexistent/area.json");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find("/nonexistent/area.json"), std::string::npos) << r.out;
  r = run("--array 4x0");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find("--array 4x0"), std::string::npos) << r.out;
  r = run("--array 4x4x");
  EXPECT_EQ(r.status, 1);
  const auto stim = std::filesystem::temp_directory_path() / "lbasim_area_cli_stim.json";
  r = run("--write-stimulus " + stim.string() + " --acc M7E4b99999");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find("--acc"), std::string::npos) << r.out;
  EXPECT_FALSE(std::filesystem::exists(stim));
}

TEST(AreaCli, StimulusHoldsCodesOfTheRequestedShape) {
  const auto stim = std::filesystem::temp_directory_path() / "lbasim_area_cli_stim_ok.json";
  const CliResult r = run("--write-stimulus " + stim.string() + " --k 5 --streams 3 --chunk 2");
  ASSERT_EQ(r.status, 0) << r.out;
  const nlohmann::json j = nlohmann::json::parse(std::ifstream(stim));
  std::filesystem::remove(stim);
  ASSERT_EQ(j.at("a").size(), 3u);
  EXPECT_EQ(j.at("a")[0].size(), 5u);
  EXPECT_EQ(j.at("expected").size(), 3u);
  EXPECT_EQ(j.at("params").at("ACC").at("BIAS"), 10);  // default --acc M7E4b10
  for (const auto& row : j.at("w"))
    for (const auto& code : row) EXPECT_LT(code.get<unsigned>(), 256u);  // 8-bit W codes
}

}  // namespace
