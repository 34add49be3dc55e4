// Exact values before rounding: products and sums of doubles, held without loss.
// Internal to the numerics library; the one place Q_f reads its input from.
#pragma once

#include <cstdint>

namespace lbasim::num::detail {

using u128 = unsigned __int128;

// |x| = mag * 2^exp exactly when !sticky; when sticky, mag * 2^exp < |x| < (mag + 1) * 2^exp.
// A sticky value always carries at least 60 bits below any rounding position a format can ask
// for, so the sticky bit only ever decides "above or below half", never the round bit itself.
struct Exact {
  bool neg = false;
  u128 mag = 0;
  int exp = 0;
  bool sticky = false;

  bool is_zero() const { return mag == 0 && !sticky; }
};

// Position of the most significant set bit of a non-zero mag.
int msb(u128 mag);

// A finite double, exactly.
Exact exact_from(double x);
// The product of two finite doubles, exactly (106-bit significand).
Exact exact_product(double a, double b);
// The sum of two finite doubles: exact up to a sticky bit far below the result's last bit.
// An exact zero sum is +0 unless both operands are -0 (IEEE rule).
Exact exact_sum(double a, double b);

}  // namespace lbasim::num::detail
