// lbasim gemm under the GPU presets (configs/gpu): random FP8 GEMMs give exactly the contract's
// section-7 values and events, computed by the independent MPFR oracle; the presets hold the
// contract's parameters; bad fused configs and undeclared operand values are refused.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <string>

#include "lbasim/base/npy.h"
#include "lbasim/numerics/accumulate.h"
#include "mpfr_fused_oracle.h"
#include "npy_fixtures.h"
#include "run_command.h"
#include "test_support.h"

namespace lbasim::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
namespace nt = num::testing;

CommandResult run(const std::string& args) {
  return run_command(std::string(LBASIM_BIN) + " " + args);
}

std::string preset(const std::string& name) {
  return std::string(LBASIM_CONFIGS) + "/gpu/" + name + ".json";
}

struct Preset {
  std::string name;
  int terms, align_bits;
  num::Format acc, cacc;
  std::int64_t chunk;
};

// The contract's reference configurations (section 7), written out from its text.
std::vector<Preset> presets() {
  return {{"hopper_fp8", 32, 13, nt::m13e8_rtz(), nt::m13e8_rtz(), 0},
          {"hopper_fp8_promote128", 32, 13, nt::m13e8_rtz(), nt::fp32(), 128},
          {"hopper_fp16", 16, 25, nt::fp32_rtz(), nt::fp32_rtz(), 0},
          {"blackwell_fp8", 32, 25, nt::fp32_rtz(), nt::fp32_rtz(), 0},
          {"ada_fp8", 16, 13, nt::m13e8_rtz(), nt::m13e8_rtz(), 0}};
}

nlohmann::json read_json(const std::filesystem::path& p) {
  std::ifstream in(p);
  return nlohmann::json::parse(in);
}

TEST(CliFused, PresetsHoldTheContractsParameters) {
  for (const Preset& p : presets()) {
    const num::AccumConfig c = num::accum_config_from_json(read_json(preset(p.name)));
    ASSERT_TRUE(c.fused.has_value()) << p.name;
    EXPECT_EQ(c.fused->terms, p.terms) << p.name;
    EXPECT_EQ(c.fused->align_bits, p.align_bits) << p.name;
    EXPECT_TRUE(c.fused->exact_product) << p.name;
    EXPECT_EQ(c.accumulator, p.acc) << p.name;
    EXPECT_EQ(c.chunk_accumulator, p.cacc) << p.name;
    EXPECT_EQ(c.chunk, p.chunk) << p.name;
  }
}

// A: e4m3 values, B: e5m2 values (both with subnormals), K spanning several groups and chunks.
class CliFusedGemm : public ::testing::TestWithParam<Preset> {};
void PrintTo(const Preset& p, std::ostream* os) { *os << p.name; }

