// Fused multi-term accumulation, tensor-core style (numerics contract, section 7): groups of g
// exact products and the running sum, each term cut to F fraction bits below the largest
// exponent, summed exactly and rounded once into the accumulator format.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "lbasim/numerics/events.h"
#include "lbasim/numerics/format.h"

namespace lbasim::num {

// Limits of the golden model: a group's exact sum stays below 2^(F + 2 + 11) units of the
// truncation quantum, well inside 128-bit integers.
inline constexpr int kMaxFusedTerms = 1024;
inline constexpr int kMaxAlignBits = 100;

// The "fused" key of a config: {"terms": g, "align_bits": F}.
struct FusedOrder {
  int terms = 32;       // g: products added with the running sum in one step
  int align_bits = 13;  // F: fraction bits kept below the largest exponent E
  // "product": "exact" (the default with "fused"): products enter the adder exactly. Otherwise
  // the config's product format must hold every product exactly (checked per product).
  bool exact_product = true;

  friend bool operator==(const FusedOrder&, const FusedOrder&) = default;
};

// e(x) = floor(log2|x|) of an operand is not taken below the minimum normal exponent of its
// format where that format is declared (section 7): a subnormal code 0.m * 2^emin has exponent
// emin in the hardware's adder. kNoFloor: undeclared.
inline constexpr int kNoFloor = std::numeric_limits<int>::min() / 4;

struct OperandFloors {
  int a = kNoFloor;    // every element of A
  std::vector<int> w;  // empty: none; one value: every column of W; else one per column

  int w_col(std::int64_t j) const {
    if (w.empty()) return kNoFloor;
    return w.size() == 1 ? w[0] : w[static_cast<std::size_t>(j)];
  }
  bool any() const { return a != kNoFloor || !w.empty(); }
  friend bool operator==(const OperandFloors&, const OperandFloors&) = default;
};

// The floor of an operand quantized as 2^s * Q_f(x / 2^s): f.emin() + s when f has subnormals,
// else kNoFloor (a flushing format has no value below its smallest normal).
int operand_floor(const Format& f, int scale_exp = 0);

// One fused step: s' = Q_acc(trunc(s) + sum of trunc(a_i * w_i)), i < count (1..g).
struct FusedStep {
  double sum;             // s'
  std::uint8_t events;    // of Q_acc; kSwamped: a non-zero aligned product sum left s unchanged
  int align_inexact = 0;  // terms (s included) whose alignment dropped non-zero bits
  int cut = 0;            // non-zero terms (s included) cut to zero: swamped
};

// Adds one step to the accumulator stage's counts: one op, the events of Q_acc, align_inexact,
// and every cut term as swamped (so swamped counts terms and may exceed ops).
void add_step(EventCounts& c, const FusedStep& step);

// term_cut, when not null, receives count + 1 flags: [0] s, [1 + i] product i, each true if
// that non-zero term was cut to zero by the alignment.
FusedStep fused_step(double s, const double* a, std::ptrdiff_t a_stride, const double* w,
                     std::ptrdiff_t w_stride, int count, const FusedOrder& order,
                     const Format& product, const Format& accumulator, int floor_a = kNoFloor,
                     int floor_w = kNoFloor, bool* term_cut = nullptr);

}  // namespace lbasim::num
