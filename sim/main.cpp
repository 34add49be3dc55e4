// lbasim: cycle-accurate simulation of DNN hardware with low bit-width FP accumulators.
#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <exception>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "commands.h"
#include "lbasim/base/error.h"

int main(int argc, char** argv) {
  CLI::App app{
      "lbasim: simulate deep-learning hardware with low bit-width floating-point "
      "accumulators.\nFormats: MxEy[bz][:policy...] or a preset; see docs/numerics.md."};
  app.set_version_flag("--version", std::string("lbasim ") + LBASIM_VERSION);
  app.require_subcommand(1);
  lbasim::cli::add_quantize_command(app);
  lbasim::cli::add_gemm_command(app);
  lbasim::cli::add_run_command(app);
  lbasim::cli::add_replay_command(app);
  lbasim::cli::add_demo_command(app);
  lbasim::cli::add_sweep_command(app);
  lbasim::cli::add_bench_command(app);
  lbasim::cli::add_verify_command(app);
  lbasim::cli::add_array_command(app);
  lbasim::cli::add_bench_array_command(app);
  lbasim::cli::add_cosim_command(app);
  lbasim::cli::add_report_command(app);
  lbasim::cli::add_import_command(app);
  lbasim::cli::add_power_command(app);
  // `lbasim run --gemm M,K,N ...` is the GEMM mode of run: the same command as `lbasim array`.
  std::vector<char*> args(argv, argv + argc);
  if (argc > 2 && std::string_view(argv[1]) == "run" &&
      std::any_of(argv + 2, argv + argc, [](const char* a) {
        return std::string_view(a) == "--gemm" || std::string_view(a).starts_with("--gemm=");
      }))
    args[1] = const_cast<char*>("array");
  try {
    app.parse(static_cast<int>(args.size()), args.data());
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;  // usage error
  } catch (const lbasim::InputError& e) {
    fmt::print(stderr, "lbasim: error: {}\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    fmt::print(stderr, "lbasim: error: {}\n", e.what());
    return 1;
  }
  return 0;
}
