// SRAM and DRAM energy per byte and SRAM area per capacity at the flow's 180 nm node
// (docs/memory.md gives the sources and the derivation).
#pragma once

namespace lbasim::memory {

struct MemoryCosts {
  // Energy per byte accessed in an SRAM of `capacity_bytes` (read or write), pJ: Horowitz's
  // 45 nm 64-bit accesses (8 KB 10 pJ, 32 KB 20 pJ, 1 MB 100 pJ), interpolated log-log in the
  // capacity (flat below 8 KB, last slope above 1 MB), times `sram_energy_scale`.
  double sram_pj_per_byte(double capacity_bytes) const;
  // Area of an SRAM of `capacity_bytes`, um^2: bits x cell area / array efficiency.
  double sram_area_um2(double capacity_bytes) const;

  double sram_energy_scale = 1;  // from 45 nm at 0.9 V to the node
  double cell_um2 = 0;           // 6T bit cell at the node
  double array_efficiency = 0.7;
  double dram_pj_per_byte = 0;

  // The 180 nm values (1.8 V): the 45 nm anchors scaled by Stillmaker and Baas (2017).
  static MemoryCosts at_180nm();
};

}  // namespace lbasim::memory
