// Exact products and sums of doubles as integer significands (no double rounding).
#include "exact.h"

#include <bit>
#include <cmath>
#include <utility>

namespace lbasim::num::detail {

int msb(u128 mag) {
  const auto hi = static_cast<std::uint64_t>(mag >> 64);
  if (hi != 0) return 127 - __builtin_clzll(hi);
  return 63 - __builtin_clzll(static_cast<std::uint64_t>(mag));
}

Exact exact_from(double x) {
  // Read the IEEE fields directly; subnormals are normalized so that every non-zero
  // significand has its top bit at position 52.
  const auto bits = std::bit_cast<std::uint64_t>(x);
  Exact e;
  e.neg = (bits >> 63) != 0;
  const int field = static_cast<int>((bits >> 52) & 0x7ff);
  std::uint64_t sig = bits & ((std::uint64_t{1} << 52) - 1);
  if (field == 0) {
    if (sig == 0) return e;
    const int up = __builtin_clzll(sig) - 11;
    e.mag = sig << up;
    e.exp = -1074 - up;
    return e;
  }
  e.mag = sig | (std::uint64_t{1} << 52);
  e.exp = field - 1075;
  return e;
}

Exact exact_product(double a, double b) {
  Exact pa = exact_from(a), pb = exact_from(b);
  Exact p;
  p.neg = pa.neg != pb.neg;
  p.mag = pa.mag * pb.mag;
  p.exp = pa.exp + pb.exp;
  return p;
}

Exact exact_sum(double a, double b) {
  Exact x = exact_from(a), y = exact_from(b);
  if (x.is_zero() && y.is_zero()) {
    Exact z;
    z.neg = x.neg && y.neg;
    return z;
  }
  if (y.is_zero()) return x;
  if (x.is_zero()) return y;
  // Both have 53-bit significands; order so that |x| >= |y|.
  if (y.exp > x.exp || (y.exp == x.exp && y.mag > x.mag)) std::swap(x, y);
  // x moves up by 64 bits of headroom; y is aligned to x's new last bit.
  constexpr int kHeadroom = 64;
  Exact s;
  s.neg = x.neg;
  s.exp = x.exp - kHeadroom;
  const u128 big = x.mag << kHeadroom;
  const int up = y.exp - s.exp;  // <= 64 because y.exp <= x.exp
  u128 small = 0;
  bool lost = false;
  if (up >= 0) {
    small = y.mag << up;
  } else if (-up < 64) {
    small = y.mag >> -up;
    lost = (y.mag & ((u128{1} << -up) - 1)) != 0;
  } else {
    lost = true;  // y lies wholly below x's last bit - 64: only its sign matters
  }
  if (x.neg == y.neg) {
    s.mag = big + small;
    s.sticky = lost;
  } else {
    // big - (small + d), 0 < d < 1 ulp  ==  (big - small - 1) + (1 - d).
    s.mag = big - small - (lost ? 1 : 0);
    s.sticky = lost;
    if (s.mag == 0 && !s.sticky) s.neg = false;  // exact cancellation: +0
  }
  return s;
}

}  // namespace lbasim::num::detail
