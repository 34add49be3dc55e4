// The golden-model comparison behind the fused RTL tests.
#include "fused_check.h"

#include <fmt/core.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <exception>

#include "lbasim/numerics/encoding.h"
#include "lbasim/numerics/fused.h"
#include "lbasim/numerics/quantize.h"

namespace lbasim::rtl {
namespace {

std::uint64_t mask(int bits) {
  return bits >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << bits) - 1;
}

int top_exp(const num::Format& f) { return static_cast<int>(top_finite_exp(f)); }

std::string codes(const std::vector<std::uint64_t>& c, int count) {
  std::string s;
  for (int i = 0; i < count; ++i) s += fmt::format("{}{:#x}", i ? " " : "", c[i]);
  return s;
}

}  // namespace

FusedChecker::FusedChecker(FusedDut& dut, std::FILE* log, std::uint64_t max_reports)
    : dut_(dut),
      u_(dut.unit()),
      log_(log),
      max_reports_(max_reports),
      floor_a_(num::operand_floor(u_.a)),
      floor_w_(num::operand_floor(u_.w)),
      a_values_(code_values(u_.a)),
      w_values_(code_values(u_.w)),
      acc_values_(code_values(u_.accumulator)),
      av_(static_cast<std::size_t>(u_.terms)),
      wv_(static_cast<std::size_t>(u_.terms)) {}

double FusedChecker::value(std::uint64_t code, const num::Format& f,
                           const std::vector<double>& table) const {
  return code_value(code, f, table);
}

bool FusedChecker::check(const std::vector<std::uint64_t>& a, const std::vector<std::uint64_t>& w,
                         std::uint64_t acc, int count) {
  ++stats_.cases;
  const FusedOutputs got = dut_.eval(a, w, acc);
  FusedOutputs want;
  bool ok = true;
  try {
    for (int i = 0; i < count; ++i) {
      av_[i] = value(a[i], u_.a, a_values_);
      wv_[i] = value(w[i], u_.w, w_values_);
    }
    bool cut[64] = {};
    const num::FusedStep step =
        num::fused_step(value(acc, u_.accumulator, acc_values_), av_.data(), 1, wv_.data(), 1,
                        count, num::FusedOrder{u_.terms, u_.align_bits, true}, u_.accumulator,
                        u_.accumulator, floor_a_, floor_w_, cut);
    want.acc = num::encode(step.sum, u_.accumulator);
    want.events = step.events;
    for (int b = 0; b < 4; ++b) coverage_.events[b] += (step.events >> b) & 1;
    coverage_.align_inexact += step.align_inexact > 0;
    coverage_.cut += step.cut > 0;
    for (int i = 0; i <= count; ++i) want.cut_terms |= std::uint64_t{cut[i]} << i;
    // The golden model counts the terms whose alignment dropped bits; the device names them.
    ok = step.cut == std::popcount(want.cut_terms) &&
         step.align_inexact == std::popcount(got.inexact_terms) &&
         (got.inexact_terms >> (count + 1)) == 0;
    want.inexact_terms = got.inexact_terms;
  } catch (const std::exception& e) {
    if (stats_.mismatches < max_reports_)
      fmt::print(log_, "golden model failed on a=[{}] w=[{}] acc={:#x}: {}\n", codes(a, count),
                 codes(w, count), acc, e.what());
    ok = false;
  }
  ok = ok && got == want;
  if (!ok) {
    if (stats_.mismatches < max_reports_) report(a, w, acc, count, want, got);
    ++stats_.mismatches;
  }
  return ok;
}

