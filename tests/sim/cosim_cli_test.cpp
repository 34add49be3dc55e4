// lbasim cosim end to end: the default suite passes in both dataflows, chunk lanes and
// bufferings with its totals, and on the fused array (--pe fused); an injected weight fault
// fails with exit 1 and names the first mismatch; bad options are refused naming the option
// and value.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "run_command.h"

namespace lbasim::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

CommandResult cosim(const std::string& args) {
  return run_command(std::string(LBASIM_BIN) + " cosim " + args);
}

TEST(CosimCli, DefaultSuiteBothDataflowsBothBufferings) {
  const std::filesystem::path json =
      std::filesystem::temp_directory_path() / ("lbasim_cosim_cli_" + std::to_string(getpid()));
  const CommandResult r = cosim("--json " + json.string() + " --window-vcd ''");
  EXPECT_EQ(r.status, 0) << r.output;
  // 24 cases x 2 bufferings on ws/pe, ws/column and os/pe; the column array has ws/pe's
  // words (one per K tile and output: 14,658 per buffering) and cycles (the same timing).
  EXPECT_THAT(r.output, HasSubstr("144 GEMMs, words compared 65382, mismatched 0; PE events "
                                  "compared 563520, mismatched 0"));
  const nlohmann::json j = nlohmann::json::parse(std::ifstream(json));
  std::filesystem::remove(json);
  ASSERT_EQ(j["cases"].size(), 144u);
  EXPECT_EQ(j["cases"][0]["dataflow"], "ws");
  EXPECT_EQ(j["cases"][0]["chunk_lane"], "pe");
  EXPECT_EQ(j["cases"][48]["dataflow"], "ws");
  EXPECT_EQ(j["cases"][48]["chunk_lane"], "column");
  for (int i = 0; i < 48; ++i) {
    EXPECT_EQ(j["cases"][48 + i]["words"], j["cases"][i]["words"]) << i;
    EXPECT_EQ(j["cases"][48 + i]["sc_cycles"], j["cases"][i]["sc_cycles"]) << i;
  }
  EXPECT_EQ(j["cases"][143]["dataflow"], "os");
  EXPECT_EQ(j["cases"][143]["buffering"], "double");
  EXPECT_TRUE(j["ok"]);
}

TEST(CosimCli, WeightFaultIsCaughtInEitherDataflowAndChunkLane) {
  for (const char* array :
       {"--dataflow ws --chunk-lane pe", "--dataflow os", "--chunk-lane column --chunk 4"}) {
    const CommandResult r =
        cosim(std::string(array) + " --gemm 9,11,6 --fault-weight 3,2,5 --window-vcd ''");
    EXPECT_EQ(r.status, 1) << r.output;
    // W[3][2] is used in column 2 only: the first difference is a PE's events there, or a word.
    EXPECT_THAT(r.output,
                ::testing::ContainsRegex(
                    "first mismatch: cycle [0-9]+, (PE\\([0-9]+, 2\\)|column 2 \\(C\\[)"));
    EXPECT_THAT(r.output, HasSubstr("SystemC model and RTL disagree in 2 of 2 GEMMs"));
  }
}

// The fused (tensor-core) array, model fused4x4 (G = 4): 'both' dataflows and chunk lanes mean
// its one array, ws with chunk lane pe; 24 cases x 2 bufferings. Words: one per K tile of 4
// steps and output, S = ceil steps of 4 products per chunk (docs/systolic.md).
TEST(CosimCli, FusedSuiteAndFault) {
  CommandResult r = cosim("--pe fused --window-vcd ''");
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("RTL array fused4x4 4x4 ws, chunk lane pe, PE fused (terms 4, "
                                  "align bits 4)"));
  EXPECT_THAT(r.output, HasSubstr("48 GEMMs, words compared 11370, mismatched 0; PE events "
                                  "compared 75296, mismatched 0"));
  r = cosim("--pe fused --gemm 9,37,6 --fault-weight 3,2,5 --window-vcd ''");
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_THAT(r.output, ::testing::ContainsRegex(
                            "first mismatch: cycle [0-9]+, (PE\\([0-9]+, 2\\)|column 2 \\(C\\[)"));
  EXPECT_THAT(r.output, HasSubstr("SystemC model and RTL disagree in 2 of 2 GEMMs"));
}

// Without --chunk-lane, a chunk that 'column' cannot map runs the pe array only, and says so.
TEST(CosimCli, UnmappableChunkSkipsTheColumnArray) {
  const CommandResult r = cosim("--dataflow ws --gemm 9,11,6 --chunk 6 --window-vcd ''");
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_THAT(r.output,
              HasSubstr("skipping chunk lane column (--chunk: chunk 6 is not a multiple"));
  EXPECT_THAT(r.output, HasSubstr("2 GEMMs, words compared"));
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
        Bad{"--gemm 3,4 ", "--gemm"}, Bad{"--chunk -1", "--chunk: -1 must be >= 0"},
        Bad{"--chunk-lane row", "--chunk-lane (or both): 'row'"},
        Bad{"--chunk-lane column --dataflow os", "--chunk-lane column: the chunk accumulators"},
        Bad{"--chunk-lane column --chunk 6",
            "--chunk: chunk 6 is not a multiple of the RTL array's 4 rows"},
        Bad{"--pe tensor", "--pe: 'tensor' is not a PE kind"},
        Bad{"--pe fused --dataflow os", "--pe fused with --dataflow os: the fused RTL PE"},
        Bad{"--pe fused --chunk-lane column", "the built model fused4x4 has chunk lane pe"},
        Bad{"--pe fused --config " LBASIM_CONFIGS "/gpu/hopper_fp8.json",
            "the RTL array fused4x4 is built with fused PEs of {\"terms\": 4, \"align_bits\": "
            "4}"},
        Bad{"--config " LBASIM_CONFIGS "/gpu/hopper_fp8.json",
            "the RTL array paper4x4 is built with FMAq PEs"}}) {
    const CommandResult r = cosim(b.args);
    EXPECT_EQ(r.status, 1) << b.args << "\n" << r.output;
    EXPECT_THAT(r.output, HasSubstr(b.fragment)) << b.args;
    EXPECT_FALSE(std::filesystem::exists("x.vcd"));
  }
}

// bench-array --rtl times the RTL array of --rtl-array's shape; a shape without a Verilated
// model is refused before any timing, naming the shapes this build has.
TEST(CosimCli, BenchArrayRtlArrayShape) {
  const std::string bench = std::string(LBASIM_BIN) + " bench-array --arith fast --repeat 1 " +
                            "--m 8 --k 8 --n 8 --array 4x4 --rtl";
  CommandResult r = run_command(bench + " --rtl-array 4x4");
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("RTL 4x4 ws PE fmaq"));
  EXPECT_THAT(r.output, HasSubstr("SystemC model same array, fast"));
  r = run_command(bench + " --rtl-array 5x5");
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_THAT(r.output, HasSubstr("--rtl-array 5x5 with --dataflow ws --pe fmaq: no Verilated "
                                  "array of that shape"));
  EXPECT_THAT(r.output, Not(HasSubstr("M PE-cycles/s")));  // refused before any timing
  r = run_command(bench + " --rtl-array 8");
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_THAT(r.output, HasSubstr("--rtl-array"));
}

}  // namespace
}  // namespace lbasim::test
