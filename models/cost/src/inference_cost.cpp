#include "lbasim/cost/inference_cost.h"

#include <fmt/format.h>

#include <cmath>
#include <map>
#include <nlohmann/json.hpp>

#include "lbasim/base/error.h"

namespace lbasim::cost {

double InferenceCost::seconds() const {
  return static_cast<double>(total.cycles) / (clock_mhz * 1e6);
}
double InferenceCost::average_power_mw() const { return total.total_pj() * 1e-9 / seconds(); }
double InferenceCost::inferences_per_s() const { return 1 / seconds(); }
double InferenceCost::tops_per_w() const {
  return 2.0 * static_cast<double>(total.macs) / (total.total_pj() * 1e-12) / 1e12;
}

InferenceCost inference_cost(const std::vector<sysc::LayerRun>& layers, const PowerRow& pe,
                             double clock_mhz, const memory::NetworkTraffic& traffic,
                             const memory::MemoryCosts& mem, const WordBytes& bytes) {
  if (!std::isfinite(clock_mhz) || clock_mhz <= 0)
    throw InputError(fmt::format("clock {} MHz: expected > 0", clock_mhz));
  std::map<std::string, const memory::GemmTraffic*> by_name;
  for (const auto& g : traffic.gemms) by_name[g.name] = &g;
  const auto& b = traffic.buffers;
  const double act_pj = mem.sram_pj_per_byte(b.activation_bytes());
  const double w_pj = mem.sram_pj_per_byte(b.weight_bytes());
  const double out_pj = mem.sram_pj_per_byte(b.output_bytes());
  InferenceCost c;
  c.clock_mhz = clock_mhz;
  c.total.name = "total";
  for (const auto& [name, st] : layers) {
    const std::string op = name.substr(0, name.find("/g"));
    const auto it = by_name.find(op);
    if (it == by_name.end())
      throw InputError(fmt::format("layer '{}': no memory traffic for GEMM '{}'", name, op));
    const bool first_group = name == op || name.ends_with("/g0");
    LayerCost l;
    l.name = name;
    l.cycles = st.total_cycles;
    l.macs = st.macs;
    const double pe_cycles = static_cast<double>(st.total_cycles) * st.array.rows * st.array.cols;
    // Busy PE-cycles: one MAC (FMAq) or one step of up to G MACs (fused PE), each at the row's
    // MAC-cycle energy (a fused row's cycle is a step of G terms, short groups included).
    const double busy = static_cast<double>(st.pe_steps);
    l.pe_pj = busy * pe.mac_pj() + (pe_cycles - busy) * pe.idle_pj +
              pe.leakage_mw * 1e-3 * pe_cycles / (clock_mhz * 1e6) * 1e12;
    // SRAM: what the array reads (activations, weights), the output buffer's traffic, and the
    // layer's output written into the activation buffer once.
    const double out_words = static_cast<double>(st.m * st.n);
    l.sram_pj =
        static_cast<double>(st.act_buffer.reads) * bytes.act * act_pj +
        static_cast<double>(st.weight_buffer.reads) * bytes.weight * w_pj +
        static_cast<double>(st.out_buffer.reads + st.out_buffer.writes) * bytes.out * out_pj +
        out_words * bytes.act * act_pj;
    if (first_group) {
      const memory::GemmTraffic& g = *it->second;
      l.dram_pj = g.dram_bytes() * mem.dram_pj_per_byte;
      l.sram_pj += g.w_dram_bytes * w_pj;  // non-resident weights written into the buffer
    }
    c.total.cycles += l.cycles;
    c.total.macs += l.macs;
    c.total.pe_pj += l.pe_pj;
    c.total.sram_pj += l.sram_pj;
    c.total.dram_pj += l.dram_pj;
    c.layers.push_back(l);
  }
  c.other_dram_pj = traffic.other_dram_bytes * mem.dram_pj_per_byte;
  c.total.dram_pj += c.other_dram_pj;
  return c;
}

ArrayInference array_inference_cost(const std::vector<sysc::LayerRun>& layers,
                                    const sysc::ArrayConfig& array, const num::AccumConfig& cfg,
                                    const PowerRow& pe, double clock_mhz,
                                    const memory::Network& network,
                                    const memory::BufferConfig& buffers,
                                    const memory::MemoryCosts& mem) {
  // Partial pairs in the output buffer: accumulator + chunk words, whole bytes each.
  const double pair_bytes = static_cast<double>((cfg.accumulator.width() + 7) / 8 +
                                                (cfg.chunk_accumulator.width() + 7) / 8);
  ArrayInference r;
  r.traffic = memory::plan_traffic(
      network, buffers, {array.rows, array.cols, array.dataflow == sysc::DataflowKind::os},
      {pair_bytes});
  r.cost = inference_cost(layers, pe, clock_mhz, r.traffic, mem, {1, 1, pair_bytes / 2});
  return r;
}

nlohmann::json to_json(const LayerCost& l) {
  return {{"name", l.name},          {"cycles", l.cycles},   {"macs", l.macs},
          {"pe_pj", l.pe_pj},        {"sram_pj", l.sram_pj}, {"dram_pj", l.dram_pj},
          {"total_pj", l.total_pj()}};
}

nlohmann::json to_json(const InferenceCost& c) {
  nlohmann::json layers = nlohmann::json::array();
  for (const auto& l : c.layers) layers.push_back(to_json(l));
  return {{"clock_mhz", c.clock_mhz},
          {"total", to_json(c.total)},
          {"other_dram_pj", c.other_dram_pj},
          {"average_power_mw", c.average_power_mw()},
          {"inferences_per_s", c.inferences_per_s()},
          {"tops_per_w", c.tops_per_w()},
          {"layers", layers}};
}

}  // namespace lbasim::cost
