// lbasim array: one GEMM on the cycle-accurate SystemC systolic-array model.
#include "array_gemm.h"
#include "commands.h"

namespace lbasim::cli {

void add_array_command(CLI::App& app) {
  auto opt = std::make_shared<ArrayGemmOptions>();
  auto* cmd = app.add_subcommand(
      "array",
      "Run a GEMM on the cycle-accurate SystemC systolic array (values, cycles, counters)");
  add_array_gemm_options(*cmd, opt);
  cmd->footer(
      "Exit status: 0 ok, 1 bad input or --check difference, 2 usage. See docs/systolic.md.");
  cmd->callback([opt] { run_array_gemm(*opt); });
}

}  // namespace lbasim::cli
