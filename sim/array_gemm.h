// One GEMM on the SystemC systolic-array model, as the command line asks for it. Shared by
// `lbasim array` and, once merged, `lbasim run --gemm ...` (docs/systolic.md).
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "array_options.h"

namespace lbasim::cli {

struct ArrayGemmOptions {
  std::string gemm;  // "M,K,N"
  ArrayOptions hw;
  std::string dram = "a,w,c";  // operands through the DRAM port
  std::string config;          // AccumConfig JSON; empty: the paper's M7E4b12 / M7E4b10 / chunk 16
  std::string a, b;            // operands (.npy); else random with `seed`
  std::optional<std::uint64_t> seed;
  std::string wa = "M4E3";  // format of the random operands
  std::string out, json;
  bool check = false;  // compare with the golden GEMM; a difference is an error
};

struct GemmShape {
  std::int64_t m = 0, k = 0, n = 0;
};
// "M,K,N" with positive integers; InputError naming --gemm otherwise.
GemmShape parse_gemm_shape(const std::string& text);

// Adds the options above to `cmd`.
void add_array_gemm_options(CLI::App& cmd, const std::shared_ptr<ArrayGemmOptions>& opt);

// Runs the GEMM, prints a table to stdout, writes --out and --json. Throws InputError on bad
// input and std::runtime_error if --check finds a difference (no output file is written then).
void run_array_gemm(const ArrayGemmOptions& opt);

}  // namespace lbasim::cli
