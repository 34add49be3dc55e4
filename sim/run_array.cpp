#include "run_array.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <vector>

#include "lbasim/systemc/inference.h"
#include "lbasim/traces/executor.h"
#include "trace_options.h"

namespace lbasim::cli {

void add_run_array_options(CLI::App& cmd, RunArrayOptions& opt) {
  const std::string group = "Array (one inference on the SystemC array)";
  CLI::Option* array = add_array_options(cmd, opt.hw, group);
  array->each([&opt](const std::string&) { opt.enabled = true; });
  CLI::Option* dram =
      cmd.add_option("--dram", opt.dram,
                     "Operands of every layer through the DRAM port: subset of a,w,c,partials, "
                     "or none")
          ->capture_default_str()
          ->group(group);
  for (CLI::Option* o : cmd.get_options())
    if (o->get_group() == group && o != array) o->needs(array);
  (void)dram;
}

nlohmann::json run_trace_on_array(const traces::Trace& trace, const traces::GemmSettings& s,
                                  const RunArrayOptions& opt) {
  const sysc::ArrayConfig ac = array_config(opt.hw);
  const traces::GraphRunner runner(trace, s);
  // The same operands of every layer through DRAM, in each layer's W/A formats (4 bytes for
  // an unquantized operand).
  std::vector<sysc::GemmDram> dram;
  for (const traces::Op* op : runner.gemm_layers()) {
    const bool q = s.wa_quant && op->quant;
    sysc::GemmDram d = parse_dram_operands(opt.dram, "--dram", num::parse_format("fp32"), s.config);
    if (q) d.a_bytes = format_bytes(op->quant->input.format);
    if (q) d.w_bytes = format_bytes(op->quant->weight.format);
    dram.push_back(d);
  }
  const std::vector<sysc::LayerRun> layers =
      sysc::simulate_inference(trace, runner, ac, s.config, dram);
  const sysc::ArrayStats total = sysc::inference_total(layers);
  const double mhz = opt.hw.clock_mhz;
  const bool ws = ac.dataflow == sysc::DataflowKind::ws;

  fmt::print(
      "\narray {}x{} {}, {} buffered, {} PEs, DRAM {} B/cycle ({}), clock {} MHz: one inference "
      "= sample 0 of the trace's captured layer inputs\n",
      ac.rows, ac.cols, sysc::to_string(ac.dataflow), sysc::to_string(ac.buffering),
      sysc::to_string(ac.pe), opt.hw.dram_bw, opt.dram, mhz);
  fmt::print("{:<18} {:>6} {:>5} {:>4} {:>9} {:>9} {:>10} {:>7} {:>9} {:>6} {:>10}\n", "layer", "M",
             "K", "N", "cycles", "full", "fill/drain", ws ? "load" : "drain", "mem stall", "util",
             "latency us");
  const auto row = [&](const std::string& name, const sysc::ArrayStats& st, bool shape) {
    fmt::print("{:<18} {:>6} {:>5} {:>4} {:>9} {:>9} {:>10} {:>7} {:>9} {:>6.3f} {:>10.2f}\n", name,
               shape ? std::to_string(st.m) : "", shape ? std::to_string(st.k) : "",
               shape ? std::to_string(st.n) : "", st.total_cycles, st.full_cycles,
               st.fill_drain_cycles, st.stall_cycles, st.memory_stall_cycles, st.utilization(),
               static_cast<double>(st.total_cycles) / mhz);
  };
  for (const sysc::LayerRun& l : layers) row(l.name, l.stats, true);
  row("inference", total, false);
  fmt::print("{} MACs; latency {:.2f} us at {} MHz ({:.0f} inferences/s, one at a time)\n",
             short_count(total.macs), static_cast<double>(total.total_cycles) / mhz, mhz,
             total.total_cycles ? mhz * 1e6 / static_cast<double>(total.total_cycles) : 0.0);

  nlohmann::json total_json = sysc::to_json(sysc::LayerRun{"inference", total}, mhz);
  total_json.erase("gemm");
  nlohmann::json jl = nlohmann::json::array();
  for (const sysc::LayerRun& l : layers) jl.push_back(sysc::to_json(l, mhz));
  return {{"array", sysc::to_json(ac)},
          {"dram", opt.dram},
          {"clock_mhz", mhz},
          {"inference", "sample 0 of the trace's captured layer inputs"},
          {"layers", jl},
          {"total", total_json}};
}

}  // namespace lbasim::cli
