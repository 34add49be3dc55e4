// lbasim run: a network under an accumulation config. Mode --trace: every image of a trace
// through the graph, against the FP32 reference. (Other modes, e.g. --gemm, add their own
// option group and branch in the callback.)
#include <fmt/core.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "commands.h"
#include "io_util.h"
#include "lbasim/base/error.h"
#include "lbasim/base/npy.h"
#include "lbasim/numerics/format.h"
#include "lbasim/systemc/dataflow.h"
#include "lbasim/traces/evaluate.h"
#include "lbasim/traces/lowering.h"
#include "run_array.h"
#include "trace_options.h"

namespace lbasim::cli {
namespace {

struct RunOptions {
  std::string trace, out, dump_output;
  std::int64_t limit = 0;
  int threads = 2;
  bool quiet = false;
  TraceGemmOptions gemm;
  RunArrayOptions array;
};

void print_progress(std::int64_t done, std::int64_t total) {
  static bool tty = isatty(fileno(stderr));
  static int last_decile = -1;
  if (tty) {
    const int width = 30;
    const int filled = total ? static_cast<int>(width * done / total) : width;
    fmt::print(stderr, "\r[{}{}] {}/{} images", std::string(filled, '#'),
               std::string(width - filled, '.'), done, total);
    if (done == total) fmt::print(stderr, "\n");
  } else {
    const int decile = total ? static_cast<int>(10 * done / total) : 10;
    if (decile != last_decile) fmt::print(stderr, "{}/{} images\n", done, total);
    last_decile = decile;
  }
}

std::string db(double v) { return std::isinf(v) ? "exact" : fmt::format("{:.1f}", v); }

void print_report(const traces::Trace& t, const traces::GemmSettings& s, const RunOptions& o,
                  const traces::RunReport& r) {
  fmt::print("trace {} ({}), {} of {} images, W/A {}\n", t.name, t.dir.string(), r.images, t.count,
             s.wa_quant ? "per manifest" : "none");
  fmt::print("config {}: {}\n\n", o.gemm.config, describe(s.config));
  if (r.has_labels)
    fmt::print(
        "top-1: this config {:.4f} | FP32 reference {:.4f} | exported {:.4f} | "
        "agreement with FP32 {:.4f}\n\n",
        r.top1(), r.reference_top1(), r.has_exported ? r.exported_top1() : 0.0, r.agreement());
  else  // a version-2 trace without labels: outputs of any shape
    fmt::print("top-1: n/a (no labels); max |output - FP32 reference output| {:.3e}\n\n",
               r.max_diff_reference);
  fmt::print("{:<18} {:>5} {:>4} {:>7} {:>8} {:>9}  {:>17}  {:>17}  {:>17}\n", "layer", "K", "N",
             "MACs", "SQNR dB", "max rel", "overflow p/a/c", "underflow p/a/c", "swamped a/c");
  for (const auto& l : r.layers) {
    const auto& e = l.events.gemm;
    fmt::print(
        "{:<18} {:>5} {:>4} {:>7} {:>8} {:>9.2e}  {:>17}  {:>17}  {:>17}\n", l.op->name,
        l.op->gemm_k(), l.op->gemm_n(), short_count(l.macs), db(l.error.sqnr_db()),
        l.error.max_rel_error(),
        fmt::format("{}/{}/{}", short_count(e.product.overflow),
                    short_count(e.accumulator.overflow), short_count(e.chunk.overflow)),
        fmt::format("{}/{}/{}", short_count(e.product.underflow),
                    short_count(e.accumulator.underflow), short_count(e.chunk.underflow)),
        fmt::format("{}/{}", short_count(e.accumulator.swamped), short_count(e.chunk.swamped)));
  }
  fmt::print(
      "\nMACs {} ({} per image). SQNR and max rel error compare each layer's output with "
      "the FP32 reference network's (docs/traces.md).\n",
      short_count(static_cast<std::uint64_t>(r.macs())),
      r.images ? short_count(static_cast<std::uint64_t>(r.macs() / r.images)) : "0");
}

nlohmann::json report_json(const traces::Trace& t, const traces::GemmSettings& s,
                           const RunOptions& o, const traces::RunReport& r) {
  nlohmann::json layers = nlohmann::json::array();
  for (const auto& l : r.layers) layers.push_back(traces::layer_to_json(l));
  const auto or_null = [&](bool ok, double v) { return ok ? nlohmann::json(v) : nlohmann::json(); };
  return {{"trace", t.dir.string()},
          {"network", t.name},
          {"config_file", o.gemm.config},
          {"config", num::to_json(s.config)},
          {"wa", o.gemm.wa},
          {"engine", o.gemm.engine},
          {"images", r.images},
          {"top1", or_null(r.has_labels, r.top1())},
          {"fp32_reference_top1", or_null(r.has_labels, r.reference_top1())},
          {"exported_reference_top1", or_null(r.has_labels && r.has_exported, r.exported_top1())},
          {"agreement_with_fp32", or_null(r.classes > 0, r.agreement())},
          {"max_abs_logit_diff_vs_exported", or_null(r.has_exported, r.max_logit_diff_exported)},
          {"max_abs_diff_vs_fp32_reference", r.max_diff_reference},
          {"macs", r.macs()},
          {"macs_per_image", r.images ? r.macs() / r.images : 0},
          {"events", num::to_json(r.total_events())},
          {"layers", layers}};
}

void run_trace_mode(const RunOptions& o) {
  const traces::GemmSettings settings = trace_gemm_settings(o.gemm);
  if (o.array.enabled) {  // bad array options fail before any work
    sysc::make_dataflow(array_config(o.array.hw), settings.config);  // PE kind vs config too
    parse_dram_operands(o.array.dram, "--dram", num::parse_format("fp32"), settings.config);
    buffer_config(o.array);
  }
  const traces::Trace trace = traces::read_trace(o.trace);
  if (o.limit < 0) throw InputError(fmt::format("--limit {}: expected >= 0", o.limit));
  traces::EvalOptions eval;
  eval.limit = o.limit;
  eval.threads = o.threads;
  if (!o.quiet) eval.progress = print_progress;
  const traces::RunReport report = traces::evaluate(trace, settings, eval);
  print_report(trace, settings, o, report);
  nlohmann::json out = report_json(trace, settings, o, report);
  if (o.array.enabled) out["array"] = run_trace_on_array(trace, settings, o.array);
  if (!o.out.empty()) write_json_file(o.out, out);
  if (!o.dump_output.empty()) {  // this config's network output [images, output shape...]
    const std::vector<float> out(report.logits.begin(), report.logits.end());
    npy::write_f32(o.dump_output, traces::batch_shape(report.images, trace.output_shape),
                   out.data());
  }
}

}  // namespace

void add_run_command(CLI::App& app) {
  auto opt = std::make_shared<RunOptions>();
  auto* cmd = app.add_subcommand("run", "Run a network (a trace) under an accumulation config");
  cmd->add_option("--trace,-t", opt->trace, "Trace folder (manifest.json + .npy files)")
      ->required()
      ->group("Trace mode");
  add_trace_gemm_options(cmd, opt->gemm);
  add_run_array_options(*cmd, opt->array);
  cmd->add_option("--out,-o", opt->out, "Write the report as JSON here");
  cmd->add_option("--limit,-n", opt->limit, "Evaluate only the first N images (0: all)");
  cmd->add_option("--threads,-j", opt->threads, "Worker threads (images in parallel)")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  cmd->add_flag("--quiet,-q", opt->quiet, "No progress indicator on stderr");
  cmd->add_option("--dump-output", opt->dump_output,
                  "Write this config's network output as float32 .npy [images, output shape...]");
  cmd->footer(
      "GEMM mode: lbasim run --gemm M,K,N --array RxC --dataflow ws|os ... is `lbasim array` "
      "(see lbasim array --help).\n"
      "With --array, one inference (sample 0 of the trace's captured layer inputs) also runs on "
      "the SystemC array: per-layer cycles (full, fill/drain, weight load or drain, memory "
      "stall), utilization and latency at --clock-mhz (docs/systolic.md), and its energy (PE "
      "array, SRAM, DRAM per layer), average power and TOPS/W at that clock, from the power "
      "table's row for --config (docs/cost.md).\n"
      "Prints top-1 of this config, of the FP32 reference and of the exported PyTorch logits, "
      "agreement with FP32, per-layer SQNR, max relative error and events (docs/traces.md).\n"
      "Exit status: 0 ok, 1 bad input, 2 usage.");
  cmd->callback([opt] { run_trace_mode(*opt); });
}

}  // namespace lbasim::cli
