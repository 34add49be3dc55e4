#include "lbasim/systemc/run_gemm.h"

#include <cstdlib>

#include "systolic_array.h"

namespace lbasim::sysc {
namespace {

// The one elaborated design of this process: a clock and the array module.
struct SimTop {
  sc_core::sc_clock clk{"clk", 1, sc_core::SC_NS};
  SystolicArray array{"array"};
  SimTop() { array.clk(clk); }
};

SimTop& sim_top() {
  static SimTop* top = [] {
    setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
    return new SimTop;  // never destroyed: SystemC objects must outlive the kernel
  }();
  return *top;
}

}  // namespace

ArrayStats run_gemm(const GemmProblem& p, const ArrayConfig& a, const num::AccumConfig& cfg,
                    const RunHooks& hooks) {
  std::unique_ptr<Dataflow> df = make_dataflow(a, cfg);
  df->on_output = hooks.on_output;
  df->on_pe_events = hooks.on_pe_events;
  df->start(p);
  SimTop& top = sim_top();
  top.array.bind(df.get(), hooks.after_cycle);
  sc_core::sc_start();
  if (top.array.error) std::rethrow_exception(top.array.error);
  return df->stats();
}

}  // namespace lbasim::sysc

// libsystemc references sc_main; lbasim drives the kernel from its own main() instead, so a
// program linking lbasim_sysc must not define sc_main itself.
int sc_main(int, char*[]) { return 1; }
