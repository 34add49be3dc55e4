// lbasim cosim: the SystemC array model and the Verilated RTL array in lockstep on one GEMM.
#include <fmt/core.h>

#include <charconv>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "array_gemm.h"
#include "commands.h"
#include "cosim.h"
#include "gemm_inputs.h"
#include "io_util.h"
#include "lbasim/numerics/error.h"
#include "lbasim/systemc/random_operands.h"

namespace lbasim::cli {
namespace {

struct CosimCliOptions {
  std::string gemm = "9,11,6";
  std::optional<std::int64_t> chunk;
  std::string config;
  std::string a, b;
  std::uint64_t seed = 1;
  std::string vcd;
  std::string window_vcd = "cosim_mismatch.vcd";
  int window = 16;
  std::string fault;  // k,n,bit
  std::string json;
};

rtl::WeightFault parse_fault(const std::string& text) {
  rtl::WeightFault f;
  long long v[3];
  const char* p = text.data();
  const char* end = p + text.size();
  for (int i = 0; i < 3; ++i) {
    const auto [next, ec] = std::from_chars(p, end, v[i]);
    if (ec != std::errc() || (i < 2 ? (next == end || *next != ',') : next != end))
      throw InputError(fmt::format("--fault-weight: '{}' is not K,N,BIT", text));
    p = next + 1;
  }
  f.k = v[0];
  f.n = v[1];
  f.bit = static_cast<int>(v[2]);
  return f;
}

void run(const CosimCliOptions& opt) {
  const rtl::WsArrayParams params = rtl::make_ws_array_dut()->params();
  num::AccumConfig cfg;
  if (opt.config.empty()) {
    cfg.product = params.product;
    cfg.accumulator = params.accumulator;
    cfg.chunk_accumulator = params.chunk_accumulator;
    cfg.chunk = 16;
  } else {
    cfg = read_accum_config(opt.config);
  }
  if (opt.chunk) {
    if (*opt.chunk < 0) throw InputError(fmt::format("--chunk: {} must be >= 0", *opt.chunk));
    cfg.chunk = *opt.chunk;
  }
  GemmShape s;
  std::vector<double> a, b;
  if (!opt.a.empty() || !opt.b.empty()) {
    if (opt.a.empty() || opt.b.empty()) throw InputError("--a/--b: give both operand files");
    GemmOperands ops = read_gemm_operands(opt.a, opt.b, cfg);
    s = {ops.m, ops.k, ops.n};
    a = std::move(ops.a.values);
    b = std::move(ops.b.values);
  } else {
    s = parse_gemm_shape(opt.gemm);
    a = sysc::random_operand(s.m * s.k, params.a, opt.seed);
    b = sysc::random_operand(s.k * s.n, params.w, opt.seed + 0x9e3779b97f4a7c15ull);
  }
  rtl::CosimOptions co;
  if (!opt.fault.empty()) co.fault = parse_fault(opt.fault);
  co.vcd = opt.vcd;
  co.window_vcd = opt.window_vcd;
  co.window = opt.window;

  fmt::print("RTL array {}x{} ws: A {} W {} product {} accumulator {} chunk accumulator {}\n",
             params.rows, params.cols, params.a.to_string(), params.w.to_string(),
             params.product.to_string(), params.accumulator.to_string(),
             params.chunk_accumulator.to_string());
  fmt::print("GEMM {},{},{} chunk {}\n", s.m, s.k, s.n, cfg.chunk);
  const rtl::CosimResult r = rtl::run_cosim([] { return rtl::make_ws_array_dut(); }, a.data(),
                                            b.data(), s.m, s.k, s.n, cfg, co);
  fmt::print("cycles: SystemC {}, RTL {}{}\n", r.sc_cycles, r.rtl_cycles,
             r.sc_cycles == r.rtl_cycles ? "" : "  MISMATCH");
  fmt::print("words compared {}, mismatched {}\n", r.words, r.mismatched_words);
  fmt::print("time: SystemC side {:.3f} s, RTL side {:.3f} s (speed: lbasim bench-array --rtl)\n",
             r.sc_seconds, r.rtl_seconds);
  if (r.first) {
    fmt::print("first mismatch: {}\n", rtl::describe(*r.first));
    if (!opt.window_vcd.empty())
      fmt::print("VCD of RTL cycles {}..{} (VCD time = 2 * cycle + 2): {}\n",
                 r.first->cycle > std::uint64_t(opt.window) ? r.first->cycle - opt.window : 0,
                 r.first->cycle + opt.window, opt.window_vcd);
  }
  if (!opt.vcd.empty()) fmt::print("full RTL VCD: {}\n", opt.vcd);
  if (!opt.json.empty()) {
    nlohmann::json j = {{"sc_cycles", r.sc_cycles},
                        {"rtl_cycles", r.rtl_cycles},
                        {"words", r.words},
                        {"mismatched_words", r.mismatched_words},
                        {"sc_seconds", r.sc_seconds},
                        {"rtl_seconds", r.rtl_seconds},
                        {"ok", r.ok()}};
    if (r.first) j["first_mismatch"] = rtl::describe(*r.first);
    write_json_file(opt.json, j);
  }
  if (!r.ok()) throw std::runtime_error("co-simulation: SystemC model and RTL disagree");
  fmt::print("OK: zero mismatches, equal cycle counts\n");
}

}  // namespace

void add_cosim_command(CLI::App& app) {
  auto opt = std::make_shared<CosimCliOptions>();
  auto* cmd = app.add_subcommand(
      "cosim", "SystemC array model vs Verilated RTL array, in lockstep, on one GEMM");
  cmd->add_option("--gemm", opt->gemm, "GEMM shape M,K,N")->capture_default_str();
  cmd->add_option("--chunk", opt->chunk, "Chunk size (default: the config's, else 16)");
  cmd->add_option("--config,-c", opt->config,
                  "Accumulation config JSON; its formats must be the RTL model's");
  cmd->add_option("--a", opt->a, "A, M x K .npy (values of the RTL's A format)");
  cmd->add_option("--b", opt->b, "B, K x N .npy (values of the RTL's W format)");
  cmd->add_option("--seed", opt->seed, "Seed of random operands")->capture_default_str();
  cmd->add_option("--vcd", opt->vcd, "Write the full RTL trace here");
  cmd->add_option("--window-vcd", opt->window_vcd, "RTL trace around the first mismatch")
      ->capture_default_str();
  cmd->add_option("--window", opt->window, "Cycles either side of the first mismatch")
      ->capture_default_str();
  cmd->add_option("--fault-weight", opt->fault,
                  "Test the checker: flip bit BIT of W[K][N] for the RTL only (K,N,BIT)");
  cmd->add_option("--json", opt->json, "Write the result as JSON");
  cmd->footer("Exit status: 0 agree, 1 mismatch or bad input, 2 usage. See docs/systolic.md.");
  cmd->callback([opt] { run(*opt); });
}

}  // namespace lbasim::cli
