#include "array_core.h"

#include <fmt/format.h>

#include "lbasim/base/error.h"

namespace lbasim::sysc::detail {

void check_problem(const GemmProblem& p) {
  if (p.m < 1 || p.k < 1 || p.n < 1)
    throw InputError(
        fmt::format("GEMM shape {},{},{}: M, K and N must be at least 1", p.m, p.k, p.n));
  if (!p.a || !p.w || !p.c) throw InputError("GEMM operands: A, W and C must all be given");
}

num::EventCounts EventHistogram::counts() const {
  num::EventCounts c;
  for (std::uint8_t e = 0; e < 16; ++e) {
    const std::uint64_t k = bins[e];
    c.ops += k;
    if (e & num::kOverflow) c.overflow += k;
    if (e & num::kUnderflow) c.underflow += k;
    if (e & num::kSwamped) c.swamped += k;
    if (e & num::kInexact) c.inexact += k;
  }
  return c;
}

}  // namespace lbasim::sysc::detail
