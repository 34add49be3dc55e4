// lbasim quantize / gemm end to end: outputs equal the library's, bad input is refused with a
// message naming the file or field, the bad value and what was expected, and no output file.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

#include "lbasim/base/npy.h"
#include "lbasim/numerics/accumulate.h"
#include "lbasim/numerics/quantize.h"
#include "lbasim/numerics/scale.h"
#include "npy_fixtures.h"
#include "run_command.h"

namespace lbasim::test {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

using RunResult = CommandResult;

RunResult run(const std::string& args) { return run_command(std::string(LBASIM_BIN) + " " + args); }

void write_text(const std::filesystem::path& p, const std::string& text) {
  std::ofstream(p) << text;
}

constexpr const char* kPaperConfig =
    R"({"product": "M7E4b12", "accumulator": "M7E4b10", "chunk": 16})";

class Cli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = fresh_dir();
    write_npy_f64(dir / "a.npy", {2, 3}, {1, 2, 3, 4, 5, 6});
    write_npy_f64(dir / "b.npy", {3, 2}, {1, 0, 0, 1, 1, 1});
    write_text(dir / "cfg.json", kPaperConfig);
  }
  std::string path(const std::string& name) const { return (dir / name).string(); }
  std::string gemm(const std::string& a, const std::string& b, const std::string& cfg) const {
    return "gemm --a " + path(a) + " --b " + path(b) + " --config " + path(cfg) + " --out " +
           path("c.npy") + " --events " + path("ev.json");
  }
  // A refused input: exit 1, every expected fragment in the message, no output file.
  void expect_refused(const std::string& args, const std::vector<std::string>& fragments) {
    const RunResult r = run(args);
    EXPECT_EQ(r.status, 1) << r.output;
    EXPECT_THAT(r.output, HasSubstr("lbasim: error:"));
    for (const auto& f : fragments) EXPECT_THAT(r.output, HasSubstr(f));
    EXPECT_FALSE(std::filesystem::exists(dir / "c.npy"));
    EXPECT_FALSE(std::filesystem::exists(dir / "q.npy"));
    EXPECT_FALSE(std::filesystem::exists(dir / "ev.json"));
  }
  std::filesystem::path dir;
};

TEST_F(Cli, GemmEqualsLibraryBitForBit) {
  std::mt19937_64 rng(7);
  std::normal_distribution<double> nd(0, 1);
  const std::int64_t m = 9, k = 37, n = 5;
  std::vector<double> a(m * k), b(k * n);
  for (double& x : a) x = num::quantize(nd(rng), num::parse_format("M4E3b1")).value;
  for (double& x : b) x = num::quantize(nd(rng) / 8, num::parse_format("M4E3b5")).value;
  write_npy_f64(dir / "a.npy", {m, k}, a);
  write_npy_f64(dir / "b.npy", {k, n}, b);
  const RunResult r = run(gemm("a.npy", "b.npy", "cfg.json"));
  ASSERT_EQ(r.status, 0) << r.output;
  const npy::Array c = npy::read(dir / "c.npy");
  ASSERT_EQ(c.shape, (std::vector<std::int64_t>{m, n}));
  num::AccumConfig cfg{num::parse_format("M7E4b12"), num::parse_format("M7E4b10"),
                       num::parse_format("M7E4b10"), 16};
  std::vector<double> want(m * n);
  num::gemm_reference(a.data(), b.data(), want.data(), m, k, n, cfg, nullptr);
  for (std::size_t i = 0; i < want.size(); ++i) EXPECT_EQ(c.values[i], want[i]) << i;
  std::ifstream ev(dir / "ev.json");
  const std::string events((std::istreambuf_iterator<char>(ev)), {});
  EXPECT_THAT(events, HasSubstr("\"ops\": " + std::to_string(m * k * n)));
}

