#include "lbasim/cost/energy.h"

#include <fmt/core.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "lbasim/numerics/error.h"

namespace lbasim::cost {
namespace {

void check_non_negative(double v, const char* what) {
  if (!(v >= 0)) throw InputError(fmt::format("{} = {}: expected a number >= 0", what, v));
}

}  // namespace

MemoryEnergy MemoryEnergy::horowitz45() {
  return {{{8.0 * 1024, 10.0 / 8}, {32.0 * 1024, 20.0 / 8}, {1024.0 * 1024, 100.0 / 8}},
          1950.0 / 8};
}

double MemoryEnergy::sram_pj(double size_bytes) const {
  const auto& t = sram_pj_per_byte;
  if (t.empty()) throw InputError("SRAM energy table: empty, expected at least one anchor");
  if (t.size() == 1 || size_bytes <= t.front().first) return t.front().second;
  std::size_t i = 1;
  while (i + 1 < t.size() && size_bytes > t[i].first) ++i;
  // Straight line in log(size) -> log(energy) through anchors i-1 and i (beyond the last
  // anchor: the last segment's slope).
  const double x0 = std::log(t[i - 1].first), x1 = std::log(t[i].first);
  const double y0 = std::log(t[i - 1].second), y1 = std::log(t[i].second);
  return std::exp(y0 + (std::log(size_bytes) - x0) * (y1 - y0) / (x1 - x0));
}

double EnergyBreakdown::per_mac() const {
  return macs == 0 ? 0.0 : total() / static_cast<double>(macs);
}

EnergyBreakdown& EnergyBreakdown::operator+=(const EnergyBreakdown& o) {
  mac += o.mac;
  zero_mac += o.zero_mac;
  chunk_add += o.chunk_add;
  registers += o.registers;
  sram += o.sram;
  dram += o.dram;
  macs += o.macs;
  return *this;
}

EnergyBreakdown estimate(const ActionEnergies& e, const Activity& a, const MemoryEnergy& mem,
                         const EnergyOptions& opt) {
  for (auto [v, what] : {std::pair{e.multiply, "multiply energy"},
                         {e.product_round, "product_round energy"},
                         {e.accumulate, "accumulate energy"},
                         {e.chunk_add, "chunk_add energy"},
                         {e.reg_write, "reg_write energy"},
                         {e.zero_mac_gated, "zero_mac_gated energy"},
                         {e.zero_mac_ungated, "zero_mac_ungated energy"},
                         {a.dram_bytes, "dram_bytes"},
                         {mem.dram_pj_per_byte, "DRAM energy"}})
    check_non_negative(v, what);
  if (a.zero_operand_macs > a.macs)
    throw InputError(fmt::format("zero_operand_macs = {}: expected at most macs = {}",
                                 a.zero_operand_macs, a.macs));
  EnergyBreakdown b;
  b.macs = a.macs;
  b.mac = static_cast<double>(a.macs - a.zero_operand_macs) * e.mac();
  b.zero_mac = static_cast<double>(a.zero_operand_macs) *
               (opt.gate_zero_operands ? e.zero_mac_gated : e.zero_mac_ungated);
  b.chunk_add = static_cast<double>(a.chunk_adds) * e.chunk_add;
  b.registers = static_cast<double>(a.reg_writes) * e.reg_write;
  for (const BufferTraffic& buf : a.buffers) {
    check_non_negative(buf.size_bytes, "buffer size_bytes");
    check_non_negative(buf.read_bytes, "buffer read_bytes");
    check_non_negative(buf.write_bytes, "buffer write_bytes");
    b.sram += (buf.read_bytes + buf.write_bytes) * mem.sram_pj(buf.size_bytes);
  }
  b.dram = a.dram_bytes * mem.dram_pj_per_byte;
  return b;
}

InferenceEnergy estimate_inference(const ActionEnergies& e,
                                   const std::vector<std::pair<std::string, Activity>>& layers,
                                   const MemoryEnergy& mem, const EnergyOptions& opt) {
  InferenceEnergy out;
  for (const auto& [name, act] : layers) {
    out.layers.emplace_back(name, estimate(e, act, mem, opt));
    out.total += out.layers.back().second;
  }
  return out;
}

nlohmann::json to_json(const EnergyBreakdown& b) {
  return {{"mac_pj", b.mac},
          {"zero_mac_pj", b.zero_mac},
          {"chunk_add_pj", b.chunk_add},
          {"registers_pj", b.registers},
          {"sram_pj", b.sram},
          {"dram_pj", b.dram},
          {"total_pj", b.total()},
          {"macs", b.macs},
          {"pj_per_mac", b.per_mac()}};
}

}  // namespace lbasim::cost