TEST_P(CliFusedGemm, EqualsTheOracle) {
  const Preset& p = GetParam();
  const std::filesystem::path dir = fresh_dir();
  std::mt19937_64 rng(std::hash<std::string>{}(p.name));
  std::normal_distribution<double> nd(0, 1);
  const num::Format fa = nt::fp8_e4m3(), fw = nt::fp8_e5m2();
  const std::int64_t m = 4, k = 300, n = 3;
  std::vector<double> a(m * k), b(k * n);
  for (std::size_t i = 0; i < a.size(); ++i)  // row 3 is tiny: subnormal codes
    a[i] = num::oracle::quantize(nd(rng) * (i / k == 3 ? 0.01 : 40.0), fa).value;
  for (double& x : b) x = num::oracle::quantize(nd(rng) * 0.05, fw).value;
  a[0] = 448;    // e4m3 max: row 0 runs at 2^24 and above, so even F = 25 cuts its small terms
  b[0] = 57344;  // e5m2 max
  write_npy_f64(dir / "a.npy", {m, k}, a);
  write_npy_f64(dir / "b.npy", {k, n}, b);
  const CommandResult r =
      run("gemm --a " + (dir / "a.npy").string() + " --b " + (dir / "b.npy").string() +
          " --config " + preset(p.name) + " --a-format fp8_e4m3 --b-format fp8_e5m2 --out " +
          (dir / "c.npy").string() + " --events " + (dir / "ev.json").string());
  ASSERT_EQ(r.status, 0) << r.output;
  const npy::Array c = npy::read(dir / "c.npy");
  num::oracle::FusedSpec spec{p.terms, p.align_bits, p.acc, p.cacc, p.chunk};
  spec.floor_a = -6;   // e4m3: smallest normal 2^-6
  spec.floor_w = -14;  // e5m2: 2^-14
  num::oracle::Counts acc, prod, chunk;
  std::uint64_t align = 0;
  for (std::int64_t i = 0; i < m; ++i)
    for (std::int64_t j = 0; j < n; ++j) {
      std::vector<double> row(a.begin() + i * k, a.begin() + (i + 1) * k), col(k);
      for (std::int64_t t = 0; t < k; ++t) col[t] = b[t * n + j];
      const num::oracle::FusedDotResult want = num::oracle::dot_fused(row, col, spec);
      EXPECT_TRUE(num::oracle::same_bits(c.values[i * n + j], want.value))
          << p.name << " C[" << i << "][" << j << "]: " << nt::hex(want.value) << " vs "
          << nt::hex(c.values[i * n + j]);
      for (auto [dst, src] : {std::pair{&acc, &want.accumulator}, std::pair{&prod, &want.product},
                              std::pair{&chunk, &want.chunk}}) {
        dst->ops += src->ops;
        dst->overflow += src->overflow;
        dst->underflow += src->underflow;
        dst->swamped += src->swamped;
        dst->inexact += src->inexact;
      }
      align += want.align_inexact;
    }
  const nlohmann::json ev = read_json(dir / "ev.json")["events"];
  const auto expect_stage = [&](const char* name, const num::oracle::Counts& want) {
    const nlohmann::json& s = ev[name];
    EXPECT_EQ(s["ops"], want.ops) << name;
    EXPECT_EQ(s["overflow"], want.overflow) << name;
    EXPECT_EQ(s["underflow"], want.underflow) << name;
    EXPECT_EQ(s["swamped"], want.swamped) << name;
    EXPECT_EQ(s["inexact"], want.inexact) << name;
  };
  expect_stage("product", prod);
  expect_stage("accumulator", acc);
  expect_stage("chunk_accumulator", chunk);
  EXPECT_EQ(ev["accumulator"]["align_inexact"], align);
  EXPECT_GT(align, 0u);
}

INSTANTIATE_TEST_SUITE_P(Presets, CliFusedGemm, ::testing::ValuesIn(presets()),
                         [](const auto& info) { return info.param.name; });

class CliFusedErrors : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = fresh_dir();
    write_npy_f64(dir / "a.npy", {1, 2}, {1.5, 0.1});
    write_npy_f64(dir / "b.npy", {2, 1}, {1.0, 1.0});
  }
  void expect_refused(const std::string& config, const std::string& extra,
                      const std::vector<std::string>& fragments) {
    std::ofstream(dir / "cfg.json") << config;
    const CommandResult r = run(
        "gemm --a " + (dir / "a.npy").string() + " --b " + (dir / "b.npy").string() + " --config " +
        (dir / "cfg.json").string() + " --out " + (dir / "c.npy").string() + " " + extra);
    EXPECT_EQ(r.status, 1) << r.output;
    for (const auto& f : fragments) EXPECT_THAT(r.output, HasSubstr(f));
    EXPECT_FALSE(std::filesystem::exists(dir / "c.npy"));
  }
  std::filesystem::path dir;
};

