// lbasim bench-array: speed of the SystemC array model in PE-cycles per second (values on).
#include <fmt/core.h>
#include <time.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "array_driver.h"
#include "commands.h"
#include "gemm_inputs.h"
#include "lbasim/numerics/format.h"
#include "lbasim/systemc/random_operands.h"
#include "lbasim/systemc/run_gemm.h"
#include "rtl_models.h"

namespace lbasim::cli {
namespace {

// CPU time of this thread: the machine may be shared, the model runs on one core.
double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

}  // namespace

void add_bench_array_command(CLI::App& app) {
  struct Options {
    std::vector<std::string> arrays{"16x16", "32x32"};
    std::vector<std::string> ariths{"fast", "golden"};
    std::string dataflow = "ws";
    std::string buffering = "double";
    std::string pe = "fmaq";
    std::string config;  // empty: the paper's formats
    std::int64_t m = 256, k = 256, n = 256;
    int repeat = 3;
    bool rtl = false;
    std::string rtl_array = "4x4";
  };
  auto opt = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("bench-array",
                                 "Benchmark the SystemC array model: PE-cycles/s on one core");
  cmd->add_option("--array", opt->arrays, "Array shapes ROWSxCOLS")->capture_default_str();
  cmd->add_option("--arith", opt->ariths, "PE arithmetics to time: fast, golden")
      ->capture_default_str();
  cmd->add_option("--dataflow", opt->dataflow, "ws or os")->capture_default_str();
  cmd->add_option("--buffering", opt->buffering, "single or double")->capture_default_str();
  cmd->add_option("--pe", opt->pe,
                  "PE kind: fmaq (the chain) or fused (g-term dot products; needs a fused "
                  "--config, e.g. configs/gpu/hopper_fp8.json)")
      ->capture_default_str();
  cmd->add_option("--config", opt->config,
                  "Accumulation config JSON (e.g. configs/bf16.json); default: the paper's "
                  "(M7E4b12 products, M7E4b10 accumulator, chunk 16)");
  cmd->add_option("--m", opt->m, "GEMM M")->capture_default_str()->check(CLI::PositiveNumber);
  cmd->add_option("--k", opt->k, "GEMM K")->capture_default_str()->check(CLI::PositiveNumber);
  cmd->add_option("--n", opt->n, "GEMM N")->capture_default_str()->check(CLI::PositiveNumber);
  cmd->add_option("--repeat", opt->repeat, "Runs per array (best is reported)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_flag("--rtl", opt->rtl,
                "Also time the Verilated RTL array of --dataflow, --pe and --rtl-array (the "
                "paper's formats, or the fused model fused4x4 of `lbasim cosim --pe fused`, ws) on "
                "the same GEMM, against the SystemC model of that array in each --arith");
  cmd->add_option("--rtl-array", opt->rtl_array,
                  "Shape of the --rtl array: 4x4, or 8x8 and 16x16 (ws, --pe fmaq) in a build "
                  "configured with -DLBASIM_RTL_BENCH_ARRAYS=ON")
      ->capture_default_str();
  cmd->callback([opt] {
    num::AccumConfig cfg;
    cfg.product = num::parse_format("M7E4b12");
    cfg.accumulator = num::parse_format("M7E4b10");
    cfg.chunk_accumulator = cfg.accumulator;
    cfg.chunk = 16;
    if (!opt->config.empty()) cfg = read_accum_config(opt->config);
    std::vector<sysc::PeArith> ariths;
    for (const std::string& name : opt->ariths)
      ariths.push_back(sysc::parse_pe_arith(name, "--arith"));
    // The RTL model is chosen before any timing, so a shape this build lacks fails at once.
    rtl::ArrayDutFactory rtl_model = nullptr;
    if (opt->rtl) {
      const sysc::ArrayConfig shape = sysc::parse_array_shape(opt->rtl_array, "--rtl-array");
      rtl_model = rtl_bench_array_model(shape.rows, shape.cols,
                                        sysc::parse_dataflow(opt->dataflow, "--dataflow"),
                                        sysc::parse_pe_kind(opt->pe, "--pe"));
    }
    const num::Format wa = num::parse_format("M4E3");
    const std::vector<double> a = sysc::random_operand(opt->m * opt->k, wa, 1);
    const std::vector<double> w = sysc::random_operand(opt->k * opt->n, wa, 2);
    std::vector<double> c(opt->m * opt->n);
    for (const std::string& shape : opt->arrays)
      for (const sysc::PeArith arith : ariths) {
        sysc::ArrayConfig ac = sysc::parse_array_shape(shape, "--array");
        ac.dataflow = sysc::parse_dataflow(opt->dataflow, "--dataflow");
        ac.buffering = sysc::parse_buffering(opt->buffering, "--buffering");
        ac.pe = sysc::parse_pe_kind(opt->pe, "--pe");
        ac.arith = arith;
        double best = 1e300, best_wall = 1e300;
        sysc::ArrayStats st;
        for (int i = 0; i < opt->repeat; ++i) {
          const auto t0 = std::chrono::steady_clock::now();
          const double c0 = thread_cpu_seconds();
          st = sysc::run_gemm({a.data(), w.data(), c.data(), opt->m, opt->k, opt->n}, ac, cfg);
          best = std::min(best, thread_cpu_seconds() - c0);
          const std::chrono::duration<double> dt = std::chrono::steady_clock::now() - t0;
          best_wall = std::min(best_wall, dt.count());
        }
        const double pe_cycles = static_cast<double>(st.total_cycles) * ac.rows * ac.cols;
        fmt::print(
            "{:>7} {} {} {} {:<6} GEMM {},{},{}: {} cycles in {:.3f} s CPU ({:.3f} s wall) = "
            "{:.2f} "
            "M PE-cycles/s, {:.2f} M MACs/s, {:.0f} k cycles/s (utilization {:.3f}; wall: {:.2f} "
            "M PE-cycles/s; PEs ran {})\n",
            shape, opt->dataflow, opt->buffering, opt->pe, sysc::to_string(arith), opt->m, opt->k,
            opt->n, st.total_cycles, best, best_wall, pe_cycles / best / 1e6,
            static_cast<double>(st.macs) / best / 1e6,
            static_cast<double>(st.total_cycles) / best / 1e3, st.utilization(),
            pe_cycles / best_wall / 1e6, st.arith);
      }
    if (rtl_model) {
      const sysc::PeKind pe = sysc::parse_pe_kind(opt->pe, "--pe");
      std::unique_ptr<rtl::ArrayDut> dut = rtl_model();
      const rtl::ArrayParams& p = dut->params();
      const std::vector<double> ra = sysc::random_operand(opt->m * opt->k, p.a, 1);
      const std::vector<double> rw = sysc::random_operand(opt->k * opt->n, p.w, 2);
      num::AccumConfig rcfg{p.product, p.accumulator, p.chunk_accumulator, 16, p.fused};
      const num::OperandFloors floors = p.floors();  // as the RTL decodes subnormal codes
      const double c0 = thread_cpu_seconds();
      std::unique_ptr<rtl::ArrayDriver> driver =
          rtl::make_array_driver(*dut, {ra.data(), rw.data(), opt->m, opt->k, opt->n, rcfg, {}});
      while (!driver->done()) driver->step();
      const double rtl_cpu = thread_cpu_seconds() - c0;
      const double pe_cycles = static_cast<double>(driver->cycles()) * p.rows * p.cols;
      fmt::print(
          "RTL {}x{} {} PE {} (Verilated, with its driver): {} cycles, {:.2f} M PE-cycles/s CPU\n",
          p.rows, p.cols, sysc::to_string(p.dataflow), sysc::to_string(pe), driver->cycles(),
          pe_cycles / rtl_cpu / 1e6);
      for (const sysc::PeArith arith : ariths) {
        sysc::ArrayConfig same{p.rows, p.cols, p.dataflow};
        same.buffering = sysc::Buffering::single;  // as the RTL array
        same.arith = arith;
        same.pe = pe;
        const double s0 = thread_cpu_seconds();
        sysc::ArrayStats st = sysc::run_gemm(
            {ra.data(), rw.data(), c.data(), opt->m, opt->k, opt->n, {}, floors}, same, rcfg);
        const double sc_cpu = thread_cpu_seconds() - s0;
        fmt::print(
            "  SystemC model same array, {}: {} cycles, {:.2f} M PE-cycles/s CPU ({:.1f}x the "
            "RTL)\n",
            sysc::to_string(arith), st.total_cycles,
            static_cast<double>(st.total_cycles) * p.rows * p.cols / sc_cpu / 1e6,
            rtl_cpu / sc_cpu);
      }
    }
  });
}

}  // namespace lbasim::cli
