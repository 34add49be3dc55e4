// One cycle of a row of FMAq PEs on 8-lane vectors (fmaq_row_impl.inc), compiled per
// instruction set like the GEMM kernels; num::FastFmaq::step_row picks one.
#pragma once

#include "lbasim/numerics/fast_fmaq.h"

namespace lbasim::num::engine {

struct FmaqRowArgs {
  const FastFormat& prod;
  const FastFormat& acc;
  const FastFormat& cacc;
  bool prod_exact, prod_odd, sum_odd;  // as KernelArgs
};

void fmaq_row_avx512(const FmaqRowArgs& g, const FastFmaq::Row* rows, int count,
                     FastFmaq::Tally& tally);
void fmaq_row_avx2(const FmaqRowArgs& g, const FastFmaq::Row* rows, int count,
                   FastFmaq::Tally& tally);
void fmaq_row_portable(const FmaqRowArgs& g, const FastFmaq::Row* rows, int count,
                       FastFmaq::Tally& tally);

}  // namespace lbasim::num::engine
