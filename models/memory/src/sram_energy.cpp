#include "lbasim/memory/sram_energy.h"

#include <fmt/format.h>

#include <array>
#include <cmath>
#include <utility>

#include "lbasim/base/error.h"
#include "lbasim/cost/node_scaling.h"

namespace lbasim::memory {
namespace {

// Horowitz, "Computing's energy problem", ISSCC 2014 (45 nm, 0.9 V): 64-bit SRAM accesses,
// 8 KB 10 pJ, 32 KB 20 pJ, 1 MB 100 pJ; DRAM 1.3-2.6 nJ per 64 bits (midpoint 1.95 nJ).
constexpr std::array<std::pair<double, double>, 3> kSram45{
    {{8.0 * 1024, 10.0 / 8}, {32.0 * 1024, 20.0 / 8}, {1024.0 * 1024, 100.0 / 8}}};
constexpr double kDramPjPerByte = 1950.0 / 8;
// Intel 45 nm 6T SRAM cell, 0.346 um^2 (Mistry et al., IEDM 2007).
constexpr double kCell45Um2 = 0.346;

}  // namespace

double MemoryCosts::sram_pj_per_byte(double capacity_bytes) const {
  if (!(capacity_bytes > 0))
    throw InputError(fmt::format("SRAM of {} bytes: expected a capacity > 0", capacity_bytes));
  const auto& t = kSram45;
  double pj = t.front().second;
  if (capacity_bytes > t.front().first) {
    std::size_t i = 1;
    while (i + 1 < t.size() && capacity_bytes > t[i].first) ++i;
    const double x0 = std::log(t[i - 1].first), x1 = std::log(t[i].first);
    const double y0 = std::log(t[i - 1].second), y1 = std::log(t[i].second);
    pj = std::exp(y0 + (std::log(capacity_bytes) - x0) * (y1 - y0) / (x1 - x0));
  }
  return pj * sram_energy_scale;
}

double MemoryCosts::sram_area_um2(double capacity_bytes) const {
  return capacity_bytes * 8 * cell_um2 / array_efficiency;
}

MemoryCosts MemoryCosts::at_180nm() {
  MemoryCosts c;
  // Stillmaker and Baas (2017): energy at 180 nm, 1.8 V over energy at 45 nm, 0.9 V (the
  // voltage of Horowitz's figures); area 45 nm -> 180 nm: x19.
  c.sram_energy_scale = cost::energy_polynomial(180, 1.8) / cost::energy_polynomial(45, 0.9);
  c.cell_um2 = kCell45Um2 / cost::scaling_from_180nm(45).area;
  c.array_efficiency = 0.7;
  c.dram_pj_per_byte = kDramPjPerByte;
  return c;
}

}  // namespace lbasim::memory
