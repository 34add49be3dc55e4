// The golden-model comparison behind the RTL tests and `lbasim verify fmaq`.
#include "fmaq_check.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <exception>
#include <set>

#include "lbasim/numerics/encoding.h"
#include "lbasim/numerics/events.h"
#include "lbasim/numerics/fmaq.h"
#include "lbasim/numerics/quantize.h"

namespace lbasim::rtl {
namespace {

constexpr int kMaxTableBits = 16;

std::uint64_t mask(int bits) { return (std::uint64_t{1} << bits) - 1; }

}  // namespace

std::vector<double> code_values(const num::Format& f) {
  std::vector<double> t;
  if (f.width() > kMaxTableBits) return t;
  t.resize(std::size_t{1} << f.width());
  for (std::uint64_t c = 0; c < t.size(); ++c) t[c] = num::decode(c, f);
  return t;
}

double code_value(std::uint64_t code, const num::Format& f, const std::vector<double>& table) {
  return table.empty() ? num::decode(code, f) : table[code];
}

std::uint64_t top_finite_exp(const num::Format& f) {
  return mask(f.exp) - (f.specials == num::Specials::ieee ? 1 : 0);
}

FmaqChecker::FmaqChecker(FmaqDut& dut, std::FILE* log, std::uint64_t max_reports)
    : dut_(dut),
      f_(dut.formats()),
      log_(log),
      max_reports_(max_reports),
      a_values_(code_values(f_.a)),
      w_values_(code_values(f_.w)),
      acc_values_(code_values(f_.accumulator)) {}

double FmaqChecker::value(std::uint64_t code, const num::Format& f,
                          const std::vector<double>& table) const {
  return code_value(code, f, table);
}

bool FmaqChecker::check(std::uint64_t a, std::uint64_t w, std::uint64_t acc) {
  ++stats_.cases;
  const FmaqOutputs got = dut_.eval(a, w, acc);
  FmaqOutputs want;
  bool ok = true;
  try {
    const num::FmaqResult r =
        num::fmaq(value(acc, f_.accumulator, acc_values_), value(a, f_.a, a_values_),
                  value(w, f_.w, w_values_), f_.product, f_.accumulator);
    want = {num::encode(r.acc, f_.accumulator), num::encode(r.product, f_.product), r.prod_events,
            r.acc_events};
  } catch (const std::exception& e) {
    if (stats_.mismatches < max_reports_)
      fmt::print(log_, "golden model failed on a={:#x} w={:#x} acc={:#x}: {}\n", a, w, acc,
                 e.what());
    ok = false;
  }
  ok = ok && got.acc == want.acc && got.product == want.product &&
       got.prod_events == want.prod_events && got.acc_events == want.acc_events;
  if (!ok) {
    if (stats_.mismatches < max_reports_) report(a, w, acc, want, got);
    ++stats_.mismatches;
  }
  return ok;
}

void FmaqChecker::report(std::uint64_t a, std::uint64_t w, std::uint64_t acc,
                         const FmaqOutputs& want, const FmaqOutputs& got) const {
  fmt::print(log_,
             "FMAq mismatch, formats a={} w={} product={} accumulator={}\n"
             "  a       {}\n  w       {}\n  acc_in  {}\n"
             "  product expected {} events {}\n"
             "          actual   {} events {}\n"
             "  acc_out expected {} events {}\n"
             "          actual   {} events {}\n",
             f_.a.to_string(), f_.w.to_string(), f_.product.to_string(), f_.accumulator.to_string(),
             describe_code(a, f_.a), describe_code(w, f_.w), describe_code(acc, f_.accumulator),
             describe_code(want.product, f_.product), describe_events(want.prod_events),
             describe_code(got.product, f_.product), describe_events(got.prod_events),
             describe_code(want.acc, f_.accumulator), describe_events(want.acc_events),
             describe_code(got.acc, f_.accumulator), describe_events(got.acc_events));
}

void FmaqChecker::check_edges() {
  const auto ea = edge_codes(f_.a), ew = edge_codes(f_.w), eacc = edge_codes(f_.accumulator);
  for (auto a : ea)
    for (auto w : ew)
      for (auto acc : eacc) check(a, w, acc);
}

std::uint64_t FmaqChecker::acc_near_product(std::uint64_t a, std::uint64_t w,
                                            std::mt19937_64& rng) {
  const num::Format& fa = f_.accumulator;
  const double p =
      num::mul_q(value(a, f_.a, a_values_), value(w, f_.w, w_values_), f_.product).value;
  const std::uint64_t sign_bit = std::uint64_t{1} << (fa.exp + fa.man);
  if (!std::isfinite(p) || p == 0) return rng() & mask(fa.width());
  if (rng() & 1) {
    // Cancellation and ties: a few codes either side of -p (or of the saturated -p).
    const double q = num::quantize(-p, fa).value;
    const std::uint64_t c = num::encode(q, fa);
    const std::int64_t max_mag =
        static_cast<std::int64_t>((top_finite_exp(fa) << fa.man) | mask(fa.man));
    const std::int64_t mag = std::clamp<std::int64_t>(
        static_cast<std::int64_t>(c & ~sign_bit) + static_cast<std::int64_t>(rng() % 7) - 3, 0,
        max_mag);
    return (c & sign_bit) | static_cast<std::uint64_t>(mag);
  }
  // Alignment: an accumulator a few binades above or below the product, any fraction and sign.
  int e = 0;
  std::frexp(p, &e);
  const int spread = fa.man + 4;
  const std::int64_t code_exp = std::clamp<std::int64_t>(
      e - 1 + fa.bias + static_cast<int>(rng() % (2 * spread + 1)) - spread, 0,
      static_cast<std::int64_t>(top_finite_exp(fa)));
  return (rng() & sign_bit) | (static_cast<std::uint64_t>(code_exp) << fa.man) |
         (rng() & mask(fa.man));
}

void FmaqChecker::check_random(std::uint64_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  for (std::uint64_t i = 0; i < n; ++i) {
    const std::uint64_t a = rng() & mask(f_.a.width());
    const std::uint64_t w = rng() & mask(f_.w.width());
    const std::uint64_t acc =
        (i % 3 == 0) ? rng() & mask(f_.accumulator.width()) : acc_near_product(a, w, rng);
    check(a, w, acc);
  }
}

std::uint64_t FmaqChecker::exhaustive_cases() const {
  const int bits = f_.a.width() + f_.w.width() + f_.accumulator.width();
  return bits >= 64 ? ~std::uint64_t{0} : std::uint64_t{1} << bits;
}

void FmaqChecker::check_exhaustive(
    const std::function<void(std::uint64_t, std::uint64_t)>& progress) {
  const std::uint64_t na = std::uint64_t{1} << f_.a.width();
  const std::uint64_t nw = std::uint64_t{1} << f_.w.width();
  const std::uint64_t nacc = std::uint64_t{1} << f_.accumulator.width();
  const std::uint64_t total = exhaustive_cases();
  std::uint64_t done = 0, next_progress = std::uint64_t{1} << 22;
  for (std::uint64_t a = 0; a < na; ++a)
    for (std::uint64_t w = 0; w < nw; ++w) {
      for (std::uint64_t acc = 0; acc < nacc; ++acc) check(a, w, acc);
      done += nacc;
      if (progress && done >= next_progress) {
        progress(done, total);
        next_progress += std::uint64_t{1} << 22;
      }
    }
  if (progress) progress(done, total);
}

std::vector<std::uint64_t> edge_codes(const num::Format& f) {
  const std::uint64_t m = mask(f.man);
  const std::uint64_t top = top_finite_exp(f);
  const std::uint64_t one = static_cast<std::uint64_t>(std::clamp<std::int64_t>(f.bias, 1, top));
  const std::uint64_t half = std::uint64_t{1} << (f.man - 1);
  std::set<std::uint64_t> exps = {0, 1, 2, one - 1, one, one + 1, top - 1, top};
  if (f.specials == num::Specials::ieee) exps.insert(mask(f.exp));
  const std::set<std::uint64_t> fracs = {0, 1, 2, half - 1, half, half | 1, m - 1, m};
  std::vector<std::uint64_t> codes;
  for (std::uint64_t sign : {0, 1})
    for (std::uint64_t e : exps)
      for (std::uint64_t fr : fracs)
        if (e <= mask(f.exp) && fr <= m)
          codes.push_back((sign << (f.exp + f.man)) | (e << f.man) | fr);
  return codes;
}

std::string describe_code(std::uint64_t code, const num::Format& f) {
  const int digits = (f.width() + 3) / 4;
  return fmt::format("0x{:0{}x} ({} = {:a})", code, digits, num::decode(code, f),
                     num::decode(code, f));
}

std::string describe_events(std::uint8_t events) {
  std::string s;
  const auto add = [&](std::uint8_t bit, const char* name) {
    if (events & bit) s += s.empty() ? name : std::string("|") + name;
  };
  add(num::kOverflow, "overflow");
  add(num::kUnderflow, "underflow");
  add(num::kInexact, "inexact");
  add(num::kSwamped, "swamped");
  return s.empty() ? "-" : s;
}

}  // namespace lbasim::rtl
