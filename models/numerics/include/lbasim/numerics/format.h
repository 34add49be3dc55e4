// A small floating-point format (numerics contract, section 1) and its derived limits.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

namespace lbasim {
class JsonField;
}  // namespace lbasim

namespace lbasim::num {

enum class Underflow : std::uint8_t { flush, subnormal, none };
enum class Overflow : std::uint8_t { saturate, inf, none };
enum class Rounding : std::uint8_t { rtz, rne };
// ieee: top exponent code is inf/NaN. nan: only the code S.1...1.1...1 is NaN (OCP E4M3).
enum class Specials : std::uint8_t { none, ieee, nan };

// Limits of what the golden model (double based) can represent.
inline constexpr int kMaxMan = 52;
inline constexpr int kMaxExp = 11;

struct Format {
  int man = 7;  // stored fraction bits M (hidden bit not counted)
  int exp = 4;  // exponent field bits E
  int bias = 7;
  Underflow underflow = Underflow::flush;
  Overflow overflow = Overflow::saturate;
  Rounding rounding = Rounding::rtz;
  Specials specials = Specials::none;

  // Bits of the encoding sign|exponent|mantissa.
  int width() const { return 1 + exp + man; }
  // Exponent of the smallest normal binade: 2^(1-bias).
  int emin() const { return 1 - bias; }
  // Exponent of the largest finite binade.
  int emax() const;
  // Largest finite magnitude.
  double max_value() const;
  // Smallest normal magnitude, 2^(1-bias).
  double min_normal() const;
  // True if every value has a bit encoding (no `none` policy).
  bool encodable() const { return underflow != Underflow::none && overflow != Overflow::none; }

  // Canonical shorthand that parse_format() reads back to the same format.
  std::string to_string() const;

  friend bool operator==(const Format&, const Format&) = default;
};

// Default exponent bias for E exponent bits: 2^(E-1)-1.
int default_bias(int exp);

// Throws InputError (naming the field, the value and what was expected) if the combination of
// fields is invalid or outside what the golden model can compute exactly in double.
void validate(const Format& f);

// Parses a shorthand ("M7E4", "M7E4b10", "M10E5:rne:subnormal", "fp16", "fp8_e4m3:rtz"),
// case-insensitive, and validates it. See docs/numerics.md for the grammar.
Format parse_format(std::string_view text);

// A format from JSON: a shorthand string, or an object with keys man, exp, bias, underflow,
// overflow, rounding, specials (missing keys take the contract's defaults). Validated; errors
// name the document and the field (JsonField; the plain-JSON overload names it "format").
Format format_from_field(const JsonField& f);
Format format_from_json(const nlohmann::json& j);
nlohmann::json format_to_json(const Format& f);

std::string_view to_string(Underflow u);
std::string_view to_string(Overflow o);
std::string_view to_string(Rounding r);
std::string_view to_string(Specials s);

}  // namespace lbasim::num
