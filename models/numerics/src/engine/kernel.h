// The fast-path GEMM kernel, written once with GCC vector extensions and compiled per
// instruction set (kernel_avx512.cpp, kernel_avx2.cpp, kernel_portable.cpp).
//
// Lanes run over 8 output columns, several rows at a time; each lane performs exactly the
// golden model's sequence of roundings (contract section 3). Every value it rounds is an exact
// double, or a double rounded to odd from the exact value (which rounds the same way), so Q_f
// reduces to bit operations.
#pragma once

#include <cstdint>

#include "lbasim/numerics/fast_format.h"
#include "lbasim/numerics/events.h"

namespace lbasim::num::engine {

struct KernelArgs {
  const double* a;        // A, row-major, leading dimension k
  const double* w;        // W padded to np columns (multiple of 8), zeros in the padding
  double* c;              // C, row-major, leading dimension n
  std::int64_t k, n, np;  // n columns of C, computed in blocks of 8 up to np
  std::int64_t ldw, ldc;  // row strides of W and C
  std::int64_t chunk;     // chunk length, 1..k
  FastFormat prod, acc, cacc;
  bool count;  // keep event counts
  // How values reach Q_f (engine.cpp decides; docs/engine.md): the product format holds every
  // product (its stage is the identity); products, or sums, may not be exact doubles and are
  // rounded to odd first. prod_exact and prod_odd are never both set.
  bool prod_exact, prod_odd, sum_odd;
};

// Computes rows [row_begin, row_end) of C; adds event counts (not `ops`) to *counts.
using KernelFn = void (*)(const KernelArgs&, std::int64_t row_begin, std::int64_t row_end,
                          StageCounts* counts);

void kernel_avx512(const KernelArgs&, std::int64_t, std::int64_t, StageCounts*);
void kernel_avx2(const KernelArgs&, std::int64_t, std::int64_t, StageCounts*);
void kernel_portable(const KernelArgs&, std::int64_t, std::int64_t, StageCounts*);

// The IEEE binary32 kernel (kernel_fp32_impl.inc): A and W as floats, W padded to np columns (a
// multiple of 16) with zeros.
struct Fp32Args {
  const float* a;
  const float* w;
  double* c;
  std::int64_t k, n, np;
  std::int64_t chunk;  // 1..k
};
using Fp32KernelFn = void (*)(const Fp32Args&, std::int64_t row_begin, std::int64_t row_end,
                              StageCounts* counts);
void kernel_fp32_avx512(const Fp32Args&, std::int64_t, std::int64_t, StageCounts*);
void kernel_fp32_avx2(const Fp32Args&, std::int64_t, std::int64_t, StageCounts*);
void kernel_fp32_portable(const Fp32Args&, std::int64_t, std::int64_t, StageCounts*);

// The AVX-512 intrinsics kernel for GEMMs whose stages share one rounding and underflow policy
// and saturate, or overflow to inf (then a block where anything overflows is computed again by
// kernel_avx512); kernel_avx512_sat.cpp. nullptr for any other configuration.
KernelFn kernel_avx512_saturating(const KernelArgs& g);

}  // namespace lbasim::num::engine
