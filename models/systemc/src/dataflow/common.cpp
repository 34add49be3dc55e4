#include "common.h"

#include <fmt/format.h>

#include "lbasim/numerics/error.h"

namespace lbasim::sysc::detail {

void check_problem(const GemmProblem& p) {
  if (p.m < 1 || p.k < 1 || p.n < 1)
    throw InputError(
        fmt::format("GEMM shape {},{},{}: M, K and N must be at least 1", p.m, p.k, p.n));
  if (!p.a || !p.w || !p.c) throw InputError("GEMM operands: A, W and C must all be given");
}

void reset_stats(ArrayStats& s, const ArrayConfig& a, const GemmProblem& p) {
  s = ArrayStats{};
  s.array = a;
  s.m = p.m;
  s.k = p.k;
  s.n = p.n;
  s.pe.assign(static_cast<std::size_t>(a.rows) * a.cols, PeCounters{});
}

}  // namespace lbasim::sysc::detail
