// lbasim cosim end to end: the default suite passes in both dataflows with its totals, an
// injected weight fault fails with exit 1 and names the first mismatch, bad options are refused
// naming the option and value.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "run_command.h"

namespace lbasim::test {
namespace {

using ::testing::HasSubstr;

CommandResult cosim(const std::string& args) {
  return run_command(std::string(LBASIM_BIN) + " cosim " + args);
}

TEST(CosimCli, DefaultSuiteBothDataflows) {
  const std::filesystem::path json =
      std::filesystem::temp_directory_path() / ("lbasim_cosim_cli_" + std::to_string(getpid()));
  const CommandResult r = cosim("--json " + json.string() + " --window-vcd ''");
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("44 GEMMs, words compared 17727, mismatched 0"));
  const nlohmann::json j = nlohmann::json::parse(std::ifstream(json));
  std::filesystem::remove(json);
  ASSERT_EQ(j["cases"].size(), 44u);
  EXPECT_EQ(j["cases"][0]["dataflow"], "ws");
  EXPECT_EQ(j["cases"][43]["dataflow"], "os");
  EXPECT_TRUE(j["ok"]);
}

TEST(CosimCli, WeightFaultIsCaughtInEitherDataflow) {
  for (const char* df : {"ws", "os"}) {
    const CommandResult r = cosim(std::string("--dataflow ") + df +
                                  " --gemm 9,11,6 --fault-weight 3,2,5 --window-vcd ''");
    EXPECT_EQ(r.status, 1) << r.output;
    EXPECT_THAT(r.output, HasSubstr("first mismatch: cycle "));
    EXPECT_THAT(r.output, HasSubstr("column 2 (C["));
    EXPECT_THAT(r.output, HasSubstr("SystemC model and RTL disagree in 1 of 1 GEMMs"));
  }
}

TEST(CosimCli, BadOptionsAreRefused) {
  struct Bad {
    const char* args;
    const char* fragment;
  };
  for (const Bad& b :
       {Bad{"--dataflow is", "--dataflow (or both)"},
        Bad{"--vcd x.vcd", "--vcd: a full trace needs one GEMM"},
        Bad{"--gemm 3,4,5 --fault-weight 9,1,1", "W[9][1] is outside every GEMM"},
        Bad{"--fault-weight 1,2", "--fault-weight: '1,2' is not K,N,BIT"},
        Bad{"--gemm 3,4 ", "--gemm"}, Bad{"--chunk -1", "--chunk: -1 must be >= 0"}}) {
    const CommandResult r = cosim(b.args);
    EXPECT_EQ(r.status, 1) << b.args << "\n" << r.output;
    EXPECT_THAT(r.output, HasSubstr(b.fragment)) << b.args;
    EXPECT_FALSE(std::filesystem::exists("x.vcd"));
  }
}

}  // namespace
}  // namespace lbasim::test
