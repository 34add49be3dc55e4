// Subcommands of the lbasim command line. Each adds itself to the app; its callback runs the
// command and throws lbasim::InputError on bad input (main prints it and exits 1).
#pragma once

#include <CLI/CLI.hpp>

namespace lbasim::cli {

void add_quantize_command(CLI::App& app);
void add_gemm_command(CLI::App& app);
void add_run_command(CLI::App& app);     // run --trace (cmd_run.cpp)
void add_replay_command(CLI::App& app);  // replay one trace layer (cmd_replay.cpp)
void add_demo_command(CLI::App& app);
void add_sweep_command(CLI::App& app);
void add_bench_command(CLI::App& app);
void add_verify_command(CLI::App& app);
void add_array_command(CLI::App& app);
void add_bench_array_command(CLI::App& app);
void add_cosim_command(CLI::App& app);
void add_report_command(CLI::App& app);  // HTML report from sweep records (cmd_report.cpp)
void add_import_command(CLI::App& app);  // import onnx: a model as a trace (cmd_import.cpp)
void add_power_command(CLI::App& app);   // area, fmax, power per accumulator (cmd_power.cpp)

}  // namespace lbasim::cli
