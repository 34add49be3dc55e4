// lbasim bench: quantized MAC/s of the golden model, the fast engine and a plain float loop,
// optionally beside a per-k PyTorch emulation (python3 -m lba.bench_torch).
#include <fmt/core.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "bench_machine.h"
#include "commands.h"
#include "io_util.h"
#include "lbasim/numerics/engine.h"
#include "lbasim/numerics/scale.h"
#include "run_tool.h"

namespace lbasim::cli {
namespace {

struct Shape {
  std::string name;
  std::int64_t m, k, n;
};

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Best of `reps` runs of f(), in MAC/s.
template <typename F>
double rate(double macs, int reps, F f) {
  double best = 0;
  for (int r = 0; r < reps; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    f();
    best = std::max(best, macs / seconds_since(t0));
  }
  return best;
}

// C = A W in float32, same loop order as the quantized engines (a baseline, not a BLAS).
void float_gemm(const std::vector<float>& a, const std::vector<float>& w, std::vector<float>& c,
                std::int64_t m, std::int64_t k, std::int64_t n) {
  for (std::int64_t i = 0; i < m; ++i) {
    float* crow = c.data() + i * n;
    std::fill(crow, crow + n, 0.0f);
    for (std::int64_t kk = 0; kk < k; ++kk) {
      const float av = a[i * k + kk];
      const float* wrow = w.data() + kk * n;
      for (std::int64_t j = 0; j < n; ++j) crow[j] += av * wrow[j];
    }
  }
}

}  // namespace

void add_bench_command(CLI::App& app) {
  struct Options {
    int reps = 3;
    int golden_rows = 8;
    bool torch = false;
    std::string json;
  };
  auto opt = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "bench",
      "Quantized MAC/s: golden model, fast engine (1 and all threads, and the scaling), "
      "float32 loop, (--torch) a per-k PyTorch emulation; then a core probe and the CPU "
      "share other processes took meanwhile");
  cmd->add_option("--reps", opt->reps, "Repetitions (best is reported)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--golden-rows", opt->golden_rows,
                  "Rows of A the (slow) golden model is timed on")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_flag(
      "--torch", opt->torch,
      "Also run the per-k PyTorch emulation (python3 -m lba.bench_torch; needs python3-torch)");
  cmd->add_option("--json", opt->json, "Also write the figures as JSON here");
  cmd->callback([opt] {
    const std::vector<Shape> shapes{{"256x1024x256", 256, 1024, 256},
                                    {"resnet-layer 1568x576x64", 1568, 576, 64}};
    const auto f = [](const char* s) { return num::parse_format(s); };
    const std::vector<std::pair<std::string, num::AccumConfig>> configs{
        {"paper M7E4 chunk16", {f("M7E4b12"), f("M7E4b10"), f("M7E4b10"), 16}},
        {"M10E5 rne/subnormal",
         {f("M10E5:rne:subnormal"), f("M10E5:rne:subnormal"), f("M10E5:rne:subnormal"), 0}},
        {"fp32", {f("fp32"), f("fp32"), f("fp32"), 0}},
        {"bf16 (fp32 product)", {f("fp32"), f("bf16"), f("bf16"), 0}},
        {"M13E8 rtz c128 fp32", {f("fp32"), f("M13E8:rtz:subnormal"), f("fp32"), 128}},
        {"hopper_fp8 fused g32 F13",  // configs/gpu/hopper_fp8.json
         {num::Format{}, f("M13E8:rtz:subnormal:ieee:inf"), f("M13E8:rtz:subnormal:ieee:inf"), 0,
          num::FusedOrder{32, 13, true}}},
    };
    const int hw = std::max(1u, std::thread::hardware_concurrency());
    fmt::print("lbasim bench: best of {} runs, {} hardware threads, fast-path ISA {}\n", opt->reps,
               hw, num::to_string(num::best_isa()));
    fmt::print("{:<26} {:<20} {:>9} {:>11} {:>11} {:>7} {:>11} {:>9} {:>10}\n", "shape", "config",
               "golden", "fast 1 thr", fmt::format("fast {} thr", hw), "scaling", "no events",
               "float32", "path");
    nlohmann::json out = nlohmann::json::array();
    const num::Format wa = num::parse_format("M4E3");
    const LoadMeter load;
    for (const Shape& s : shapes) {
      std::mt19937_64 rng(1);
      std::normal_distribution<double> nd(0, 1);
      std::vector<double> a(s.m * s.k), w(s.k * s.n), c(s.m * s.n);
      for (double& x : a) x = std::fabs(nd(rng));
      for (double& x : w) x = nd(rng) * std::sqrt(2.0 / s.k);
      num::quantize_scaled(a, num::choose_pow2_scale(a, wa), wa);
      num::quantize_scaled(w, num::choose_pow2_scale(w, wa), wa);
      const std::vector<float> af(a.begin(), a.end()), wf(w.begin(), w.end());
      std::vector<float> cf(s.m * s.n);
      const double macs = static_cast<double>(s.m * s.k * s.n);
      const double float_rate =
          rate(macs, opt->reps, [&] { float_gemm(af, wf, cf, s.m, s.k, s.n); });
      for (const auto& [name, cfg] : configs) {
        num::StageCounts counts;
        const std::int64_t gm = std::min<std::int64_t>(opt->golden_rows, s.m);
        const double golden = rate(static_cast<double>(gm * s.k * s.n), 1, [&] {
          num::gemm_reference(a.data(), w.data(), c.data(), gm, s.k, s.n, cfg, &counts);
        });
        num::EngineReport report;
        const double fast1 = rate(macs, opt->reps, [&] {
          report = num::gemm(a.data(), w.data(), c.data(), s.m, s.k, s.n, cfg, &counts, {1});
        });
        const double fastn = rate(macs, opt->reps, [&] {
          num::gemm(a.data(), w.data(), c.data(), s.m, s.k, s.n, cfg, &counts, {hw});
        });
        const double plain = rate(macs, opt->reps, [&] {
          num::gemm(a.data(), w.data(), c.data(), s.m, s.k, s.n, cfg, nullptr, {hw});
        });
        fmt::print(
            "{:<26} {:<20} {:>7.1f} M {:>9.2f} G {:>9.2f} G {:>6.2f}x {:>9.2f} G {:>7.2f} G "
            "{:>10}\n",
            s.name, name, golden / 1e6, fast1 / 1e9, fastn / 1e9, fastn / fast1, plain / 1e9,
            float_rate / 1e9, report.isa);
        out.push_back({{"shape", s.name},
                       {"config", name},
                       {"golden_macs", golden},
                       {"fast_1thread_macs", fast1},
                       {"fast_all_threads_macs", fastn},
                       {"thread_scaling", fastn / fast1},
                       {"fast_all_threads_no_events_macs", plain},
                       {"float32_macs", float_rate},
                       {"path", report.isa},
                       {"threads", hw}});
      }
    }
    const std::optional<double> others = load.others_share();
    fmt::print(
        "MAC/s: golden in M, others in G. Golden timed on {} rows of A; the fast engine "
        "counts events except in 'no events' (all threads); scaling is fast {} thr / fast 1 "
        "thr; float32 is a plain single-thread loop.\n",
        opt->golden_rows, hw);
    // What the hardware threads give to independent compute, and what else ran meanwhile.
    const LoadMeter probe_load;
    const double probe1 = compute_probe_gadds(1), proben = compute_probe_gadds(hw);
    const std::optional<double> probe_others = probe_load.others_share();
    fmt::print(
        "Core probe (independent vector adds, no memory): 1 thread {:.1f} G adds/s, {} "
        "threads {:.1f} G adds/s: {:.2f}x\n",
        probe1, hw, proben, proben / probe1);
    if (others)
      fmt::print(
          "Other processes took {:.0f}% of the machine's CPU time during the GEMM figures "
          "({:.0f}% during the probe); figures are clean only near 0%.\n",
          100 * *others, 100 * probe_others.value_or(0));
    if (opt->torch) {
      fmt::print("\nPyTorch per-k emulation (python3 -m lba.bench_torch):\n");
      const int rc = run_tool(python_module("lba.bench_torch", {}));
      if (rc != 0)
        fmt::print(stderr, "lbasim bench: the PyTorch emulation failed (status {})\n", rc);
    }
    if (!opt->json.empty()) {
      nlohmann::json machine{{"core_probe_1thread_gadds", probe1},
                             {"core_probe_all_threads_gadds", proben}};
      if (others) machine["others_cpu_share"] = *others;
      write_json_file(opt->json, {{"rows", out}, {"machine", machine}});
    }
  });
}

}  // namespace lbasim::cli
