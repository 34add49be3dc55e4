// Formats from text (shorthand, presets, policy keywords) and from JSON.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "lbasim/base/error.h"
#include "lbasim/base/json_field.h"
#include "lbasim/numerics/format.h"

namespace lbasim::num {
namespace {

struct Preset {
  std::string_view name;
  Format format;
};

constexpr Format ieee_like(int man, int exp) {
  return Format{man,
                exp,
                (1 << (exp - 1)) - 1,
                Underflow::subnormal,
                Overflow::inf,
                Rounding::rne,
                Specials::ieee};
}

constexpr std::array kPresets{
    Preset{"fp32", ieee_like(23, 8)},
    Preset{"fp16", ieee_like(10, 5)},
    Preset{"bf16", ieee_like(7, 8)},
    Preset{"fp8_e4m3",
           Format{3, 4, 7, Underflow::subnormal, Overflow::saturate, Rounding::rne,
                  Specials::nan}},
    Preset{"fp8_e5m2", ieee_like(2, 5)},
};

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string preset_names() {
  std::string names;
  for (const auto& p : kPresets) names += (names.empty() ? "" : ", ") + std::string(p.name);
  return names;
}

std::optional<int> parse_int(std::string_view s) {
  int v = 0;
  const char* end = s.data() + s.size();
  auto [ptr, ec] = std::from_chars(s.data(), end, v);
  if (ec != std::errc() || ptr != end || s.empty()) return std::nullopt;
  return v;
}

[[noreturn]] void bad_text(std::string_view text, std::string_view why) {
  throw InputError(fmt::format("format '{}': {}", text, why));
}

// "m7e4" or "m7e4b10" (already lower case).
Format parse_base(std::string_view text, std::string_view base) {
  const auto expected =
      fmt::format("a preset ({}) or MxEy[bz] with integers x, y, z (e.g. M7E4b10)",
                  preset_names());
  for (const auto& p : kPresets)
    if (base == p.name) return p.format;
  if (base.size() < 4 || base[0] != 'm') bad_text(text, fmt::format("unknown format '{}'; expected {}", base, expected));
  const auto e_pos = base.find('e');
  if (e_pos == std::string_view::npos) bad_text(text, fmt::format("no E in '{}'; expected {}", base, expected));
  const auto b_pos = base.find('b', e_pos);
  const auto man = parse_int(base.substr(1, e_pos - 1));
  const auto exp = parse_int(base.substr(e_pos + 1, b_pos == std::string_view::npos
                                                        ? std::string_view::npos
                                                        : b_pos - e_pos - 1));
  if (!man || !exp) bad_text(text, fmt::format("cannot read '{}'; expected {}", base, expected));
  if (*exp < 1 || *exp > kMaxExp)
    bad_text(text, fmt::format("exponent bits {} out of range; expected 1..{}", *exp, kMaxExp));
  Format f;
  f.man = *man;
  f.exp = *exp;
  f.bias = default_bias(*exp);
  if (b_pos != std::string_view::npos) {
    const auto bias = parse_int(base.substr(b_pos + 1));
    if (!bias) bad_text(text, fmt::format("bias '{}' is not an integer", base.substr(b_pos + 1)));
    f.bias = *bias;
  }
  return f;
}

// Sets one policy field from its value name; returns false if the name is not one of its values.
bool set_policy(Format& f, std::string_view field, std::string_view value) {
  if (field == "rounding") {
    if (value == "rtz") f.rounding = Rounding::rtz;
    else if (value == "rne") f.rounding = Rounding::rne;
    else return false;
  } else if (field == "underflow") {
    if (value == "flush") f.underflow = Underflow::flush;
    else if (value == "subnormal") f.underflow = Underflow::subnormal;
    else if (value == "none") f.underflow = Underflow::none;
    else return false;
  } else if (field == "overflow") {
    if (value == "saturate") f.overflow = Overflow::saturate;
    else if (value == "inf") f.overflow = Overflow::inf;
    else if (value == "none") f.overflow = Overflow::none;
    else return false;
  } else if (field == "specials") {
    if (value == "none") f.specials = Specials::none;
    else if (value == "ieee") f.specials = Specials::ieee;
    else if (value == "nan") f.specials = Specials::nan;
    else return false;
  } else {
    return false;
  }
  return true;
}

constexpr std::string_view kPolicyValues =
    "rounding=rtz|rne, underflow=flush|subnormal|none, overflow=saturate|inf|none, "
    "specials=none|ieee|nan";

// The field a bare keyword sets; empty for a keyword that is not unique ("none").
std::string_view field_of_keyword(std::string_view kw) {
  if (kw == "rtz" || kw == "rne") return "rounding";
  if (kw == "flush" || kw == "subnormal") return "underflow";
  if (kw == "saturate" || kw == "sat" || kw == "inf") return "overflow";
  if (kw == "ieee") return "specials";
  return {};
}

}  // namespace

Format parse_format(std::string_view text) {
  const std::string s = lower(text);
  std::vector<std::string_view> parts;
  std::string_view rest(s);
  while (true) {
    const auto colon = rest.find(':');
    parts.push_back(rest.substr(0, colon));
    if (colon == std::string_view::npos) break;
    rest.remove_prefix(colon + 1);
  }
  Format f = parse_base(text, parts[0]);
  std::vector<std::string_view> seen;
  for (size_t i = 1; i < parts.size(); ++i) {
    std::string_view part = parts[i];
    std::string_view field, value;
    if (const auto eq = part.find('='); eq != std::string_view::npos) {
      field = part.substr(0, eq);
      value = part.substr(eq + 1);
    } else {
      value = part == "sat" ? "saturate" : part;
      field = field_of_keyword(part);
      if (part == "none")
        bad_text(text, "'none' is ambiguous; write underflow=none, overflow=none or specials=none");
      if (field.empty())
        bad_text(text, fmt::format("unknown policy '{}'; expected one of {}", part, kPolicyValues));
    }
    if (std::find(seen.begin(), seen.end(), field) != seen.end())
      bad_text(text, fmt::format("{} is given twice", field));
    seen.push_back(field);
    if (!set_policy(f, field, value))
      bad_text(text, fmt::format("unknown policy '{}'; expected one of {}", part, kPolicyValues));
  }
  validate(f);
  return f;
}

Format format_from_field(const JsonField& f) {
  const nlohmann::json& j = f.value();
  if (j.is_string()) {
    try {
      return parse_format(j.get<std::string>());
    } catch (const InputError& e) {
      f.fail(e.what());
    }
  }
  if (!j.is_object())
    f.fail(
        fmt::format("{} is invalid; expected a format: a string (e.g. \"M7E4b10\") or an "
                    "object",
                    j.dump()));
  f.only_keys({"man", "exp", "bias", "underflow", "overflow", "rounding", "specials"});
  const auto get_int = [&](const char* key) -> std::optional<int> {
    if (!f.has(key)) return std::nullopt;
    return static_cast<int>(f.at(key).integer(-(1 << 20), 1 << 20));
  };
  const auto man = get_int("man");
  const auto exp = get_int("exp");
  if (!man || !exp) f.at(man ? "exp" : "man");  // throws: missing field
  if (*exp < 1 || *exp > kMaxExp)
    f.at("exp").fail(fmt::format("{} is invalid; expected 1..{}", *exp, kMaxExp));
  Format out;
  out.man = *man;
  out.exp = *exp;
  out.bias = get_int("bias").value_or(default_bias(*exp));
  for (const char* field : {"underflow", "overflow", "rounding", "specials"}) {
    if (!f.has(field)) continue;
    const JsonField v = f.at(field);
    if (!v.value().is_string() || !set_policy(out, field, lower(v.value().get<std::string>())))
      v.fail(fmt::format("{} is invalid; expected {}", v.value().dump(), kPolicyValues));
  }
  try {
    validate(out);
  } catch (const InputError& e) {
    f.fail(e.what());
  }
  return out;
}

Format format_from_json(const nlohmann::json& j) {
  return format_from_field(JsonField("format", j));
}

nlohmann::json format_to_json(const Format& f) {
  return {{"man", f.man},
          {"exp", f.exp},
          {"bias", f.bias},
          {"underflow", to_string(f.underflow)},
          {"overflow", to_string(f.overflow)},
          {"rounding", to_string(f.rounding)},
          {"specials", to_string(f.specials)}};
}

}  // namespace lbasim::num
