// lbasim replay: one conv/linear layer of a trace on its captured input, under a config.
#include <fmt/core.h>

#include <cmath>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "commands.h"
#include "io_util.h"
#include "lbasim/base/error.h"
#include "lbasim/traces/evaluate.h"
#include "lbasim/traces/lowering.h"
#include "trace_options.h"

namespace lbasim::cli {
namespace {

struct ReplayOptions {
  std::string trace, layer, out;
  TraceGemmOptions gemm;
};

void replay(const ReplayOptions& o) {
  const traces::GemmSettings settings = trace_gemm_settings(o.gemm);
  const traces::Trace trace = traces::read_trace(o.trace);
  const traces::Op& op = trace.layer(o.layer);
  const auto cap = trace.captures.find(op.name);
  if (cap == trace.captures.end())
    throw InputError(fmt::format("{}: field 'activations.layers': no capture of layer '{}'",
                                 (trace.dir / "manifest.json").string(), op.name));
  std::size_t index = 0;
  const traces::GraphRunner runner(trace, settings);
  while (runner.gemm_layers()[index] != &op) ++index;
  traces::GemmSettings ref_settings;
  ref_settings.reference = true;
  const traces::GraphRunner reference(trace, ref_settings);

  const traces::Tensor x{cap->second.input_shape, cap->second.input};
  const traces::Tensor b{cap->second.input_b_shape, cap->second.input_b};  // matmul's B
  std::vector<const traces::Tensor*> in{&x};
  if (op.kind == traces::OpKind::matmul) in.push_back(&b);
  traces::LayerEvents events;
  const traces::Tensor y = runner.run_layer(index, in, &events);
  const traces::Tensor r = reference.run_layer(index, in, nullptr);
  events.weight_quant += runner.weight_quant_events()[index];
  traces::ErrorStats vs_captured, vs_reference, reference_vs_captured;
  vs_captured.add(y.data, cap->second.output);
  vs_reference.add(y.data, r.data);
  reference_vs_captured.add(r.data, cap->second.output);
  const std::int64_t samples = x.batch();
  const std::int64_t macs = op.macs_per_image() * samples;

  const auto db = [](double v) {
    return std::isinf(v) ? std::string("exact") : fmt::format("{:.2f}", v);
  };
  fmt::print("layer {} ({}) of {}: {} captured samples, K {}, N {}, groups {}, {} MACs, W/A {}\n",
             op.name, traces::to_string(op.kind), trace.name, samples, op.gemm_k(), op.gemm_n(),
             op.groups, macs, settings.wa_quant ? "per manifest" : "none");
  fmt::print("config {}: {}\n", o.gemm.config, describe(settings.config));
  fmt::print("vs captured FP32 output: SQNR {} dB, max rel error {:.3e}\n",
             db(vs_captured.sqnr_db()), vs_captured.max_rel_error());
  fmt::print("vs float64 on the same input: SQNR {} dB, max rel error {:.3e}\n",
             db(vs_reference.sqnr_db()), vs_reference.max_rel_error());
  const auto& e = events.gemm;
  const bool fused = settings.config.fused.has_value();  // one more column: align_inexact
  fmt::print("{:<18} {:>12} {:>10} {:>10} {:>10} {:>12}{}\n", "stage", "ops", "overflow",
             "underflow", "swamped", "inexact",
             fused ? fmt::format(" {:>14}", "align_inexact") : "");
  const auto row = [fused](const char* name, const num::EventCounts& c) {
    fmt::print("{:<18} {:>12} {:>10} {:>10} {:>10} {:>12}{}\n", name, c.ops, c.overflow,
               c.underflow, c.swamped, c.inexact,
               fused ? fmt::format(" {:>14}", c.align_inexact) : "");
  };
  row("product", e.product);
  row("accumulator", e.accumulator);
  row("chunk accumulator", e.chunk);
  row("W/A: activations", events.input_quant);
  row("W/A: weights", events.weight_quant);
  if (!o.out.empty()) {
    traces::LayerReport lr;
    lr.op = &op;
    lr.macs = macs;
    lr.error = vs_reference;
    lr.events = events;
    nlohmann::json j = traces::layer_to_json(lr);
    j["trace"] = trace.dir.string();
    j["config_file"] = o.gemm.config;
    j["config"] = num::to_json(settings.config);
    j["wa"] = o.gemm.wa;
    j["samples"] = samples;
    j["error_vs_captured"] = traces::to_json(vs_captured);
    j["float64_vs_captured"] = traces::to_json(reference_vs_captured);
    write_json_file(o.out, j);
  }
}

}  // namespace

void add_replay_command(CLI::App& app) {
  auto opt = std::make_shared<ReplayOptions>();
  auto* cmd = app.add_subcommand(
      "replay", "Replay one conv/linear layer of a trace on its captured input under a config");
  cmd->add_option("--trace,-t", opt->trace, "Trace folder")->required();
  cmd->add_option("--layer,-l", opt->layer, "Layer name (a conv2d/linear op of the graph)")
      ->required();
  add_trace_gemm_options(cmd, opt->gemm);
  cmd->add_option("--out,-o", opt->out, "Write the result as JSON here");
  cmd->footer("Exit status: 0 ok, 1 bad input, 2 usage.");
  cmd->callback([opt] { replay(*opt); });
}

}  // namespace lbasim::cli
