// A device under test computing one fused dot-product step on codes (numerics contract,
// section 7): the Verilated fused_dot RTL behind a plain interface, so the checker does not
// depend on one Verilated parameter set.
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "lbasim/numerics/format.h"

namespace lbasim::rtl {

// The formats and the fused order one fused_dot instance was built with.
struct FusedUnit {
  num::Format a, w, accumulator;
  int terms = 0;       // G, at most 63 (term flags travel in one 64-bit word)
  int align_bits = 0;  // F
};

struct FusedOutputs {
  std::uint64_t acc = 0;
  std::uint8_t events = 0;          // lbasim::num::Event bits, swamped included
  std::uint64_t inexact_terms = 0;  // bit 0: the running sum, bit 1 + i: product i
  std::uint64_t cut_terms = 0;

  friend bool operator==(const FusedOutputs&, const FusedOutputs&) = default;
};

class FusedDut {
 public:
  virtual ~FusedDut() = default;
  virtual const FusedUnit& unit() const = 0;
  // Evaluates the combinational unit on G activation codes, G weight codes and acc_in.
  virtual FusedOutputs eval(std::span<const std::uint64_t> a, std::span<const std::uint64_t> w,
                            std::uint64_t acc_in) = 0;
};

// Defined once per Verilated parameter set (fused_dut.cpp compiled with that model): a program
// links exactly one of the lbasim_rtl_fused_<config> libraries.
std::unique_ptr<FusedDut> make_fused_dut();

}  // namespace lbasim::rtl