TEST_F(Cli, QuantizeEqualsLibrary) {
  std::vector<double> x{0.1, -3.75, 1e-9, 1e9, 0.0, -0.0, 2.5, 0.3333};
  write_npy_f64(dir / "x.npy", {2, 4}, x);
  const RunResult r = run("quantize --format M3E4b7:rne:subnormal --in " + path("x.npy") +
                          " --out " + path("q.npy"));
  ASSERT_EQ(r.status, 0) << r.output;
  const npy::Array q = npy::read(dir / "q.npy");
  EXPECT_EQ(q.shape, (std::vector<std::int64_t>{2, 4}));
  EXPECT_EQ(q.dtype, npy::DType::f64);
  const auto f = num::parse_format("M3E4b7:rne:subnormal");
  for (std::size_t i = 0; i < x.size(); ++i) EXPECT_EQ(q.values[i], num::quantize(x[i], f).value);
}

// --scale auto is the W/A rule (choose_pow2_scale + quantize_scaled), per tensor or per row.
TEST_F(Cli, QuantizeScaledEqualsLibrary) {
  std::vector<double> x{0.1, -37.5, 1e-9, 3.0, 500.0, 0.0, 2.5, 0.3333};
  write_npy_f64(dir / "x.npy", {2, 4}, x);
  const auto f = num::parse_format("M4E3");
  for (const bool per_row : {false, true}) {
    const RunResult r =
        run("quantize --format M4E3 --scale auto --in " + path("x.npy") + " --out " +
            path("q.npy") + " --events " + path("ev.json") + (per_row ? " --per-row" : ""));
    ASSERT_EQ(r.status, 0) << r.output;
    const npy::Array q = npy::read(dir / "q.npy");
    std::vector<double> want = x;
    std::vector<int> scales;
    for (std::size_t row = 0; row < (per_row ? 2u : 1u); ++row) {
      const std::span<double> slice(want.data() + row * (per_row ? 4 : 8), per_row ? 4 : 8);
      scales.push_back(num::choose_pow2_scale(slice, f));
      num::quantize_scaled(slice, scales.back(), f);
    }
    for (std::size_t i = 0; i < x.size(); ++i) EXPECT_EQ(q.values[i], want[i]) << i;
    std::ifstream ev(dir / "ev.json");
    const std::string events((std::istreambuf_iterator<char>(ev)), {});
    EXPECT_THAT(events, HasSubstr(std::to_string(scales.back())));
  }
  std::filesystem::remove(dir / "q.npy");
  std::filesystem::remove(dir / "ev.json");
  expect_refused("quantize --format M4E3 --scale x1 --in " + path("x.npy") + " --out " +
                     path("q.npy") + " --events " + path("ev.json"),
                 {"--scale", "x1", "integer"});
  expect_refused(
      "quantize --format M4E3 --per-row --in " + path("x.npy") + " --out " + path("q.npy"),
      {"--per-row", "--scale auto"});
}

TEST_F(Cli, HelpAndVersion) {
  EXPECT_EQ(run("--version").status, 0);
  EXPECT_THAT(run("--version").output, HasSubstr("lbasim"));
  for (const char* sub : {"quantize", "gemm", "demo"}) {
    const RunResult r = run(std::string(sub) + " --help");
    EXPECT_EQ(r.status, 0) << sub;
    EXPECT_THAT(r.output, HasSubstr("Usage")) << sub;
  }
  EXPECT_EQ(run("gemm --a x.npy").status, 2);  // missing required options: usage error
}

TEST_F(Cli, UnknownFormat) {
  expect_refused("quantize --format M7X4 --in " + path("a.npy") + " --out " + path("q.npy"),
                 {"--format", "M7X4", "expected"});
  expect_refused("quantize --format fp9 --in " + path("a.npy") + " --out " + path("q.npy"),
                 {"fp9", "preset"});
}

TEST_F(Cli, MantissaAndExponentOutOfRange) {
  expect_refused("quantize --format M60E4 --in " + path("a.npy") + " --out " + path("q.npy"),
                 {"man = 60", "0..52"});
  expect_refused("quantize --format M7E12 --in " + path("a.npy") + " --out " + path("q.npy"),
                 {"12", "1..11"});
}

