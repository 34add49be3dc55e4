// Whether the fast arithmetic (the GEMM kernels, FastFmaq) computes exactly what the golden
// model does for a configuration and its operands, and how: docs/engine.md, "When the fast path
// runs". One place decides, for every user of the fast arithmetic.
#pragma once

#include <cstdint>
#include <string>

#include "lbasim/numerics/accumulate.h"

namespace lbasim::num::engine {

// What the fast path needs to know of an operand matrix.
struct OperandStats {
  bool finite = true;
  bool subnormal = false;  // a subnormal double (the fast path needs normal products)
  int sig_bits = 0;        // most significant bits of any non-zero element
  int min_lsb = 1 << 20;   // lower bound on the exponent of any element's lowest set bit
  int max_binade = -(1 << 20);
  int min_binade = 1 << 20;  // of the smallest non-zero element
};

OperandStats stats_of(const double* x, std::int64_t count);

// How values reach Q_f: the product format holds every product (its stage is the identity);
// products, or sums, may not be exact doubles and are rounded to odd first. prod_exact and
// prod_odd are never both set.
struct FastPlan {
  bool prod_exact = false, prod_odd = false, sum_odd = false;
};

// Empty when the fast arithmetic is exact for cfg on operands with these statistics (and
// `plan` says how); else the reason, for reports.
std::string fast_plan(const AccumConfig& cfg, const OperandStats& sa, const OperandStats& sw,
                      FastPlan& plan);

}  // namespace lbasim::num::engine
