// lbasim demo: a GEMM of realistic FP8 operands under low-bit accumulators vs FP32.
#include <fmt/core.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "commands.h"
#include "io_util.h"
#include "lbasim/numerics/accumulate.h"
#include "lbasim/numerics/engine.h"
#include "lbasim/numerics/scale.h"
#include "lbasim/traces/evaluate.h"

namespace lbasim::cli {
namespace {

struct Row {
  std::string name;
  num::AccumConfig cfg;
};

num::AccumConfig make_config(const std::string& prod, const std::string& acc, std::int64_t chunk) {
  const num::Format p = num::parse_format(prod), a = num::parse_format(acc);
  return {p, a, a, chunk};
}

}  // namespace

void add_demo_command(CLI::App& app) {
  struct Options {
    std::int64_t m = 256, k = 576, n = 64;
    std::uint64_t seed = 1;
    std::string wa = "M4E3", json;
  };
  auto opt = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "demo",
      "GEMM of realistic FP8 operands (ReLU activations x He-initialised weights, per-tensor "
      "power-of-two scales) under the paper's 12-bit accumulator and others, against FP32");
  cmd->add_option("--m", opt->m, "Rows of A (outputs per column)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--k", opt->k, "Accumulation length K")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--n", opt->n, "Columns of W")->capture_default_str()->check(CLI::PositiveNumber);
  cmd->add_option("--seed", opt->seed, "Random seed")->capture_default_str();
  cmd->add_option("--wa", opt->wa, "W/A format")->capture_default_str();
  cmd->add_option("--json", opt->json, "Also write the table as JSON here");
  cmd->callback([opt] {
    const num::Format wa = parse_format_option("--wa", opt->wa);
    std::mt19937_64 rng(opt->seed);
    std::normal_distribution<double> normal(0.0, 1.0);
    std::vector<double> a(opt->m * opt->k), w(opt->k * opt->n);
    for (double& x : a) x = std::fmax(0.0, normal(rng));  // post-ReLU activations
    const double w_std = std::sqrt(2.0 / static_cast<double>(opt->k));
    for (double& x : w) x = w_std * normal(rng);
    const int sa = num::choose_pow2_scale(a, wa), sw = num::choose_pow2_scale(w, wa);
    num::quantize_scaled(a, sa, wa);
    num::quantize_scaled(w, sw, wa);

    const std::vector<Row> rows{
        {"FP32 (reference)", make_config("fp32", "fp32", 0)},
        {"FP16 acc", make_config("M7E4b12", "fp16", 0)},
        {"M10E5 acc, chunk 16", make_config("M7E4b12", "M10E5", 16)},
        {"M7E4b10 acc, no chunks", make_config("M7E4b12", "M7E4b10", 0)},
        {"M7E4b10 acc, chunk 16 (paper)", make_config("M7E4b12", "M7E4b10", 16)},
        {"M7E4b10 acc, chunk 64", make_config("M7E4b12", "M7E4b10", 64)},
    };
    fmt::print("demo GEMM {} x {} x {}: activations and weights in {} with scales 2^{} and 2^{}\n",
               opt->m, opt->k, opt->n, wa.to_string(), sa, sw);
    fmt::print("{:<32} {:>9} {:>9} {:>11} {:>11} {:>11} {:>11}\n", "configuration", "SQNR dB",
               "max err", "prod unf", "acc ovf", "acc swamp", "acc unf");
    std::vector<double> ref;
    nlohmann::json out = nlohmann::json::array();
    for (const Row& row : rows) {
      std::vector<double> c(opt->m * opt->n);
      num::StageCounts counts;
      num::gemm(a.data(), w.data(), c.data(), opt->m, opt->k, opt->n, row.cfg, &counts);
      if (ref.empty()) ref = c;
      traces::ErrorStats e;
      e.add(c, ref);
      fmt::print("{:<32} {:>9.2f} {:>9.2e} {:>11} {:>11} {:>11} {:>11}\n", row.name, e.sqnr_db(),
                 e.max_rel_error(), counts.product.underflow, counts.accumulator.overflow,
                 counts.accumulator.swamped, counts.accumulator.underflow);
      out.push_back({{"name", row.name},
                     {"config", num::to_json(row.cfg)},
                     {"sqnr_db", std::isinf(e.sqnr_db()) ? nlohmann::json(nullptr)
                                                         : nlohmann::json(e.sqnr_db())},
                     {"max_rel_error", e.max_rel_error()},
                     {"events", num::to_json(counts)}});
    }
    fmt::print(
        "SQNR and max err (relative to max |C|) against the FP32 row; events are counts of "
        "quantizations over all {} MACs.\n",
        opt->m * opt->k * opt->n);
    if (!opt->json.empty())
      write_json_file(opt->json, {{"m", opt->m}, {"k", opt->k}, {"n", opt->n}, {"rows", out}});
  });
}

}  // namespace lbasim::cli
