// An exact oracle of the numerics contract built on MPFR, independent of the golden model: it
// reads only the Format's fields and implements Q_f, FMAq and the chunked dot product from the
// contract text (the numerics contract, and docs/numerics.md where lbasim decides what the
// contract leaves open).
#pragma once

#include <mpfr.h>

#include <cstdint>
#include <vector>

#include "lbasim/numerics/format.h"

namespace lbasim::num::oracle {

// RAII wrapper of one mpfr_t.
class Real {
 public:
  explicit Real(mpfr_prec_t prec) { mpfr_init2(v_, prec); }
  Real(const Real&) = delete;
  Real& operator=(const Real&) = delete;
  ~Real() { mpfr_clear(v_); }
  mpfr_ptr get() { return v_; }
  mpfr_srcptr get() const { return v_; }

 private:
  mpfr_t v_;
};

// The event bits as the brief defines them (same values as lbasim::num::Event).
inline constexpr std::uint8_t kOverflowBit = 1;
inline constexpr std::uint8_t kUnderflowBit = 2;
inline constexpr std::uint8_t kInexactBit = 4;
inline constexpr std::uint8_t kSwampedBit = 8;
// Events of a NaN result: not defined by the contract or docs/numerics.md, so tests skip them.
inline constexpr std::uint8_t kUnspecified = 0xFF;

struct Result {
  double value;
  std::uint8_t events;
};

// Largest finite magnitude of f, derived from the contract's formulas (exact in double for
// every format the tests use).
double max_value(const Format& f);

// Q_f(x) of an exact real x (finite).
Result quantize(mpfr_srcptr x, const Format& f);
// Q_f(x) of a double; inf is an overflow (+-max under saturate), NaN propagates.
Result quantize(double x, const Format& f);

// Q_f(x + y) from the exact sum; kSwamped when y != 0, x != 0, result == x, no overflow.
Result add(double x, double y, const Format& f);

// Q_f(a * w) from the exact product.
Result mul(double a, double w, const Format& f);

struct FmaResult {
  double acc;
  double product;
  std::uint8_t prod_events;
  std::uint8_t acc_events;
};
FmaResult fma(double acc, double a, double w, const Format& product, const Format& accumulator);

// Events counted per stage, as plain numbers (ops, overflow, underflow, swamped, inexact).
struct Counts {
  std::uint64_t ops = 0, overflow = 0, underflow = 0, swamped = 0, inexact = 0;
  void add(std::uint8_t e) {
    ++ops;
    overflow += (e & kOverflowBit) != 0;
    underflow += (e & kUnderflowBit) != 0;
    swamped += (e & kSwampedBit) != 0;
    inexact += (e & kInexactBit) != 0;
  }
};
struct DotResult {
  double value;
  Counts product, accumulator, chunk;
};

// The contract's chunked dot product (section 3): chunk 0 or >= k is one chunk.
DotResult dot(const std::vector<double>& a, const std::vector<double>& w, std::int64_t chunk,
              const Format& product, const Format& accumulator, const Format& chunk_accumulator);

// True if a and b are the same double bit for bit, or both NaN.
bool same_bits(double a, double b);

}  // namespace lbasim::num::oracle