TEST_F(Cli, InfOverflowNeedsIeeeSpecials) {
  expect_refused("quantize --format M7E4:inf --in " + path("a.npy") + " --out " + path("q.npy"),
                 {"overflow", "inf", "specials=ieee"});
}

TEST_F(Cli, AmbiguousNoneIsRefused) {
  expect_refused("quantize --format M7E4:none --in " + path("a.npy") + " --out " + path("q.npy"),
                 {"'none' is ambiguous", "underflow=none"});
}

TEST_F(Cli, NegativeChunk) {
  write_text(dir / "neg.json", R"({"product": "M7E4b12", "accumulator": "M7E4b10", "chunk": -4})");
  expect_refused(gemm("a.npy", "b.npy", "neg.json"), {"neg.json", "chunk", "-4", ">= 0"});
}

TEST_F(Cli, UnknownConfigKey) {
  write_text(dir / "bad.json", R"({"product": "M7E4b12", "accumulator": "M7E4b10", "chunks": 4})");
  expect_refused(gemm("a.npy", "b.npy", "bad.json"), {"bad.json", "unknown key 'chunks'"});
}

TEST_F(Cli, BadFormatInsideConfigNamesTheKey) {
  write_text(dir / "bad.json", R"({"product": "M7E4b12", "accumulator": {"man": 7}})");
  expect_refused(gemm("a.npy", "b.npy", "bad.json"), {"bad.json", "accumulator", "exp"});
}

TEST_F(Cli, ConfigNotJson) {
  write_text(dir / "bad.json", "{product: M7E4");
  expect_refused(gemm("a.npy", "b.npy", "bad.json"), {"bad.json", "not valid JSON"});
}

TEST_F(Cli, ShapeMismatch) {
  write_npy_f64(dir / "b4.npy", {4, 2}, std::vector<double>(8, 1.0));
  expect_refused(gemm("a.npy", "b4.npy", "cfg.json"), {"b4.npy", "4 rows", "3 columns"});
}

TEST_F(Cli, WrongDtype) {
  write_bytes(dir / "u8.npy",
              npy_bytes("{'descr': '|u1', 'fortran_order': False, 'shape': (2, 3), }",
                        std::string(6, '\1')));
  expect_refused(gemm("u8.npy", "b.npy", "cfg.json"), {"u8.npy", "|u1", "float32"});
  write_bytes(dir / "i8.npy",
              npy_bytes("{'descr': '<i8', 'fortran_order': False, 'shape': (2, 3), }",
                        std::string(48, '\0')));
  expect_refused(gemm("i8.npy", "b.npy", "cfg.json"), {"i8.npy", "int64", "float"});
}

TEST_F(Cli, WrongRank) {
  write_npy_f64(dir / "r3.npy", {1, 2, 3}, std::vector<double>(6, 1.0));
  expect_refused(gemm("r3.npy", "b.npy", "cfg.json"), {"r3.npy", "rank 3", "rank-2"});
}

TEST_F(Cli, FortranOrder) {
  write_bytes(dir / "f.npy", npy_bytes("{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }",
                                       std::string(48, '\0')));
  expect_refused(gemm("f.npy", "b.npy", "cfg.json"), {"f.npy", "fortran_order", "C order"});
}

TEST_F(Cli, BigEndian) {
  write_bytes(dir / "be.npy",
              npy_bytes("{'descr': '>f8', 'fortran_order': False, 'shape': (2, 3), }",
                        std::string(48, '\0')));
  expect_refused(gemm("be.npy", "b.npy", "cfg.json"), {"be.npy", ">f8", "little-endian"});
}

TEST_F(Cli, TruncatedFile) {
  write_bytes(dir / "t.npy",
              npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }",
                        std::string(40, '\0')));
  expect_refused(gemm("t.npy", "b.npy", "cfg.json"), {"t.npy", "truncated", "48 bytes"});
  write_bytes(dir / "h.npy", std::string("\x93NUMPY\x01\x00\x76\x00{'descr'", 17));
  expect_refused(gemm("h.npy", "b.npy", "cfg.json"), {"h.npy", "truncated header"});
}