void FusedChecker::report(const std::vector<std::uint64_t>& a, const std::vector<std::uint64_t>& w,
                          std::uint64_t acc, int count, const FusedOutputs& want,
                          const FusedOutputs& got) const {
  fmt::print(log_,
             "fused mismatch, G={} F={} a={} w={} accumulator={}, {} products\n"
             "  a       [{}]\n  w       [{}]\n  acc_in  {}\n"
             "  acc_out expected {} events {} cut terms {:#x}\n"
             "          actual   {} events {} cut terms {:#x} inexact terms {:#x}\n",
             u_.terms, u_.align_bits, u_.a.to_string(), u_.w.to_string(),
             u_.accumulator.to_string(), count, codes(a, count), codes(w, count),
             describe_code(acc, u_.accumulator), describe_code(want.acc, u_.accumulator),
             describe_events(want.events), want.cut_terms, describe_code(got.acc, u_.accumulator),
             describe_events(got.events), got.cut_terms, got.inexact_terms);
}

// A code of x's quantized value in f, moved by -3..3 codes (ties, cancellation neighbours).
std::uint64_t FusedChecker::code_near(double x, const num::Format& f, std::mt19937_64& rng) const {
  if (!std::isfinite(x) || x == 0) return rng() & mask(f.width());
  const std::uint64_t sign_bit = std::uint64_t{1} << (f.exp + f.man);
  const std::uint64_t c = num::encode(num::quantize(x, f).value, f);
  const auto max_mag = static_cast<std::int64_t>((top_finite_exp(f) << f.man) | mask(f.man));
  const std::int64_t mag = std::clamp<std::int64_t>(
      static_cast<std::int64_t>(c & ~sign_bit) + static_cast<std::int64_t>(rng() % 7) - 3, 0,
      max_mag);
  return (c & sign_bit) | static_cast<std::uint64_t>(mag);
}

// A finite code with exponent code in [exp_lo, exp_hi] (clamped), any sign and fraction.
std::uint64_t FusedChecker::random_code(const num::Format& f, int exp_lo, int exp_hi,
                                        std::mt19937_64& rng) const {
  exp_lo = std::clamp(exp_lo, 0, top_exp(f));
  exp_hi = std::clamp(exp_hi, exp_lo, top_exp(f));
  const auto e = static_cast<std::uint64_t>(
      exp_lo + static_cast<int>(rng() % static_cast<std::uint64_t>(exp_hi - exp_lo + 1)));
  return (rng() & (std::uint64_t{1} << (f.exp + f.man))) | (e << f.man) | (rng() & mask(f.man));
}

void FusedChecker::check_edges(std::uint64_t n, std::uint64_t seed, bool all_acc) {
  const auto ea = edge_codes(u_.a), ew = edge_codes(u_.w), eacc = edge_codes(u_.accumulator);
  const auto g = static_cast<std::size_t>(u_.terms);
  std::vector<std::uint64_t> a(g, 0), w(g, 0);
  // Every edge pair as a lone product against edge accumulators (in turn, or all of them)...
  const std::size_t per_pair = all_acc ? eacc.size() : std::min<std::size_t>(4, eacc.size());
  std::size_t next = 0;
  for (auto x : ea)
    for (auto y : ew)
      for (std::size_t j = 0; j < per_pair; ++j) {
        a[0] = x;
        w[0] = y;
        check(a, w, eacc[next++ % eacc.size()], 1);
      }
  // ...then groups of edge codes, some of them short.
  std::mt19937_64 rng(seed);
  for (std::uint64_t k = 0; k < n; ++k) {
    const int count = (k % 4 == 0) ? 1 + static_cast<int>(rng() % g) : u_.terms;
    std::fill(a.begin(), a.end(), 0);
    std::fill(w.begin(), w.end(), 0);
    for (int i = 0; i < count; ++i) {
      a[i] = ea[rng() % ea.size()];
      w[i] = ew[rng() % ew.size()];
    }
    check(a, w, eacc[rng() % eacc.size()], count);
  }
}

