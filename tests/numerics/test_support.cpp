#include "test_support.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdio>

namespace lbasim::num::testing {

Format make_format(int man, int exp, int bias, Underflow u, Overflow o, Rounding r, Specials s) {
  Format f;
  f.man = man;
  f.exp = exp;
  f.bias = bias;
  f.underflow = u;
  f.overflow = o;
  f.rounding = r;
  f.specials = s;
  return f;
}

namespace {
using U = Underflow;
using O = Overflow;
using R = Rounding;
using S = Specials;

Format ieee(int man, int exp) {
  return make_format(man, exp, (1 << (exp - 1)) - 1, U::subnormal, O::inf, R::rne, S::ieee);
}
}  // namespace

Format fp32() { return ieee(23, 8); }
Format fp16() { return ieee(10, 5); }
Format bf16() { return ieee(7, 8); }
Format fp8_e4m3() { return make_format(3, 4, 7, U::subnormal, O::saturate, R::rne, S::nan); }
Format fp8_e5m2() { return ieee(2, 5); }
Format m13e8_rtz() { return make_format(13, 8, 127, U::subnormal, O::inf, R::rtz, S::ieee); }
Format fp32_rtz() { return make_format(23, 8, 127, U::subnormal, O::inf, R::rtz, S::ieee); }

std::vector<NamedFormat> oracle_formats() {
  Format e4m3_rtz = fp8_e4m3();
  e4m3_rtz.rounding = R::rtz;
  return {
      {"M7E4b10_paper_acc", make_format(7, 4, 10, U::flush, O::saturate, R::rtz)},
      {"M7E4b12_paper_prod", make_format(7, 4, 12, U::flush, O::saturate, R::rtz)},
      {"M4E3_paper_wa", make_format(4, 3, 3, U::flush, O::saturate, R::rtz)},
      {"M3E4", make_format(3, 4, 7, U::flush, O::saturate, R::rtz)},
      {"M6E3_rne_flush", make_format(6, 3, 3, U::flush, O::saturate, R::rne)},
      {"M10E5_rne_subnormal_sat", make_format(10, 5, 15, U::subnormal, O::saturate, R::rne)},
      {"fp16", fp16()},
      {"bf16", bf16()},
      {"fp32", fp32()},
      {"fp8_e4m3", fp8_e4m3()},
      {"fp8_e4m3_rtz", e4m3_rtz},
      {"fp8_e5m2", fp8_e5m2()},
      {"M0E5", make_format(0, 5, 15, U::flush, O::saturate, R::rtz)},
      {"M0E5_rne_subnormal", make_format(0, 5, 15, U::subnormal, O::saturate, R::rne)},
      {"M2E1", make_format(2, 1, 0, U::flush, O::saturate, R::rtz)},
      {"M2E1_rne_subnormal", make_format(2, 1, 0, U::subnormal, O::saturate, R::rne)},
      {"M1E2_rne_subnormal", make_format(1, 2, 1, U::subnormal, O::saturate, R::rne)},
      {"M23E8_rtz_flush", make_format(23, 8, 127, U::flush, O::saturate, R::rtz)},
      {"M23E8_rtz_subnormal", make_format(23, 8, 127, U::subnormal, O::saturate, R::rtz)},
      {"M7E4_bias_minus20_rne_sub", make_format(7, 4, -20, U::subnormal, O::saturate, R::rne)},
      {"M5E6_bias100", make_format(5, 6, 100, U::flush, O::saturate, R::rtz)},
      {"M7E4_bias40_rne_sub", make_format(7, 4, 40, U::subnormal, O::saturate, R::rne)},
      {"M7E4b10_underflow_none", make_format(7, 4, 10, U::none, O::saturate, R::rtz)},
      {"M4E3_overflow_none_rne", make_format(4, 3, 3, U::subnormal, O::none, R::rne)},
      {"M7E4b10_both_none_rne", make_format(7, 4, 10, U::none, O::none, R::rne)},
      {"M3E4_ieee_inf_rtz", make_format(3, 4, 7, U::subnormal, O::inf, R::rtz, S::ieee)},
      {"M3E4_ieee_saturate_rne", make_format(3, 4, 7, U::subnormal, O::saturate, R::rne, S::ieee)},
      {"M52E11_double", ieee(52, 11)},
      {"M30E9_rne_flush", make_format(30, 9, 200, U::flush, O::saturate, R::rne)},
      {"M1E4_nan_rne_subnormal", make_format(1, 4, 7, U::subnormal, O::saturate, R::rne, S::nan)},
      {"M3E4_nan_rtz_flush", make_format(3, 4, 9, U::flush, O::saturate, R::rtz, S::nan)},
      {"M5E4_nan_overflow_none", make_format(5, 4, 7, U::subnormal, O::none, R::rne, S::nan)},
      {"M0E1", make_format(0, 1, 0, U::flush, O::saturate, R::rtz)},
      {"M0E3_bias_minus5_rne_sub", make_format(0, 3, -5, U::subnormal, O::saturate, R::rne)},
      {"M3E11b1030_rne_subnormal", make_format(3, 11, 1030, U::subnormal, O::saturate, R::rne)},
      {"M51E11b1024_rne_subnormal", make_format(51, 11, 1024, U::subnormal, O::saturate, R::rne)},
      {"M52E10b1000_rtz_subnormal", make_format(52, 10, 1000, U::subnormal, O::saturate, R::rtz)},
      {"M40E11b1030_rne_flush_ieee", make_format(40, 11, 1030, U::flush, O::inf, R::rne, S::ieee)},
  };
}

int top_binade(const Format& f) {
  const int top_code = (1 << f.exp) - 1;
  return (f.specials == Specials::ieee ? top_code - 1 : top_code) - f.bias;
}

int min_quantum_exp(const Format& f) { return 1 - f.bias - f.man; }

double random_value(std::mt19937_64& rng, const Format& f) {
  const int lo = std::max(-1074, min_quantum_exp(f) - 4);
  const int hi = std::min(1023, top_binade(f) + 4);
  const int e = std::uniform_int_distribution<int>(lo, hi)(rng);
  const std::uint64_t bits = rng();
  std::uint64_t frac = bits & ((1ULL << 52) - 1);
  const int keep = std::min(52, f.man + 2);  // fraction bits that reach a tie position
  switch ((bits >> 52) % 8) {
    case 0:
    case 1:  // exact values and ties: nothing below the first dropped bit
      frac &= ~((1ULL << (52 - keep)) - 1);
      break;
    case 2:  // a tie or exact value plus one sticky bit somewhere below
      frac &= ~((1ULL << (52 - keep)) - 1);
      if (keep < 52) frac |= 1ULL << (rng() % (52 - keep));
      break;
    case 3: {  // a few scattered bits
      frac = 0;
      const int n = 1 + static_cast<int>(rng() % 3);
      for (int i = 0; i < n; ++i) frac |= 1ULL << (rng() % 52);
      break;
    }
    default:
      break;
  }
  const double sig = 1.0 + std::ldexp(static_cast<double>(frac), -52);
  const double v = std::ldexp(sig, e);  // rounds once if e falls in the double subnormals
  return (bits >> 63) ? -v : v;
}

std::vector<double> edge_values(const Format& f) {
  std::vector<double> v;
  auto p2 = [](int e) { return std::ldexp(1.0, e); };
  auto add_near = [&v](double x) {
    v.push_back(x);
    v.push_back(std::nextafter(x, HUGE_VAL));
    v.push_back(std::nextafter(x, 0.0));
  };
  const int emin = 1 - f.bias;
  const int top = top_binade(f);
  std::vector<int> binades;
  for (int e = min_quantum_exp(f) - 3; e <= emin + 2; ++e) {
    if (e > min_quantum_exp(f) + 2 && e < emin - 2) continue;  // sample the subnormal range
    binades.push_back(e);
  }
  for (int e : {-2, -1, 0, 1, 2, top - 1, top, top + 1, top + 2}) binades.push_back(e);
  for (int e : binades) {
    if (e < -1074 || e > 1023) continue;
    const int q = (f.underflow == Underflow::subnormal ? std::max(e, emin) : e) - f.man;
    const double b = p2(e);
    add_near(b);
    add_near(b + p2(q));
    add_near(b + p2(q - 1));      // tie between 2^e and 2^e + ulp (to even: down)
    add_near(b + 3 * p2(q - 1));  // tie between ulp and 2 ulp (to even: up)
    add_near(2 * b - p2(q - 1));  // tie at the top of the binade (carry to 2^(e+1))
    add_near(2 * b - p2(q));      // largest value of the binade
    add_near(2 * b - 3 * p2(q - 2));
    add_near(b + p2(q - 2) + p2(q - 1));  // above a tie
  }
  const double min_normal = p2(emin);
  const double min_sub = p2(min_quantum_exp(f));
  for (double x : {min_normal, min_normal / 2, min_normal * 0.75, min_sub, min_sub / 2,
                   min_sub * 1.5, min_sub * 0.75, min_sub / 4, min_sub * 2.5}) {
    add_near(x);
  }
  if (top <= 1023) {
    const double ulp = p2(top - f.man);
    double max = (2 * p2(top) - ulp);
    if (f.specials == Specials::nan) max -= ulp;
    for (double x : {max, max + ulp / 2, max + ulp, max + ulp * 1.5, max * 2, max * 4, max * 1.5}) {
      add_near(x);
    }
  }
  for (double x : {0.0, 1.0, 3.0, 1.5, DBL_MAX, DBL_MIN, DBL_TRUE_MIN, DBL_MIN / 2, 0x1p-1060,
                   1e300, 1e-300, 0x1.fffffffffffffp1023, 0x1.0000000000001p0, 0x1.8p-1074}) {
    add_near(x);
  }
  const std::size_t n = v.size();
  for (std::size_t i = 0; i < n; ++i) v.push_back(-v[i]);
  std::erase_if(v, [](double x) { return !std::isfinite(x); });
  return v;
}

std::string hex(double x) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%a", x);
  return buf;
}

}  // namespace lbasim::num::testing
