// A device under test computing FMAq on codes: the Verilated fmaq RTL behind a plain interface,
// so the checker and the command line do not depend on one Verilated parameter set.
#pragma once

#include <cstdint>
#include <memory>

#include "lbasim/numerics/format.h"

namespace lbasim::rtl {

// The formats one fmaq instance was built with.
struct FmaqFormats {
  num::Format a, w, product, accumulator;
};

struct FmaqOutputs {
  std::uint64_t acc = 0;
  std::uint64_t product = 0;
  std::uint8_t prod_events = 0;  // lbasim::num::Event bits
  std::uint8_t acc_events = 0;
};

class FmaqDut {
 public:
  virtual ~FmaqDut() = default;
  virtual const FmaqFormats& formats() const = 0;
  // Evaluates the combinational datapath on the codes a, w, acc_in.
  virtual FmaqOutputs eval(std::uint64_t a, std::uint64_t w, std::uint64_t acc_in) = 0;
};

// Defined once per Verilated parameter set (fmaq_dut.cpp compiled with that model): a program
// links exactly one of the lbasim_rtl_fmaq_<config> libraries.
std::unique_ptr<FmaqDut> make_fmaq_dut();

}  // namespace lbasim::rtl
