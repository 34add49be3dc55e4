// The fused-order kernel (contract section 7, docs/engine.md "The fused order"): declared
// here, its body in kernel_fused_impl.inc (compiled per instruction set with the FMAq kernel,
// whose Q_f it uses), its plan and checks in fused_path.cpp.
#pragma once

#include <immintrin.h>

#include <cstdint>
#include <string>
#include <vector>

#include "lbasim/numerics/accumulate.h"
#include "lbasim/numerics/engine.h"
#include "lbasim/numerics/events.h"
#include "lbasim/numerics/fast_format.h"

namespace lbasim::num::engine {

// Exponent of a zero term: far below any real one (|e| < 2^12), and twice it still fits int64.
inline constexpr std::int64_t kZeroExp = -(std::int64_t{1} << 40);
// The same for W's table, which is int16 (a quarter of the bytes a kernel streams from it);
// plus any e(a) it stays far below every real exponent.
inline constexpr std::int16_t kZeroExp16 = -16384;

struct FusedArgs {
  const double* a;         // A, row-major, leading dimension k
  const std::int64_t* ea;  // e(a) of each element of A (floored), kZeroExp for zeros
  const double* w;         // W padded to np columns (multiple of 8) with zeros
  const std::int16_t* ew;  // e(w) likewise, kZeroExp16 in zeros and padding
  double* c;               // C, row-major, leading dimension n
  std::int64_t k, n, np;
  std::int64_t chunk;       // 1..k
  std::int64_t terms;       // g
  std::int64_t align_bits;  // F
  std::int64_t acc_floor;   // floor of e(s): the accumulator's emin under subnormal, else kZeroExp
  FastFormat acc, cacc;
  bool count;
};

// Rows [row_begin, row_end) of C; adds event counts (not `ops`) to *counts.
using FusedKernelFn = void (*)(const FusedArgs&, std::int64_t row_begin, std::int64_t row_end,
                               StageCounts* counts);
void kernel_fused_avx512(const FusedArgs&, std::int64_t, std::int64_t, StageCounts*);
void kernel_fused_avx2(const FusedArgs&, std::int64_t, std::int64_t, StageCounts*);
void kernel_fused_portable(const FusedArgs&, std::int64_t, std::int64_t, StageCounts*);

// What the kernel reads besides A and C: the exponent tables and the padded W.
struct FusedPlan {
  std::string reason;  // empty: the kernel computes exactly what the golden model does
  std::vector<std::int64_t> ea;
  std::vector<std::int16_t> ew;
  std::vector<double> w;
  FusedArgs args{};
};

// Checks (docs/engine.md) and tables for C = A W under a fused config; on refusal only
// `reason` is set.
FusedPlan plan_fused(const double* a, const double* w, double* c, std::int64_t m, std::int64_t k,
                     std::int64_t n, const AccumConfig& cfg, const OperandFloors& floors,
                     bool count);
FusedKernelFn fused_kernel_for(Isa isa);

// The `ops` a fused GEMM adds to each stage (the kernels count events only).
void add_fused_ops(StageCounts* counts, std::int64_t m, std::int64_t k, std::int64_t n,
                   const AccumConfig& cfg);

}  // namespace lbasim::num::engine
