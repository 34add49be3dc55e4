#include "systolic_array.h"

namespace lbasim::sysc {

SystolicArray::SystolicArray(sc_core::sc_module_name name) : sc_core::sc_module(name) {
  SC_METHOD(on_clock);
  sensitive << clk.pos();
  dont_initialize();
}

void SystolicArray::bind(Dataflow* df, std::function<void(std::uint64_t)> after_cycle) {
  df_ = df;
  after_cycle_ = std::move(after_cycle);
  error = nullptr;
}

void SystolicArray::on_clock() {
  if (!df_) return;
  try {
    const std::uint64_t cycle = df_->stats().total_cycles;
    if (df_->step()) {
      if (after_cycle_) after_cycle_(cycle);
      return;
    }
  } catch (...) {
    error = std::current_exception();
  }
  df_ = nullptr;
  sc_core::sc_pause();
}

}  // namespace lbasim::sysc
