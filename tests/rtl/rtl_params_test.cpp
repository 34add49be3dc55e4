// tools/lba/rtl.py maps a format string to Verilog parameters for CMake, the lint script and
// the synthesis flow; the golden model reads the same string with lbasim::num::parse_format.
// Here both read a corpus of formats and must agree field for field, and the Python side must
// refuse what the RTL does not implement.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "lbasim/base/error.h"
#include "lbasim/numerics/format.h"

namespace lbasim::num {
namespace {

namespace fs = std::filesystem;

std::string python(const std::string& args) {
  return fmt::format("PYTHONPATH='{}/tools' /usr/bin/python3 {}", LBASIM_SOURCE_DIR, args);
}

// Every spelling of every RTL-supported format in a grid, with the Format it must mean.
std::vector<std::pair<std::string, Format>> corpus() {
  std::vector<std::pair<std::string, Format>> out;
  for (int man : {1, 2, 3, 7, 10, 23, 52})
    for (int exp : {1, 2, 3, 4, 5, 8, 11})
      for (int bias_shift : {0, -3, 5})
        for (int policy = 0; policy < 16; ++policy) {
          Format f;
          f.man = man;
          f.exp = exp;
          f.bias = default_bias(exp) + bias_shift;
          f.rounding = policy & 1 ? Rounding::rne : Rounding::rtz;
          f.underflow = policy & 2 ? Underflow::subnormal : Underflow::flush;
          f.specials = policy & 4 ? Specials::ieee : Specials::none;
          f.overflow = (policy & 8) && (policy & 4) ? Overflow::inf : Overflow::saturate;
          if (1 + exp + man > 64) continue;
          try {
            validate(f);
          } catch (const InputError&) {
            continue;
          }
          out.emplace_back(f.to_string(), f);
          // All policies spelled out, upper case: the same format.
          out.emplace_back(
              fmt::format("M{}E{}B{}:{}:{}:{}{}", man, exp, f.bias, to_string(f.rounding),
                          to_string(f.underflow), to_string(f.overflow),
                          f.specials == Specials::ieee ? ":IEEE" : ""),
              f);
        }
  return out;
}

TEST(RtlParams, PythonMappingEqualsTheGoldenParser) {
  const auto formats = corpus();
  ASSERT_GT(formats.size(), 1000u);
  const fs::path dir = fs::temp_directory_path() / fmt::format("lbasim_rtl_params_{}", getpid());
  fs::create_directories(dir);
  {
    std::ofstream in(dir / "formats.txt");
    for (const auto& [text, f] : formats) in << text << "\n";
  }
  const std::string cmd = python(fmt::format(
      "-c 'import json, sys; from lba.rtl import verilog_params; "
      "print(json.dumps([verilog_params(\"ACC\", l.strip()) for l in open(sys.argv[1])]))' "
      "'{}' > '{}'",
      (dir / "formats.txt").string(), (dir / "params.json").string()));
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  const nlohmann::json got = nlohmann::json::parse(std::ifstream(dir / "params.json"));
  fs::remove_all(dir);
  ASSERT_EQ(got.size(), formats.size());
  for (std::size_t i = 0; i < formats.size(); ++i) {
    const auto& [text, want] = formats[i];
    EXPECT_EQ(parse_format(text), want) << text;  // the corpus itself is right
    const nlohmann::json& p = got[i];
    const nlohmann::json expected = {{"ACC_MAN", want.man},
                                     {"ACC_EXP", want.exp},
                                     {"ACC_BIAS", want.bias},
                                     {"ACC_SUB", want.underflow == Underflow::subnormal ? 1 : 0},
                                     {"ACC_IEEE", want.specials == Specials::ieee ? 1 : 0},
                                     {"ACC_RNE", want.rounding == Rounding::rne ? 1 : 0},
                                     {"ACC_INF", want.overflow == Overflow::inf ? 1 : 0}};
    ASSERT_EQ(p, expected) << text;
  }
}

TEST(RtlParams, InputFormatsHaveNoRoundingParameters) {
  const std::string cmd = python("-m lba.rtl params --json A=M2E5b15:rne:subnormal:inf:ieee");
  FILE* f = popen(cmd.c_str(), "r");
  ASSERT_NE(f, nullptr);
  char buf[512] = {};
  const std::size_t n = std::fread(buf, 1, sizeof buf - 1, f);
  ASSERT_EQ(pclose(f), 0);
  const nlohmann::json want = {
      {"A_MAN", 2}, {"A_EXP", 5}, {"A_BIAS", 15}, {"A_SUB", 1}, {"A_IEEE", 1}};
  EXPECT_EQ(nlohmann::json::parse(std::string(buf, n)), want);
}

// The array option chunk_lane: CHUNK_COLUMN 0 for pe, 1 for column, refused otherwise.
TEST(RtlParams, ChunkLaneSetsChunkColumn) {
  for (const auto& [lane, want] : {std::pair{"pe", 0}, std::pair{"column", 1}}) {
    const std::string cmd =
        python(fmt::format("-m lba.rtl params --json --chunk-lane {} ACC=M7E4b10", lane));
    FILE* f = popen(cmd.c_str(), "r");
    ASSERT_NE(f, nullptr);
    char buf[512] = {};
    const std::size_t n = std::fread(buf, 1, sizeof buf - 1, f);
    ASSERT_EQ(pclose(f), 0);
    EXPECT_EQ(nlohmann::json::parse(std::string(buf, n)).at("CHUNK_COLUMN"), want) << lane;
  }
  const int rc = std::system(
      python("-m lba.rtl params --cmake --chunk-lane row ACC=M7E4b10 >/dev/null 2>&1").c_str());
  EXPECT_TRUE(WIFEXITED(rc) && WEXITSTATUS(rc) == 1) << "status " << rc;
}

TEST(RtlParams, RefusesWhatTheRtlDoesNotImplement) {
  for (const char* bad : {"fp16", "M7E4", "M0E4b7", "M3E4b7:specials=nan", "M7E4b10:underflow=none",
                          "M7E4b10:rtz:rne", "M7E4b10:inf", "M7E1b0:ieee", "M60E8b127"}) {
    const std::string cmd =
        python(fmt::format("-m lba.rtl params --cmake 'ACC={}' >/dev/null 2>&1", bad));
    const int rc = std::system(cmd.c_str());
    EXPECT_TRUE(WIFEXITED(rc) && WEXITSTATUS(rc) == 1) << bad << ": status " << rc;
  }
}

}  // namespace
}  // namespace lbasim::num
