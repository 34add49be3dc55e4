// Energy and power of one inference on the array (docs/cost.md): the PE array from the power
// table (MAC-cycle and idle-cycle energy, leakage), the on-chip buffers and DRAM from the memory
// model (docs/memory.md), per layer, at one clock.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <utility>
#include <vector>

#include "lbasim/cost/power_table.h"
#include "lbasim/memory/network.h"
#include "lbasim/memory/sram_energy.h"
#include "lbasim/memory/traffic.h"
#include "lbasim/numerics/accumulate.h"
#include "lbasim/systemc/array_stats.h"

namespace lbasim::cost {

struct LayerCost {
  std::string name;
  std::uint64_t cycles = 0, macs = 0;
  double pe_pj = 0, sram_pj = 0, dram_pj = 0;
  double total_pj() const { return pe_pj + sram_pj + dram_pj; }
};

struct InferenceCost {
  double clock_mhz = 0;
  std::vector<LayerCost> layers;
  LayerCost total;           // sums; total.name = "total"
  double other_dram_pj = 0;  // DRAM bytes of non-GEMM ops (in total.dram_pj)
  double seconds() const;    // total cycles / clock
  double average_power_mw() const;
  double inferences_per_s() const;
  double tops_per_w() const;  // 2 ops per MAC
};

// Bytes per word of the buffers: W/A operands, and the output buffer's partial-pair words.
struct WordBytes {
  double act = 1, weight = 1, out = 4;
};

// The PE array's energy per layer: busy PE-cycles (ArrayStats::pe_steps: MACs of an FMAq array,
// steps of G MACs of a fused one) at the row's MAC-cycle energy, the other PE-cycles at its
// idle energy, leakage over the layer's time; TOPS/W counts MACs.
// `layers` are the array's GEMMs of one inference in execution order (names "op" or "op/gK"
// for groups); `traffic` the memory model's plan for the same network. Throws InputError if a
// clock is not > 0 or a layer has no traffic entry.
InferenceCost inference_cost(const std::vector<sysc::LayerRun>& layers, const PowerRow& pe,
                             double clock_mhz, const memory::NetworkTraffic& traffic,
                             const memory::MemoryCosts& mem, const WordBytes& bytes);

// One inference on `array` as the sweep and `lbasim run --array` cost it: the memory model's
// plan for the network (output-buffer words: the accumulator and chunk-accumulator codes of
// `cfg`, whole bytes each; W/A operands 1 byte) and inference_cost at the clock.
struct ArrayInference {
  memory::NetworkTraffic traffic;
  InferenceCost cost;
};
ArrayInference array_inference_cost(const std::vector<sysc::LayerRun>& layers,
                                    const sysc::ArrayConfig& array, const num::AccumConfig& cfg,
                                    const PowerRow& pe, double clock_mhz,
                                    const memory::Network& network,
                                    const memory::BufferConfig& buffers,
                                    const memory::MemoryCosts& mem);

nlohmann::json to_json(const LayerCost& l);
nlohmann::json to_json(const InferenceCost& c);

}  // namespace lbasim::cost
