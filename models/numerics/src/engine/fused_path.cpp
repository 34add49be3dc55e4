// The fused order's fast path: when the fused kernel is exact (docs/engine.md, "The fused
// order"), and the exponent tables and padded W it reads.
#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cmath>

#include "fused_kernel.h"

namespace lbasim::num::engine {
namespace {

// What the checks need of an operand matrix, gathered while its exponents are tabulated.
struct Scan {
  bool finite = true, subnormal = false;
  std::uint64_t mant_or = 0;
  int emin = 1 << 20, emax = -(1 << 20);  // binades of the smallest and largest non-zero
  int floored_max = -(1 << 20);           // the largest e(x), floors included
  // Significant bits of the widest element, and a lower bound of every lowest set bit.
  int sig_bits() const { return 53 - std::countr_zero(mant_or | (std::uint64_t{1} << 52)); }
  int min_lsb() const { return emin - 52 + std::countr_zero(mant_or | (std::uint64_t{1} << 52)); }
  bool any() const { return emax >= emin; }
};

// e(x) of one element (floored), kZeroExp for a zero, and the scan's bookkeeping.
std::int64_t exponent(double x, int floor, Scan& s) {
  const auto b = std::bit_cast<std::uint64_t>(x);
  const int field = static_cast<int>((b >> 52) & 0x7ff);
  if ((b << 1) == 0) return kZeroExp;
  if (field == 0x7ff) s.finite = false;
  if (field == 0) s.subnormal = true;
  s.mant_or |= b & ((std::uint64_t{1} << 52) - 1);
  const int e = field - 1023;
  s.emin = std::min(s.emin, e);
  s.emax = std::max(s.emax, e);
  s.floored_max = std::max(s.floored_max, std::max(e, floor));
  return std::max(e, floor);
}

std::string refusal(const AccumConfig& cfg, const Scan& sa, const Scan& sw) {
  const FusedOrder& f = *cfg.fused;
  for (const Format* fmt : {&cfg.accumulator, &cfg.chunk_accumulator})
    if (!fast_format_ok(*fmt))
      return fmt::format("format {} is outside the fast path", fmt->to_string());
  if (!f.exact_product) return "fused order with a product format (checked per product)";
  if (cfg.accumulator.overflow == Overflow::inf && cfg.accumulator.rounding == Rounding::rne)
    return "fused accumulator overflows to inf";
  if (!sa.finite || !sw.finite) return "non-finite operands";
  if (sa.subnormal || sw.subnormal) return "subnormal double operands";
  const int group_bits = std::bit_width(static_cast<unsigned>(f.terms) + 1);
  if (f.align_bits + 2 + group_bits > 53) return "fused sums wider than a double";
  if (sw.floored_max > 4096 || sa.floored_max > 4096)
    return "operand exponent floors beyond the exponent tables";
  if (!sa.any() || !sw.any()) return {};  // all products are zero
  if (sa.sig_bits() + sw.sig_bits() > 53) return "operand significands too wide for exact products";
  if (sa.min_lsb() + sw.min_lsb() < -1022 || sa.emax + sw.emax > 1021)
    return "operand exponents outside the range of exact normal products";
  if (std::max(sa.emax + sw.emax + 2, cfg.accumulator.emax() + 1) + group_bits > 1023)
    return "fused sums may leave the double range";
  // The kernel scales terms by 2^-(E-F): E - F within [-1022, 1022], and no non-zero term so
  // far below E that its scaled value vanishes (docs/engine.md).
  const int lowest = std::min(sa.emin + sw.emin, cfg.accumulator.emin());
  const int highest = std::max(sa.floored_max + sw.floored_max, cfg.accumulator.emax());
  if (lowest - f.align_bits < -1022 || highest - f.align_bits > 1022 || highest - lowest > 1000)
    return "fused terms' exponents too far apart for the scaled alignment";
  return {};
}

}  // namespace

FusedPlan plan_fused(const double* a, const double* w, double* c, std::int64_t m, std::int64_t k,
                     std::int64_t n, const AccumConfig& cfg, const OperandFloors& floors,
                     bool count) {
  FusedPlan p;
  const std::int64_t np = (n + 7) / 8 * 8;
  Scan sa, sw;
  p.ea.resize(static_cast<std::size_t>(m * k));
  for (std::int64_t i = 0; i < m * k; ++i) p.ea[i] = exponent(a[i], floors.a, sa);
  p.ew.assign(static_cast<std::size_t>(k * np), kZeroExp16);
  p.w.assign(static_cast<std::size_t>(k * np), 0.0);
  for (std::int64_t kk = 0; kk < k; ++kk)
    for (std::int64_t j = 0; j < n; ++j) {
      p.w[kk * np + j] = w[kk * n + j];
      const std::int64_t e = exponent(w[kk * n + j], floors.w_col(j), sw);
      p.ew[kk * np + j] = static_cast<std::int16_t>(e == kZeroExp ? kZeroExp16 : e);
    }
  p.reason = refusal(cfg, sa, sw);
  if (!p.reason.empty()) return p;
  FusedArgs& g = p.args;
  g.a = a;
  g.ea = p.ea.data();
  g.w = p.w.data();
  g.ew = p.ew.data();
  g.c = c;
  g.k = k;
  g.n = n;
  g.np = np;
  g.chunk = (cfg.chunk <= 0 || cfg.chunk >= k) ? k : cfg.chunk;
  g.terms = cfg.fused->terms;
  g.align_bits = cfg.fused->align_bits;
  g.acc_floor =
      cfg.accumulator.underflow == Underflow::subnormal ? cfg.accumulator.emin() : kZeroExp;
  g.acc = make_fast_format(cfg.accumulator);
  g.cacc = make_fast_format(cfg.chunk_accumulator);
  g.count = count;
  return p;
}

FusedKernelFn fused_kernel_for(Isa isa) {
  switch (isa) {
    case Isa::avx512:
      return kernel_fused_avx512;
    case Isa::avx2:
      return kernel_fused_avx2;
    default:
      return kernel_fused_portable;
  }
}

void add_fused_ops(StageCounts* counts, std::int64_t m, std::int64_t k, std::int64_t n,
                   const AccumConfig& cfg) {
  if (!counts || k == 0) return;
  const std::int64_t len = (cfg.chunk <= 0 || cfg.chunk >= k) ? k : cfg.chunk;
  const std::int64_t g = cfg.fused->terms;
  const std::int64_t full = k / len, rest = k % len;
  const std::int64_t groups = full * ((len + g - 1) / g) + (rest + g - 1) / g;
  const auto outputs = static_cast<std::uint64_t>(m * n);
  counts->product.ops += outputs * static_cast<std::uint64_t>(k);
  counts->accumulator.ops += outputs * static_cast<std::uint64_t>(groups);
  counts->chunk.ops += outputs * static_cast<std::uint64_t>(full + (rest > 0));
}

}  // namespace lbasim::num::engine
