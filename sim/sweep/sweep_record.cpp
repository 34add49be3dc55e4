#include "sweep_record.h"

#include <nlohmann/json.hpp>

#include "lbasim/cost/inference_cost.h"
#include "sweep_plan.h"

namespace lbasim::sweep {

nlohmann::json make_record(const RecordContext& ctx, const Point& p, const cost::PowerRow& row,
                           const traces::RunReport& acc,
                           const std::vector<sysc::LayerRun>& layers) {
  const num::AccumConfig cfg = point_config(row, p.chunk);
  const int acc_bits = cfg.accumulator.width();
  const sysc::ArrayStats total = sysc::inference_total(layers);
  const std::uint64_t cycles = total.total_cycles, compute = total.compute_cycles,
                      macs = total.macs,
                      pe_cycles =
                          cycles * static_cast<std::uint64_t>(total.array.rows * total.array.cols);
  sysc::ArrayConfig array = sysc::parse_array_shape(p.array, "arrays");
  array.dataflow = sysc::parse_dataflow(p.dataflow, "dataflows");  // OS: no partial pairs
  const auto [traffic, e] = cost::array_inference_cost(layers, array, cfg, row, ctx.clock_mhz,
                                                       ctx.network, ctx.buffers, ctx.mem);
  nlohmann::json layer_json = nlohmann::json::array();
  for (const auto& l : acc.layers) layer_json.push_back(traces::layer_to_json(l));
  nlohmann::json energy_layers = nlohmann::json::array();
  for (const auto& l : e.layers)
    energy_layers.push_back(
        {{"name", l.name},
         {"energy",
          {{"pe", l.pe_pj}, {"sram", l.sram_pj}, {"dram", l.dram_pj}, {"total", l.total_pj()}}}});
  const double sram_um2 = ctx.mem.sram_area_um2(ctx.buffers.activation_bytes()) +
                          ctx.mem.sram_area_um2(ctx.buffers.weight_bytes()) +
                          ctx.mem.sram_area_um2(ctx.buffers.output_bytes());
  return {
      {"id", p.id()},
      {"lbasim_version", LBASIM_VERSION},
      {"limit", ctx.limit},
      // The absolute trace folder: the same whichever folder the sweep was started from.
      {"trace",
       {{"name", ctx.trace_name}, {"dir", ctx.trace_dir.string()}, {"hash", ctx.trace_hash}}},
      {"point",
       {{"accumulator", p.accumulator},
        {"label", row.label},
        {"product", num::product_to_string(cfg)},
        {"accumulator_format", cfg.accumulator.to_string()},
        {"acc_bits", acc_bits},
        {"chunk", p.chunk},
        {"array", p.array},
        {"dataflow", p.dataflow},
        {"pe", row.variant.pe},
        {"buffering", sweep_buffering()}}},
      {"accuracy",
       {{"top1", acc.top1()},
        {"reference_top1", acc.reference_top1()},
        {"agreement", acc.agreement()},
        {"images", acc.images}}},
      {"layers", layer_json},
      {"cycles",
       {{"total", cycles},
        {"compute", compute},
        {"macs", macs},
        // Busy PE-cycles per PE-cycle (FMAq: MACs; fused: steps of up to G MACs).
        {"utilization",
         pe_cycles ? static_cast<double>(total.pe_steps) / static_cast<double>(pe_cycles) : 0.0}}},
      {"area_um2",
       {{"pe", row.area_um2},
        {"array", row.area_um2 * array.rows * array.cols},
        {"sram", sram_um2}}},
      {"clock_mhz", ctx.clock_mhz},
      {"fmax_mhz", row.fmax_mhz},
      {"power_mw", e.average_power_mw()},
      {"buffers", memory::to_json(ctx.buffers)},
      {"dram_bytes_per_inference", traffic.dram_bytes_per_inference()},
      {"throughput", {{"inferences_per_s", e.inferences_per_s()}, {"tops_per_w", e.tops_per_w()}}},
      {"energy_pj",
       {{"per_inference", e.total.total_pj()},
        {"per_mac", macs ? e.total.total_pj() / static_cast<double>(macs) : 0.0},
        {"breakdown",
         {{"pe", e.total.pe_pj}, {"sram", e.total.sram_pj}, {"dram", e.total.dram_pj}}},
        {"layers", energy_layers}}},
  };
}

}  // namespace lbasim::sweep
