// Options shared by the trace subcommands (run --trace, replay).
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "lbasim/traces/gemm_layer.h"

namespace lbasim::cli {

struct TraceGemmOptions {
  std::string config;
  std::string wa = "manifest";
  std::string engine = "fast";
};

// Adds --config, --wa and --engine to cmd.
void add_trace_gemm_options(CLI::App* cmd, TraceGemmOptions& o);

// GemmSettings from the options (reads the config file; InputError names it).
traces::GemmSettings trace_gemm_settings(const TraceGemmOptions& o);

// "product M7E4b12, accumulator M7E4b10, chunk 16, chunk accumulator M7E4b10".
std::string describe(const num::AccumConfig& c);

// "1.23M"-style count for tables.
std::string short_count(std::uint64_t v);

}  // namespace lbasim::cli
