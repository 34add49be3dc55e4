// The array as a SystemC module: one clocked SC_METHOD advances the bound dataflow by one
// cycle per rising edge (its register arrays are two-phase, so the whole array updates as if
// every PE register were clocked at once) and pauses the kernel when the GEMM is done.
#pragma once

#include <systemc.h>

#include <cstdint>
#include <exception>
#include <functional>

#include "lbasim/systemc/dataflow.h"

namespace lbasim::sysc {

class SystolicArray : public sc_core::sc_module {
 public:
  sc_core::sc_in<bool> clk;

  SC_HAS_PROCESS(SystolicArray);
  explicit SystolicArray(sc_core::sc_module_name name);

  // The engine of the next run (already started), and a hook called after every cycle.
  void bind(Dataflow* df, std::function<void(std::uint64_t)> after_cycle);
  // An exception the engine threw inside the kernel, rethrown by the caller of sc_start.
  std::exception_ptr error;

 private:
  void on_clock();

  Dataflow* df_ = nullptr;
  std::function<void(std::uint64_t)> after_cycle_;
};

}  // namespace lbasim::sysc