TEST_F(CliFusedErrors, BadKeysAndOperands) {
  expect_refused(R"({"accumulator": "fp32", "fused": {"terms": 32, "align_bits": 200}})", "",
                 {"cfg.json", "fused.align_bits", "200"});
  expect_refused(R"({"accumulator": "fp32", "fused": {"terms": 32, "align": 13}})", "",
                 {"cfg.json", "'fused.align'"});
  expect_refused(R"({"product": "exact", "accumulator": "fp32"})", "", {"product", "exact"});
  // 0.1 is not an e4m3 value.
  expect_refused(R"({"accumulator": "fp32", "fused": {"terms": 32, "align_bits": 13}})",
                 "--a-format fp8_e4m3", {"a.npy", "[0, 1]", "--a-format"});
  // A product format that cannot hold 1.5 * 1.5 exactly (M1E4: 2 significant bits).
  expect_refused(
      R"({"product": "M1E4", "accumulator": "fp32", "fused": {"terms": 2, "align_bits": 13}})", "",
      {"product", "M1E4"});
}

// lbasim array computes the fused order on fused PEs (--pe fused), checked against the golden
// GEMM by --check (tests/systemc/fused_pe_test.cpp has the details), and refuses a PE kind
// that does not compute the config's order, naming the option and the value.
TEST(CliFused, ArrayRunsTheFusedOrderOnFusedPes) {
  for (const char* df : {"ws", "os"}) {
    const CommandResult r =
        run(std::string("array --pe fused --dataflow ") + df + " --array 4x4 --gemm 9,70,5 " +
            "--wa fp8_e4m3 --check --config " + preset("hopper_fp8_promote128"));
    EXPECT_EQ(r.status, 0) << r.output;
    EXPECT_THAT(r.output, HasSubstr("0 of 45 outputs differ, event counts equal"));
    EXPECT_THAT(r.output, HasSubstr("fused PEs"));
  }
}

// One inference of a shipped trace on fused PEs: cycles and the energy of the power table's
// fused PE row of the config's formats, G and F (tests/sim/cli_test.cpp checks its numbers);
// a fused config no row has (promotion into fp32) gets no energy rather than another row's.
TEST(CliFused, RunArrayOnFusedPesTakesTheFusedRowOfItsOrder) {
  const std::string trace = std::string(LBASIM_CONFIGS) + "/../traces/data/mlp-fmnist";
  const CommandResult r = run("run --trace " + trace + " --limit 2 --array 4x4 --pe fused " +
                              "--config " + preset("hopper_fp8"));
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("fused PEs"));
  EXPECT_THAT(r.output, HasSubstr("PE row 'f32_m13e8' (ws fused, chunk lane pe, 1 stage)"));
  const CommandResult promoted = run("run --trace " + trace + " --limit 2 --array 4x4 --pe " +
                                     "fused --config " + preset("hopper_fp8_promote128"));
  EXPECT_EQ(promoted.status, 0) << promoted.output;
  EXPECT_THAT(promoted.output, HasSubstr("no energy: the power table"));
  EXPECT_THAT(promoted.output, HasSubstr("32 terms, 13 align bits for the PE ws fused"));
  const CommandResult chain =
      run("run --trace " + trace + " --limit 2 --array 4x4 --config " + preset("hopper_fp8"));
  EXPECT_EQ(chain.status, 1) << chain.output;
  EXPECT_THAT(chain.output, HasSubstr("PE kind 'fmaq' (--pe)"));
  EXPECT_THAT(chain.output, Not(HasSubstr("top-1")));  // refused before the evaluation
}

TEST(CliFused, ArrayRefusesAPeKindThatDoesNotComputeTheOrder) {
  const CommandResult chain = run("array --gemm 4,4,4 --config " + preset("hopper_fp8"));
  EXPECT_EQ(chain.status, 1) << chain.output;
  EXPECT_THAT(chain.output, HasSubstr("PE kind 'fmaq' (--pe)"));
  EXPECT_THAT(chain.output, HasSubstr("'fused'"));
  const CommandResult fused = run("array --gemm 4,4,4 --pe fused");  // the paper's FMAq config
  EXPECT_EQ(fused.status, 1) << fused.output;
  EXPECT_THAT(fused.output, HasSubstr("PE kind 'fused' (--pe)"));
  const CommandResult bad = run("array --gemm 4,4,4 --pe tensor");
  EXPECT_EQ(bad.status, 1) << bad.output;
  EXPECT_THAT(bad.output, HasSubstr("--pe: 'tensor'"));
}

}  // namespace
}  // namespace lbasim::test
