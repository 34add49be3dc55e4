// The accumulation config JSON:
// {"product", "accumulator", "chunk", "chunk_accumulator", "fused": {"terms", "align_bits"}}.
#include <fmt/format.h>

#include <array>
#include <nlohmann/json.hpp>

#include "lbasim/numerics/accumulate.h"
#include "lbasim/numerics/error.h"

namespace lbasim::num {
namespace {

constexpr std::string_view kExact = "exact";

template <std::size_t N>
void refuse_unknown_keys(const nlohmann::json& j, const std::array<std::string_view, N>& keys,
                         std::string_view where) {
  for (const auto& [key, value] : j.items())
    if (std::find(keys.begin(), keys.end(), key) == keys.end())
      throw InputError(
          fmt::format("{}: unknown key '{}'; expected {}", where, key, fmt::join(keys, ", ")));
}

int int_in(const nlohmann::json& j, const char* key, int lo, int hi, std::string_view what) {
  if (!j.contains(key)) throw InputError(fmt::format("config: missing key 'fused.{}'", key));
  const auto& v = j.at(key);
  if (!v.is_number_integer() || v.get<long long>() < lo || v.get<long long>() > hi)
    throw InputError(
        fmt::format("config key 'fused.{}': {} is invalid; expected {}, an integer "
                    "{}..{}",
                    key, v.dump(), what, lo, hi));
  return v.get<int>();
}

FusedOrder fused_from_json(const nlohmann::json& j) {
  if (!j.is_object())
    throw InputError(fmt::format(
        "config key 'fused': expected an object {{\"terms\": g, \"align_bits\": F}}, got {}",
        j.dump()));
  static constexpr std::array<std::string_view, 2> kKeys{"terms", "align_bits"};
  refuse_unknown_keys(j, kKeys, "config key 'fused'");
  FusedOrder f;
  f.terms = int_in(j, "terms", 1, kMaxFusedTerms, "the products per fused group g");
  f.align_bits = int_in(j, "align_bits", 0, kMaxAlignBits,
                        "the fraction bits F kept below the largest exponent");
  return f;
}

}  // namespace

AccumConfig accum_config_from_json(const nlohmann::json& j) {
  if (!j.is_object())
    throw InputError(fmt::format("config: expected a JSON object, got {}", j.type_name()));
  static constexpr std::array<std::string_view, 5> kKeys{"product", "accumulator", "chunk",
                                                         "chunk_accumulator", "fused"};
  refuse_unknown_keys(j, kKeys, "config");
  AccumConfig c;
  if (j.contains("fused")) c.fused = fused_from_json(j.at("fused"));
  const bool exact = j.contains("product") && j.at("product").is_string() &&
                     j.at("product").get<std::string>() == kExact;
  if (exact && !c.fused)
    throw InputError(
        "config key 'product': \"exact\" is only allowed with \"fused\" (the FMAq chain rounds "
        "each product into a format); expected a format");
  for (const char* key : {"product", "accumulator"})
    if (!j.contains(key) && !(c.fused && std::string_view(key) == "product"))
      throw InputError(fmt::format("config: missing key '{}'", key));
  const auto format_at = [&](const char* key) {
    try {
      return format_from_json(j.at(key));
    } catch (const InputError& e) {
      rethrow_with_context(fmt::format("config key '{}'", key), e);
    }
  };
  if (c.fused) c.fused->exact_product = !j.contains("product") || exact;
  if (!c.fused || !c.fused->exact_product) c.product = format_at("product");
  c.accumulator = format_at("accumulator");
  c.chunk_accumulator =
      j.contains("chunk_accumulator") ? format_at("chunk_accumulator") : c.accumulator;
  if (j.contains("chunk")) {
    const auto& v = j.at("chunk");
    if (!v.is_number_integer() || v.get<long long>() < 0)
      throw InputError(fmt::format(
          "config key 'chunk': {} is invalid; expected an integer >= 0 (0: one chunk)", v.dump()));
    c.chunk = v.get<std::int64_t>();
  }
  return c;
}

std::string product_to_string(const AccumConfig& c) {
  return c.fused && c.fused->exact_product ? std::string(kExact) : c.product.to_string();
}

nlohmann::json to_json(const AccumConfig& c) {
  nlohmann::json j = {{"product", product_to_string(c)},
                      {"accumulator", c.accumulator.to_string()},
                      {"chunk", c.chunk},
                      {"chunk_accumulator", c.chunk_accumulator.to_string()}};
  if (c.fused) j["fused"] = {{"terms", c.fused->terms}, {"align_bits", c.fused->align_bits}};
  return j;
}

}  // namespace lbasim::num