TEST_F(Cli, MissingFile) {
  expect_refused(gemm("nope.npy", "b.npy", "cfg.json"), {"nope.npy", "no such file"});
  expect_refused(gemm("a.npy", "b.npy", "nope.json"), {"nope.json", "no such file"});
}

TEST_F(Cli, NonFiniteOperandWithoutSpecials) {
  write_npy_f64(dir / "nan.npy", {2, 3}, {1, 2, 3, 4, NAN, 6});
  expect_refused(gemm("nan.npy", "b.npy", "cfg.json"), {"nan.npy", "[1, 1]", "nan", "finite"});
}

TEST_F(Cli, UnwritableOutputLeavesNothing) {
  const RunResult r = run("gemm --a " + path("a.npy") + " --b " + path("b.npy") + " --config " +
                          path("cfg.json") + " --out " + path("no/such/dir/c.npy"));
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_THAT(r.output, HasSubstr("no/such/dir/c.npy"));
}

}  // namespace
}  // namespace lbasim::test

namespace lbasim::test {
namespace {

TEST(CliRunGemm, RunWithGemmIsTheArrayCommandCheckedAgainstGolden) {
  // --check compares the array's C with the golden GEMM and exits non-zero on a difference.
  const auto r = run_command(std::string(LBASIM_BIN) +
                             " run --gemm 5,19,3 --array 2x3 --dataflow ws --seed 4 --check");
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_THAT(r.output, ::testing::HasSubstr("total cycles"));
}

TEST(CliRunGemm, BadBufferingAndBandwidthExitOneNamingTheOption) {
  const std::string base = std::string(LBASIM_BIN) + " array --gemm 4,4,4 ";
  for (const auto& [args, want] :
       {std::pair{"--array 2x2 --buffering triple", "--buffering: 'triple'"},
        {"--dram-bw 0", "--dram-bw: '0'"},
        {"--dram-bw -3", "--dram-bw: '-3'"},
        {"--dram a,x", "--dram: 'x'"},
        {"--chunk-lane row", "--chunk-lane: 'row'"},
        {"--arith quick", "--arith: 'quick'"},
        {"--chunk-lane column --dataflow os", "output-stationary"},
        {"--chunk-lane column --array 3x3", "chunk 16 is not a multiple of the array's 3 rows"}}) {
    const auto r = run_command(base + args);
    EXPECT_EQ(r.status, 1) << args << ": " << r.output;
    EXPECT_THAT(r.output, ::testing::HasSubstr(want)) << args;
  }
}

TEST(CliRunTraceArray, OneInferenceOnTheArrayPerLayer) {
  const std::string src = LBASIM_SOURCE;
  const std::string out = ::testing::TempDir() + "run_array_" + std::to_string(getpid()) + ".json";
  const auto r = run_command(std::string(LBASIM_BIN) + " run --trace " + src +
                             "/traces/data/mlp-fmnist --config " + src +
                             "/configs/paper.json --limit 2 -q --array 4x4 --dataflow os "
                             "--buffering single --clock-mhz 250 --out " +
                             out);
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_THAT(r.output, ::testing::HasSubstr("sample 0 of the trace's captured layer inputs"));
  std::ifstream in(out);
  const nlohmann::json j = nlohmann::json::parse(in).at("array");
  std::remove(out.c_str());
  EXPECT_EQ(j.at("array").at("dataflow"), "os");
  EXPECT_EQ(j.at("array").at("buffering"), "single");
  std::uint64_t total = 0;
  for (const auto& l : j.at("layers")) {
    const auto& c = l.at("cycles");
    const std::uint64_t t = c.at("total");
    EXPECT_EQ(t, c.at("full").get<std::uint64_t>() + c.at("fill_drain").get<std::uint64_t>() +
                     c.at("drain").get<std::uint64_t>() +
                     c.at("memory_stall").get<std::uint64_t>());
    EXPECT_DOUBLE_EQ(l.at("latency_us").get<double>(), t / 250.0);
    EXPECT_EQ(l.at("arith"), "fast") << l.at("name");  // the paper's formats, FP8 operands
    const auto& g = l.at("gemm");
    EXPECT_EQ(l.at("macs").get<std::int64_t>(), g.at("m").get<std::int64_t>() *
                                                    g.at("k").get<std::int64_t>() *
                                                    g.at("n").get<std::int64_t>());
    total += t;
  }
  EXPECT_GT(total, 0u);
  EXPECT_EQ(j.at("total").at("cycles").at("total").get<std::uint64_t>(), total);
  EXPECT_EQ(j.at("total").at("arith"), "fast");
}

// `run --array` with the paper's configuration: each layer's PE energy by hand from the
// power table's m7e4 row of the array's chunk lane placement ('column': the PE part plus the
// lane part over this array's 4 rows).
// A fused array (--pe fused) takes the fused PE row of its G and F, a busy PE-cycle being a step.
struct EnergyRun {
  std::string config = "configs/paper.json", row = "m7e4", pe = "fmaq";
};
void check_energy_from_the_table_row(const std::string& chunk_lane,
                                     const std::string& dataflow = "ws",
                                     const EnergyRun& run = {}) {
  // The paper's configuration is the power table's m7e4 row: each layer's PE energy is its
  // MAC cycles at the row's MAC-cycle energy, its other PE-cycles at the idle energy, plus
  // leakage over the layer's time; layers and the non-GEMM DRAM add up to the inference.
  const std::string src = LBASIM_SOURCE;
  const std::string out = ::testing::TempDir() + "run_energy_" + std::to_string(getpid()) + ".json";
  const double mhz = 20;  // below every row's fmax
  const auto r = run_command(std::string(LBASIM_BIN) + " run --trace " + src +
                             "/traces/data/mlp-fmnist --config " + src + "/" + run.config +
                             " --limit 2 -q --array 4x4 --clock-mhz 20 --chunk-lane " + chunk_lane +
                             " --dataflow " + dataflow + " --pe " + run.pe + " --out " + out);
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_THAT(r.output, ::testing::HasSubstr("PE row '" + run.row + "'"));
  std::ifstream in(out);
  const nlohmann::json j = nlohmann::json::parse(in).at("array");
  std::remove(out.c_str());
  std::ifstream table_in(src + "/models/cost/data/power_osu018.json");
  const nlohmann::json table = nlohmann::json::parse(table_in);
  nlohmann::json row;
  for (const auto& c : table.at("configs"))
    if (c.at("name") == run.row && c.value("chunk_lane", "pe") == chunk_lane &&
        c.value("dataflow", "ws") == dataflow && c.value("stages", 1) == 1 &&
        c.value("pe", "fmaq") == run.pe)
      row = c;
  ASSERT_FALSE(row.is_null());
  const auto energy = [](const nlohmann::json& m) {
    return m.at("internal_pj").get<double>() + m.at("switching_pj").get<double>();
  };
  double mac_pj = energy(row.at("mac"));
  double idle_pj = energy(row.at("idle"));
  double leak_mw = row.at("leakage_mw");
  if (chunk_lane == "column") {
    const nlohmann::json &pe = row.at("column").at("pe"), &lane = row.at("column").at("lane");
    mac_pj = energy(pe.at("mac")) + energy(lane.at("mac")) / 4;
    idle_pj = pe.at("idle_pj").get<double>() + lane.at("idle_pj").get<double>() / 4;
    leak_mw = pe.at("leakage_mw").get<double>() + lane.at("leakage_mw").get<double>() / 4;
  }
  const nlohmann::json& e = j.at("energy");
  ASSERT_FALSE(e.is_null());
  EXPECT_EQ(e.at("power_row"), run.row);
  EXPECT_EQ(e.at("power_row_pe"), run.pe);
  EXPECT_EQ(e.at("power_row_chunk_lane"), chunk_lane);
  EXPECT_EQ(e.at("power_row_dataflow"), dataflow);
  ASSERT_EQ(e.at("layers").size(), j.at("layers").size());
  double sum_pj = 0;
  std::uint64_t cycles = 0;
  for (std::size_t i = 0; i < e.at("layers").size(); ++i) {
    const nlohmann::json& l = e.at("layers")[i];
    const std::uint64_t t = j.at("layers")[i].at("cycles").at("total");
    EXPECT_EQ(l.at("cycles").get<std::uint64_t>(), t);
    const double pe_cycles = static_cast<double>(t) * 16;
    // Busy PE-cycles (utilization x PE-cycles): MACs of the FMAq PE, steps of up to G MACs of
    // the fused one.
    const double macs = std::round(j.at("layers")[i].at("utilization").get<double>() * pe_cycles);
    if (run.pe == "fmaq") {
      EXPECT_EQ(macs, j.at("layers")[i].at("macs").get<double>());
    } else {
      EXPECT_LT(macs, j.at("layers")[i].at("macs").get<double>());
    }
    const double pe = macs * mac_pj + (pe_cycles - macs) * idle_pj +
                      leak_mw * 1e-3 * pe_cycles / (mhz * 1e6) * 1e12;
    EXPECT_NEAR(l.at("pe_pj").get<double>(), pe, 1e-9 * pe);
    EXPECT_GT(l.at("sram_pj").get<double>(), 0);
    sum_pj += l.at("total_pj").get<double>();
    cycles += t;
  }
  const double total_pj = e.at("total").at("total_pj");
  EXPECT_NEAR(sum_pj + e.at("other_dram_pj").get<double>(), total_pj, 1e-9 * total_pj);
  EXPECT_NEAR(e.at("average_power_mw").get<double>(),
              total_pj * 1e-9 / (static_cast<double>(cycles) / (mhz * 1e6)), 1e-9 * total_pj);
  EXPECT_FALSE(e.at("clock_above_fmax").get<bool>());
}

TEST(CliRunTraceArray, EnergyPerLayerFromThePowerTableRow) {
  check_energy_from_the_table_row("pe");
}

TEST(CliRunTraceArray, EnergyOfAColumnArrayFromTheColumnRow) {
  check_energy_from_the_table_row("column");
}

TEST(CliRunTraceArray, EnergyOfAnOutputStationaryArrayFromTheOsRow) {
  check_energy_from_the_table_row("pe", "os");
}

TEST(CliRunTraceArray, EnergyOfAFusedArrayFromTheFusedPeRow) {
  check_energy_from_the_table_row("pe", "ws",
                                  {"configs/gpu/hopper_fp8.json", "f32_m13e8", "fused"});
}

TEST(CliRunTraceArray, NoEnergyForAConfigurationOutsideThePowerTable) {
  const std::string src = LBASIM_SOURCE;
  const std::string cfg = ::testing::TempDir() + "m6e4_" + std::to_string(getpid()) + ".json";
  std::ofstream(cfg) << R"({"product": "M7E4b12", "accumulator": "M6E4b10", "chunk": 16})";
  const std::string out =
      ::testing::TempDir() + "run_noenergy_" + std::to_string(getpid()) + ".json";
  const auto r = run_command(std::string(LBASIM_BIN) + " run --trace " + src +
                             "/traces/data/mlp-fmnist --config " + cfg +
                             " --limit 2 -q --array 4x4 --out " + out);
  std::remove(cfg.c_str());
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_THAT(r.output, ::testing::HasSubstr("no energy: the power table"));
  EXPECT_THAT(r.output, ::testing::HasSubstr("accumulator M6E4b10"));
  std::ifstream in(out);
  const nlohmann::json j = nlohmann::json::parse(in).at("array");
  std::remove(out.c_str());
  EXPECT_TRUE(j.at("energy").is_null());
}

TEST(CliRunTraceArray, BufferSizesSetTheDramAndSramEnergy) {
  // The MLP's FP8 weights (229 KiB) fit the default 256 KiB weight buffer and stay resident;
  // in 8 KiB they spill, so each inference reads them from DRAM, and smaller SRAMs cost less
  // per access.
  const std::string src = LBASIM_SOURCE;
  const std::string out = ::testing::TempDir() + "run_buf_" + std::to_string(getpid()) + ".json";
  const auto energy = [&](const std::string& extra) {
    const auto r = run_command(
        std::string(LBASIM_BIN) + " run --trace " + src + "/traces/data/mlp-fmnist --config " +
        src + "/configs/paper.json --limit 1 -q --array 4x4 " + extra + " --out " + out);
    EXPECT_EQ(r.status, 0) << r.output;
    std::ifstream in(out);
    const nlohmann::json e = nlohmann::json::parse(in).at("array").at("energy");
    std::remove(out.c_str());
    return e;
  };
  const nlohmann::json def = energy(""), small = energy("--buffers-kib 16,8,4");
  EXPECT_EQ(def.at("buffers"),
            (nlohmann::json{{"activation_kib", 64}, {"weight_kib", 256}, {"output_kib", 64}}));
  EXPECT_EQ(small.at("buffers"),
            (nlohmann::json{{"activation_kib", 16}, {"weight_kib", 8}, {"output_kib", 4}}));
  EXPECT_GT(small.at("dram_bytes_per_inference").get<double>(),
            def.at("dram_bytes_per_inference").get<double>() + 200 * 1024);
  EXPECT_GT(small.at("total").at("dram_pj").get<double>(),
            def.at("total").at("dram_pj").get<double>());
  EXPECT_NE(small.at("total").at("sram_pj").get<double>(),
            def.at("total").at("sram_pj").get<double>());
  EXPECT_EQ(small.at("total").at("pe_pj"), def.at("total").at("pe_pj"));
}

TEST(CliRunTraceArray, BadArrayOptionsAreRefusedBeforeAnyWork) {
  const std::string src = LBASIM_SOURCE;
  const std::string out = ::testing::TempDir() + "run_bad_" + std::to_string(getpid()) + ".json";
  const std::string base = std::string(LBASIM_BIN) + " run --trace " + src +
                           "/traces/data/mlp-fmnist --config " + src + "/configs/paper.json -q ";
  const auto bad = run_command(base + "--array 4x4 --buffering triple --out " + out);
  EXPECT_EQ(bad.status, 1) << bad.output;
  EXPECT_THAT(bad.output, ::testing::HasSubstr("--buffering: 'triple'"));
  EXPECT_FALSE(std::ifstream(out).good());
  for (const char* buffers : {"64,0,64", "0,256,64", "64,256"}) {
    const auto b = run_command(base + "--array 4x4 --buffers-kib " + buffers + " --out " + out);
    EXPECT_EQ(b.status, 1) << b.output;
    EXPECT_THAT(b.output, ::testing::HasSubstr(std::string("--buffers-kib ") + buffers));
    EXPECT_FALSE(std::ifstream(out).good()) << buffers;
  }
  const auto zero = run_command(base + "--array 4x4 --buffers-kib 64,0,64");
  EXPECT_THAT(zero.output, ::testing::HasSubstr("weight_kib = 0"));
  const auto clock = run_command(base + "--array 4x4 --clock-mhz 0");
  EXPECT_EQ(clock.status, 1) << clock.output;
  EXPECT_THAT(clock.output, ::testing::HasSubstr("--clock-mhz"));
  // Array options without --array are a usage error.
  EXPECT_EQ(run_command(base + "--dataflow os").status, 2);
}

TEST(CliRunGemm, DoubleBufferingAndBandwidthReachTheModel) {
  // 2x2, GEMM 4,4,2, weights only from DRAM at 1 byte per cycle: 16 cycles, 4 of them waiting
  // for DRAM (worked out in tests/systemc/array_memory_test.cpp).
  const auto r = run_command(std::string(LBASIM_BIN) +
                             " array --gemm 4,4,2 --array 2x2 --buffering double --dram-bw 1 "
                             "--dram w --check");
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_THAT(r.output, ::testing::HasSubstr("total cycles           16"));
  EXPECT_THAT(r.output, ::testing::HasSubstr("memory stall cycles    4"));
}

}  // namespace
}  // namespace lbasim::test
