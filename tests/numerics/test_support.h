// Formats and input generators shared by the numerics suites. Formats are built field by field
// (not parsed) so the oracle tests do not depend on the parser under test.
#pragma once

#include <cstdint>
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include "lbasim/numerics/format.h"

namespace lbasim::num::testing {

struct NamedFormat {
  std::string name;  // a gtest-safe name
  Format format;
};
// Keeps gtest from printing the struct's bytes.
inline void PrintTo(const NamedFormat& f, std::ostream* os) { *os << f.name; }

Format make_format(int man, int exp, int bias, Underflow u, Overflow o, Rounding r,
                   Specials s = Specials::none);

// The published IEEE/OCP formats, written out from their definitions.
Format fp32();
Format fp16();
Format bf16();
Format fp8_e4m3();
Format fp8_e5m2();
// The GPU accumulators of section 7: FP32's range with 13 fraction bits (Hopper FP8) and FP32,
// both truncating.
Format m13e8_rtz();
Format fp32_rtz();

// The formats the oracle comparison sweeps over.
std::vector<NamedFormat> oracle_formats();

// Exponent of the largest finite binade and of the smallest (subnormal) quantum, from the
// contract's definitions.
int top_binade(const Format& f);
int min_quantum_exp(const Format& f);

// Random finite doubles around f's range: random sign and binade, mantissas that are random,
// short (exact values and ties), tie-plus-sticky, or a few scattered bits.
double random_value(std::mt19937_64& rng, const Format& f);

// Hand-picked edge values of f (both signs): ties at each rounding position, powers of two,
// min normal and below, min subnormal and half of it, max and above, zeros, extreme doubles.
std::vector<double> edge_values(const Format& f);

// "%a" of a double, for failure messages.
std::string hex(double x);

}  // namespace lbasim::num::testing
