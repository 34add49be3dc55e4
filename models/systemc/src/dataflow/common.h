// Pieces every dataflow shares: problem checks, chunk boundaries, stats setup.
#pragma once

#include <cstdint>

#include "lbasim/numerics/accumulate.h"
#include "lbasim/systemc/dataflow.h"

namespace lbasim::sysc::detail {

inline std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }

// The chunk length the contract uses for a K-long dot product: 0 means one chunk.
inline std::int64_t effective_chunk(const num::AccumConfig& cfg, std::int64_t k) {
  return (cfg.chunk <= 0 || cfg.chunk >= k) ? 0 : cfg.chunk;
}

// True if product index k starts a chunk other than the first: the partial sum restarts at
// +0 there and the finished chunk goes to the chunk accumulator.
inline bool starts_chunk(std::int64_t k, std::int64_t chunk) {
  return chunk > 0 && k > 0 && k % chunk == 0;
}

// Throws InputError for null operands or a non-positive dimension.
void check_problem(const GemmProblem& p);

// Zeroes s and sets the shape fields for a new GEMM on array a.
void reset_stats(ArrayStats& s, const ArrayConfig& a, const GemmProblem& p);

}  // namespace lbasim::sysc::detail
