#include "run_array.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <vector>

#include "lbasim/cost/inference_cost.h"
#include "lbasim/cost/power_table.h"
#include "lbasim/memory/buffers.h"
#include "lbasim/memory/network.h"
#include "lbasim/memory/sram_energy.h"
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
  cmd.add_option("--buffers-kib", opt.buffers_kib,
                 "On-chip buffer capacities in KiB, activation,weight,output (each > 0); they set "
                 "what stays resident and so the DRAM and SRAM energy (docs/memory.md)")
      ->capture_default_str()
      ->group(group);
  for (CLI::Option* o : cmd.get_options())
    if (o->get_group() == group && o != array) o->needs(array);
  (void)dram;
}

memory::BufferConfig buffer_config(const RunArrayOptions& opt) {
  return memory::parse_buffers(opt.buffers_kib, "--buffers-kib");
}

namespace {

// Energy and average power of the inference (docs/cost.md "Energy of a run"): the PE array from
// the committed power table's row for cfg's formats, SRAM and DRAM from the memory model with
// the given buffers, at the array's clock; the same cost code as the sweep. null (and a
// note) when no table row has cfg's product, accumulator and chunk-accumulator formats (and a
// fused PE's G and F) for the array's PE kind and chunk lane placement (a 'column' array takes
// the column rows: PE + lane / R).
nlohmann::json inference_energy(const traces::Trace& trace, const sysc::ArrayConfig& ac,
                                const num::AccumConfig& cfg, double mhz,
                                const std::vector<sysc::LayerRun>& layers,
                                const memory::BufferConfig& buffers) {
  const cost::PowerTable table = cost::read_power_table(cost::default_power_table());
  cost::PowerVariant variant;
  variant.chunk_lane = std::string(sysc::to_string(ac.chunk_lane));
  variant.dataflow = std::string(sysc::to_string(ac.dataflow));
  variant.pe = std::string(sysc::to_string(ac.pe));
  const auto find = [&](const cost::PowerVariant& v, std::string* names) {
    const cost::PowerRow* found = nullptr;
    for (const cost::PowerRow& r : table.rows) {
      if (r.variant != v) continue;
      if (names) *names += (names->empty() ? "" : ", ") + r.name;
      if (r.product == num::product_to_string(cfg) &&
          r.accumulator == cfg.accumulator.to_string() &&
          r.chunk_accumulator == cfg.chunk_accumulator.to_string() &&
          (!cfg.fused || (r.terms == cfg.fused->terms && r.align_bits == cfg.fused->align_bits)))
        found = &r;
    }
    return found;
  };
  std::string names;
  const cost::PowerRow* row = find(variant, &names);
  if (!row && variant.dataflow == "os") {
    // Output-stationary rows exist for some formats only: the WS PE's row (the same
    // arithmetic, other registers), said so.
    cost::PowerVariant ws = variant;
    ws.dataflow = "ws";
    row = find(ws, nullptr);
    if (row)
      fmt::print(
          "note: no output-stationary row for these formats; the PE energy is the "
          "weight-stationary PE's ({})\n",
          row->variant.to_string());
  }
  if (!row) {
    fmt::print(
        "no energy: the power table ({}) has no row with product {}, accumulator {}, chunk "
        "accumulator {}{} for the PE {} (its rows: {}; lbasim power --synthesize adds rows)\n",
        cost::default_power_table().string(), num::product_to_string(cfg),
        cfg.accumulator.to_string(), cfg.chunk_accumulator.to_string(),
        cfg.fused
            ? fmt::format(", {} terms, {} align bits", cfg.fused->terms, cfg.fused->align_bits)
            : "",
        variant.to_string(), names.empty() ? "none" : names);
    return nullptr;
  }
  // A 'column' row's lane is shared over this array's rows, not the flow's.
  const cost::PowerRow pe_row = row->for_rows(ac.rows);
  row = &pe_row;
  const auto [traffic, e] =
      cost::array_inference_cost(layers, ac, cfg, *row, mhz, memory::network_from_trace(trace),
                                 buffers, memory::MemoryCosts::at_180nm());
  fmt::print(
      "\nenergy at {} MHz: PE row '{}' ({}) of the power table ({}, fmax {:.1f} MHz{}), buffers "
      "{}/{}/{} KiB (activation/weight/output, docs/memory.md), 180 nm\n",
      mhz, row->name, row->variant.to_string(), row->label, row->fmax_mhz,
      mhz > row->fmax_mhz ? ", clock above fmax" : "", buffers.activation_kib, buffers.weight_kib,
      buffers.output_kib);
  fmt::print("{:<18} {:>10} {:>10} {:>10} {:>10} {:>9}\n", "layer", "PE uJ", "SRAM uJ", "DRAM uJ",
             "total uJ", "avg mW");
  const auto line = [mhz](const cost::LayerCost& l) {
    const double us = static_cast<double>(l.cycles) / mhz;
    fmt::print("{:<18} {:>10.3f} {:>10.3f} {:>10.3f} {:>10.3f} {:>9.2f}\n", l.name, l.pe_pj * 1e-6,
               l.sram_pj * 1e-6, l.dram_pj * 1e-6, l.total_pj() * 1e-6,
               us > 0 ? l.total_pj() * 1e-6 / us * 1e3 : 0.0);
  };
  for (const cost::LayerCost& l : e.layers) line(l);
  cost::LayerCost total = e.total;
  total.name = "inference";
  line(total);
  fmt::print(
      "{:.3f} uJ per inference (DRAM of non-GEMM ops {:.3f} uJ), average {:.2f} mW, "
      "{:.0f} inferences/s, {:.3f} TOPS/W\n",
      e.total.total_pj() * 1e-6, e.other_dram_pj * 1e-6, e.average_power_mw(), e.inferences_per_s(),
      e.tops_per_w());
  nlohmann::json j = cost::to_json(e);
  j["power_row"] = row->name;
  j["power_row_chunk_lane"] = row->variant.chunk_lane;
  j["power_row_dataflow"] = row->variant.dataflow;
  j["power_row_pe"] = row->variant.pe;
  j["fmax_mhz"] = row->fmax_mhz;
  j["clock_above_fmax"] = mhz > row->fmax_mhz;
  j["buffers"] = memory::to_json(buffers);
  j["dram_bytes_per_inference"] = traffic.dram_bytes_per_inference();
  return j;
}

}  // namespace

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

  nlohmann::json out_energy =
      inference_energy(trace, ac, s.config, mhz, layers, buffer_config(opt));

  nlohmann::json total_json = sysc::to_json(sysc::LayerRun{"inference", total}, mhz);
  total_json.erase("gemm");
  nlohmann::json jl = nlohmann::json::array();
  for (const sysc::LayerRun& l : layers) jl.push_back(sysc::to_json(l, mhz));
  return {{"array", sysc::to_json(ac)},
          {"dram", opt.dram},
          {"clock_mhz", mhz},
          {"inference", "sample 0 of the trace's captured layer inputs"},
          {"layers", jl},
          {"total", total_json},
          {"energy", out_energy}};
}

}  // namespace lbasim::cli
