// The array's hardware options, shared by `lbasim array` (run --gemm) and `lbasim run --trace
// --array` (docs/systolic.md).
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "lbasim/numerics/accumulate.h"
#include "lbasim/systemc/array_config.h"
#include "lbasim/systemc/dataflow.h"

namespace lbasim::cli {

struct ArrayOptions {
  std::string array = "16x16";
  std::string dataflow = "ws";
  std::string pe = "fmaq";
  std::string buffering = "double";
  std::string chunk_lane = "pe";
  std::string arith = "fast";
  std::string dram_bw = "inf";  // bytes per cycle
  double clock_mhz = 100;       // for latencies
};

// Adds --array, --dataflow, --pe, --buffering, --chunk-lane, --arith, --dram-bw, --clock-mhz to
// `cmd` (in `group` if not empty); returns the --array option.
CLI::Option* add_array_options(CLI::App& cmd, ArrayOptions& opt, const std::string& group = "");

// The ArrayConfig the options name (and a clock > 0); InputError naming the option and value
// otherwise.
sysc::ArrayConfig array_config(const ArrayOptions& opt);

// Whole bytes of one value of format f.
double format_bytes(const num::Format& f);

// "a,w,c,partials" (any subset, or "none"): the GEMM operands that go through DRAM, with
// sizes from the W/A format and the accumulation config. InputError naming `what` otherwise.
sysc::GemmDram parse_dram_operands(const std::string& text, const std::string& what,
                                   const num::Format& wa, const num::AccumConfig& cfg);

}  // namespace lbasim::cli
