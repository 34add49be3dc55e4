// Energy of a workload from per-action energies and activity counts (docs/cost.md).
#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <utility>
#include <vector>

namespace lbasim::cost {

// Energy in pJ of each PE action of one accumulator configuration, at 45 nm. Derived from
// the synthesized PE's switching activity (tools/area/energy_table.py).
struct ActionEnergies {
  double multiply = 0;          // FP8 significand product and exponent sum
  double product_round = 0;     // rounding the exact product into the product format
  double accumulate = 0;        // accumulator adder: align, add, normalize, round
  double chunk_add = 0;         // chunk-accumulator add
  double reg_write = 0;         // one PE register word written (clock included)
  double zero_mac_gated = 0;    // a MAC with a zero operand when the datapath is gated
  double zero_mac_ungated = 0;  // the same MAC when nothing is gated

  // A MAC with non-zero operands: multiply + product rounding + accumulate.
  double mac() const { return multiply + product_round + accumulate; }
};

// On-chip SRAM and DRAM energy per byte. SRAM energy grows with the array size: interpolated
// (log-log) between anchors (size in bytes, pJ per byte), flat below the first anchor and
// extrapolated with the last slope above the last one.
struct MemoryEnergy {
  std::vector<std::pair<double, double>> sram_pj_per_byte;  // ascending sizes
  double dram_pj_per_byte = 0;

  // Horowitz (ISSCC 2014), 45 nm: 64-bit access to 8 KB 10 pJ, 32 KB 20 pJ, 1 MB 100 pJ;
  // DRAM 1.3-2.6 nJ per 64 bits (midpoint 1.95 nJ).
  static MemoryEnergy horowitz45();
  double sram_pj(double size_bytes) const;  // per byte accessed
};

// One on-chip buffer's traffic in bytes.
struct BufferTraffic {
  std::string name;
  double size_bytes = 0;
  double read_bytes = 0;
  double write_bytes = 0;
};

// What a layer (or any workload) did.
struct Activity {
  std::uint64_t macs = 0;               // all MACs, zero-operand ones included
  std::uint64_t zero_operand_macs = 0;  // MACs with a == 0 or w == 0 (a subset of macs)
  std::uint64_t chunk_adds = 0;
  std::uint64_t reg_writes = 0;  // PE register word writes
  std::vector<BufferTraffic> buffers;
  double dram_bytes = 0;
};

struct EnergyBreakdown {  // pJ
  double mac = 0;         // non-zero MACs
  double zero_mac = 0;    // zero-operand MACs
  double chunk_add = 0;
  double registers = 0;
  double sram = 0;
  double dram = 0;
  std::uint64_t macs = 0;

  double total() const { return mac + zero_mac + chunk_add + registers + sram + dram; }
  double per_mac() const;  // total / macs (0 without MACs)
  EnergyBreakdown& operator+=(const EnergyBreakdown& o);
};

struct EnergyOptions {
  bool gate_zero_operands = true;  // zero-operand MACs cost zero_mac_gated instead of ungated
};

// Energy of `a` under the per-action energies `e`. Throws InputError if zero_operand_macs >
// macs or a count or energy is negative.
EnergyBreakdown estimate(const ActionEnergies& e, const Activity& a, const MemoryEnergy& mem,
                         const EnergyOptions& opt = {});

// Per-layer energies and their sum (one inference).
struct InferenceEnergy {
  std::vector<std::pair<std::string, EnergyBreakdown>> layers;
  EnergyBreakdown total;
};
InferenceEnergy estimate_inference(const ActionEnergies& e,
                                   const std::vector<std::pair<std::string, Activity>>& layers,
                                   const MemoryEnergy& mem, const EnergyOptions& opt = {});

nlohmann::json to_json(const EnergyBreakdown& b);

}  // namespace lbasim::cost
