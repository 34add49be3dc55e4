// Lockstep co-simulation: the SystemC array model and a Verilated RTL array (either dataflow,
// either buffering) run the same GEMM in one process, one clock cycle each in turn; every word
// leaving a column and its cycle, every PE's events of every cycle, and the total cycle count
// must agree.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "array_driver.h"
#include "array_dut.h"
#include "lbasim/numerics/accumulate.h"
#include "lbasim/systemc/array_stats.h"

namespace lbasim::rtl {

struct CosimOptions {
  sysc::Buffering buffering = sysc::Buffering::single;
  std::optional<WeightFault> fault;  // test-only: corrupt one weight on the RTL side
  std::string vcd;                   // full RTL trace
  std::string window_vcd;            // RTL trace of the cycles around the first mismatch
  int window = 16;                   // cycles either side of it
};

struct Mismatch {
  std::uint64_t cycle = 0;
  int column = 0;
  int row = -1;               // a PE's row for "PE events" (column: its column), else -1
  std::int64_t m = 0, n = 0;  // the word's C coordinates
  // psum, chunk, value, value events, word (a word missing or extra), m, final, chunk add
  // (the column-bottom add happened on one side only), PE events; fused arrays: PE
  // align_inexact terms, PE cut terms (expected: the SystemC count; actual: the RTL's flags)
  std::string field;
  std::uint64_t expected_code = 0, actual_code = 0;
  double expected = 0, actual = 0;
};

struct CosimResult {
  std::uint64_t sc_cycles = 0, rtl_cycles = 0;
  std::uint64_t words = 0, mismatched_words = 0;
  std::uint64_t pe_events = 0, mismatched_pe_events = 0;  // (cycle, PE) records compared
  std::optional<Mismatch> first;
  sysc::ArrayStats stats;                  // of the SystemC model
  double sc_seconds = 0, rtl_seconds = 0;  // time spent in each simulator
  bool ok() const {
    return mismatched_words == 0 && mismatched_pe_events == 0 && sc_cycles == rtl_cycles;
  }
};

// Runs C = A W (values of the DUT's A/W formats) on both. The SystemC array takes the DUT's
// shape, dataflow and chunk lane and opt.buffering; cfg must use the DUT's formats (InputError
// else).
CosimResult run_cosim(ArrayDutFactory make_dut, const double* a, const double* w, std::int64_t m,
                      std::int64_t k, std::int64_t n, const num::AccumConfig& cfg,
                      const CosimOptions& opt = {});

// "cycle 41, column 2 (C[5][6]), psum: expected 0x1a3 (1.25), RTL 0x1a2 (1.234375)" or
// "cycle 12, PE(1, 2), PE events: expected 0x25 (MAC, accumulator inexact), RTL 0x5 (MAC)".
std::string describe(const Mismatch& mm);

}  // namespace lbasim::rtl
