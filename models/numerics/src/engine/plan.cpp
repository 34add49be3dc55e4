// The plan of the fast arithmetic: operand statistics and the exactness conditions.
#include "plan.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <bit>

#include "lbasim/numerics/fast_format.h"

namespace lbasim::num::engine {

// One branch-free pass over the bits (it runs on every GEMM, so it must cost little next to
// it): the OR of all significands gives the widest significand exactly (its trailing zeros are
// the fewest any element has); the smallest exponent plus those trailing zeros bounds every
// element's lowest set bit from below, which only makes the fast-path checks stricter.
__attribute__((target_clones("avx512f", "avx2", "default"))) OperandStats stats_of(
    const double* x, std::int64_t count) {
  constexpr std::uint64_t kMant = (std::uint64_t{1} << 52) - 1;
  std::uint64_t mant_or = 0, bad = 0, sub = 0, nonzero = 0;
  std::uint64_t emin = 0x7ff, emax = 0;
  for (std::int64_t i = 0; i < count; ++i) {
    const auto b = std::bit_cast<std::uint64_t>(x[i]);
    const std::uint64_t e = (b >> 52) & 0x7ff;
    const std::uint64_t nz = (b << 1) != 0;
    bad |= e == 0x7ff;
    sub |= (e == 0) & nz;
    nonzero |= nz;
    mant_or |= b & kMant;
    emin = std::min(emin, nz ? e : std::uint64_t{0x7ff});
    emax = std::max(emax, nz ? e : std::uint64_t{0});
  }
  OperandStats s;
  s.finite = bad == 0;
  s.subnormal = sub != 0;
  if (nonzero == 0) return s;
  const int tz = std::countr_zero(mant_or | (std::uint64_t{1} << 52));
  s.sig_bits = 53 - tz;
  s.min_lsb = static_cast<int>(emin) - 1023 - 52 + tz;
  s.max_binade = static_cast<int>(emax) - 1023;
  s.min_binade = static_cast<int>(emin) - 1023;
  return s;
}

namespace {

int min_quantum(const Format& f) { return f.emin() - f.man; }

// From finite operands, a NaN arises where two opposite infinities meet: in the accumulator if
// products and the accumulator can both be inf, in the chunk accumulator if chunk sums and its
// running value can. The golden model reports a NaN that reaches a format without one (an
// error the fast kernels do not reproduce).
bool nan_reaches_format_without_nan(const AccumConfig& cfg) {
  const auto makes_inf = [](const Format& f) {
    return f.overflow == Overflow::inf && f.rounding == Rounding::rne;
  };
  const auto keeps_inf = [](const Format& f) {
    return f.specials == Specials::ieee && f.overflow != Overflow::saturate;
  };
  const bool inf_p = makes_inf(cfg.product);
  const bool inf_a = makes_inf(cfg.accumulator) || (inf_p && keeps_inf(cfg.accumulator));
  const bool nan_a = inf_p && inf_a;
  const Format& c = cfg.chunk_accumulator;
  const bool inf_c = makes_inf(c) || (inf_a && keeps_inf(c));
  const bool nan_c = nan_a || (inf_a && inf_c);
  return (nan_a && cfg.accumulator.specials == Specials::none) ||
         (nan_c && c.specials == Specials::none);
}

}  // namespace

// Products and sums that may not be exact doubles are rounded to odd first (TwoProduct,
// TwoSum), and a product stage that holds every product is skipped.
std::string fast_plan(const AccumConfig& cfg, const OperandStats& sa, const OperandStats& sw,
                      FastPlan& plan) {
  plan = FastPlan{};
  const std::array stages{&cfg.product, &cfg.accumulator, &cfg.chunk_accumulator};
  for (const Format* f : stages)
    if (!fast_format_ok(*f))
      return fmt::format(
          "format {} is outside the fast path (none policies, M = 0 or > 51, or "
          "range beyond normal doubles)",
          f->to_string());
  if (!sa.finite || !sw.finite) return "non-finite operands";
  if (sa.subnormal || sw.subnormal) return "subnormal double operands";
  if (nan_reaches_format_without_nan(cfg)) return "a NaN can reach a format without NaN";
  // Rounding to odd keeps one bit below the round bit of M <= 50 (rne) or M <= 51 (rtz) bits
  // and needs sums far from the double range's end.
  const auto odd_ok = [](const Format& f) -> std::string {
    if (f.rounding == Rounding::rne && f.man > 50)
      return fmt::format(
          "format {} rounds to nearest with M > 50: too wide to round through "
          "doubles rounded to odd",
          f.to_string());
    if (f.emax() > 1020)
      return fmt::format("format {} reaches the double range's end", f.to_string());
    return {};
  };
  if (sa.sig_bits == 0 || sw.sig_bits == 0) return {};  // all products are zero
  const Format& p = cfg.product;
  const int lsb = sa.min_lsb + sw.min_lsb, low = sa.min_binade + sw.min_binade,
            high = sa.max_binade + sw.max_binade;
  // Products exact normal doubles, on the grid the subnormal rounding adds them to.
  const bool exact_products = sa.sig_bits + sw.sig_bits <= 53 && lsb >= -1022 && high <= 1021 &&
                              (p.underflow != Underflow::subnormal || lsb >= p.emin() - 52);
  if (!exact_products) {
    // TwoProduct is exact while no partial product of the operands' halves leaves the normal
    // range.
    if (low < -968 || high > 1020 || sa.max_binade > 995 || sw.max_binade > 995)
      return "operand exponents outside the range where products and their errors are doubles";
    if (std::string r = odd_ok(p); !r.empty()) return r;
    plan.prod_odd = true;
  }
  // Every product a value of the product format, below its max: the stage rounds nothing.
  plan.prod_exact = exact_products && sa.sig_bits + sw.sig_bits <= p.man + 1 &&
                    high + 2 <= p.emax() &&
                    (p.underflow == Underflow::flush ? low >= p.emin()
                                                     : low >= p.emin() || lsb >= p.emin() - p.man);
  // Sums exact in double: both addends are multiples of the finer quantum and below 2^(emax+2).
  const auto sum_fits = [](const Format& x, const Format& y) {
    return std::max(x.emax(), y.emax()) + 2 - std::min(min_quantum(x), min_quantum(y)) <= 53;
  };
  if (!sum_fits(cfg.product, cfg.accumulator) ||
      !sum_fits(cfg.accumulator, cfg.chunk_accumulator)) {
    for (const Format* f : stages)
      if (std::string r = odd_ok(*f); !r.empty()) return r;
    plan.sum_odd = true;
  }
  return {};
}

}  // namespace lbasim::num::engine