// Generators, one per case in turn:
//   0 uniform codes; 1 operands in a few neighbouring binades and the accumulator near minus
//   their sum (cancellation, carries); 2 one large product and the rest many binades below
//   (terms cut or cut to zero); 3 a short or all-zero group; 4 the accumulator near the sum's
//   binade give or take M + F binades (swamping, alignment of the running sum); 5 products
//   cancelling in pairs.
void FusedChecker::check_random(std::uint64_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  const auto g = static_cast<std::size_t>(u_.terms);
  const num::Format& fa = u_.a;
  const num::Format& fw = u_.w;
  const num::Format& facc = u_.accumulator;
  std::vector<std::uint64_t> a(g), w(g);
  for (std::uint64_t k = 0; k < n; ++k) {
    const int mode = static_cast<int>(k % 6);
    int count = u_.terms;
    const int ca = static_cast<int>(rng() % static_cast<std::uint64_t>(top_exp(fa) + 1));
    const int cw = static_cast<int>(rng() % static_cast<std::uint64_t>(top_exp(fw) + 1));
    for (std::size_t i = 0; i < g; ++i) {
      switch (mode) {
        case 1:
        case 4:
          a[i] = random_code(fa, ca - 1, ca + 1, rng);
          w[i] = random_code(fw, cw - 1, cw + 1, rng);
          break;
        case 2:
          a[i] = i == k % g
                     ? random_code(fa, ca, ca, rng)
                     : random_code(fa, 0, ca - fa.man - 2 - static_cast<int>(rng() % 8), rng);
          w[i] = random_code(fw, cw, cw, rng);
          break;
        case 5:
          a[i] =
              i % 2 ? a[i - 1] ^ (std::uint64_t{1} << (fa.exp + fa.man)) : rng() & mask(fa.width());
          w[i] = i % 2 ? w[i - 1] : rng() & mask(fw.width());
          break;
        default:
          a[i] = rng() & mask(fa.width());
          w[i] = rng() & mask(fw.width());
      }
    }
    if (mode == 3) {
      count = static_cast<int>(rng() % g) + 1;
      const bool all_zero = rng() % 8 == 0;
      for (std::size_t i = 0; i < g; ++i)
        if (i >= static_cast<std::size_t>(count) || all_zero) a[i] = w[i] = 0;
    }
    double sum = 0;
    for (int i = 0; i < count; ++i) sum += value(a[i], fa, a_values_) * value(w[i], fw, w_values_);
    std::uint64_t acc = rng() & mask(facc.width());
    if (mode == 1 || mode == 5) {
      acc = code_near(-sum, facc, rng);
    } else if (mode == 4 && std::isfinite(sum) && sum != 0) {
      const int spread = facc.man + u_.align_bits + 2;
      const int e =
          std::ilogb(sum) + facc.bias + static_cast<int>(rng() % (2 * spread + 1)) - spread;
      acc = random_code(facc, e, e, rng);
    }
    check(a, w, acc, count);
  }
}

std::uint64_t FusedChecker::exhaustive_cases() const {
  const int bits = u_.terms * (u_.a.width() + u_.w.width()) + u_.accumulator.width();
  return bits >= 64 ? ~std::uint64_t{0} : std::uint64_t{1} << bits;
}

void FusedChecker::check_exhaustive(std::uint64_t stride) {
  const auto g = static_cast<std::size_t>(u_.terms);
  const int wa = u_.a.width(), ww = u_.w.width();
  const std::uint64_t total = exhaustive_cases();
  std::vector<std::uint64_t> a(g), w(g);
  for (std::uint64_t c = 0; c < total; c += stride) {
    // c = acc | w codes | a codes, from the low bits up.
    std::uint64_t rest = c;
    const std::uint64_t acc = rest & mask(u_.accumulator.width());
    rest >>= u_.accumulator.width();
    for (std::size_t i = 0; i < g; ++i, rest >>= ww) w[i] = rest & mask(ww);
    for (std::size_t i = 0; i < g; ++i, rest >>= wa) a[i] = rest & mask(wa);
    check(a, w, acc, u_.terms);
  }
}

}  // namespace lbasim::rtl
