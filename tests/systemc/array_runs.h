// One GEMM of random FP8 operands on the array, with the paper's formats, and every word that
// left the array: the common run of the cycle and schedule tests.
#pragma once

#include <cstdint>
#include <limits>
#include <vector>

#include "lbasim/numerics/format.h"
#include "lbasim/systemc/random_operands.h"
#include "lbasim/systemc/run_gemm.h"

namespace lbasim::sysc::test {

inline num::AccumConfig paper(std::int64_t chunk = 0) {
  num::AccumConfig c;
  c.product = num::parse_format("M7E4b12");
  c.accumulator = num::parse_format("M7E4b10");
  c.chunk_accumulator = c.accumulator;
  c.chunk = chunk;
  return c;
}

struct ArrayRun {
  ArrayStats stats;
  std::vector<OutputWord> words;
};

inline ArrayRun run_array(std::int64_t m, std::int64_t k, std::int64_t n, const ArrayConfig& ac,
                          std::int64_t chunk = 0, const GemmDram& dram = {}) {
  const num::Format wa = num::parse_format("M4E3");
  const std::vector<double> a = random_operand(m * k, wa, 3);
  const std::vector<double> w = random_operand(k * n, wa, 4);
  std::vector<double> c(m * n);
  ArrayRun r;
  RunHooks hooks;
  hooks.on_output = [&r](const OutputWord& word) { r.words.push_back(word); };
  r.stats = run_gemm({a.data(), w.data(), c.data(), m, k, n, dram}, ac, paper(chunk), hooks);
  return r;
}

// An array of the fmaq PE; unlimited DRAM bandwidth unless given.
inline ArrayConfig array(int rows, int cols, DataflowKind df, Buffering b,
                         double dram_bytes_per_cycle = std::numeric_limits<double>::infinity()) {
  return {rows, cols, df, PeKind::fmaq, b, dram_bytes_per_cycle};
}

}  // namespace lbasim::sysc::test
