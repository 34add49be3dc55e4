// The accumulation config JSON: {"product", "accumulator", "chunk", "chunk_accumulator"}.
#include <fmt/format.h>

#include <array>
#include <nlohmann/json.hpp>

#include "lbasim/numerics/accumulate.h"
#include "lbasim/numerics/error.h"

namespace lbasim::num {

AccumConfig accum_config_from_json(const nlohmann::json& j) {
  if (!j.is_object())
    throw InputError(fmt::format("config: expected a JSON object, got {}", j.type_name()));
  static constexpr std::array<std::string_view, 4> kKeys{"product", "accumulator", "chunk",
                                                          "chunk_accumulator"};
  for (const auto& [key, value] : j.items())
    if (std::find(kKeys.begin(), kKeys.end(), key) == kKeys.end())
      throw InputError(fmt::format(
          "config: unknown key '{}'; expected product, accumulator, chunk, chunk_accumulator",
          key));
  for (const char* key : {"product", "accumulator"})
    if (!j.contains(key)) throw InputError(fmt::format("config: missing key '{}'", key));
  const auto format_at = [&](const char* key) {
    try {
      return format_from_json(j.at(key));
    } catch (const InputError& e) {
      rethrow_with_context(fmt::format("config key '{}'", key), e);
    }
  };
  AccumConfig c;
  c.product = format_at("product");
  c.accumulator = format_at("accumulator");
  c.chunk_accumulator = j.contains("chunk_accumulator") ? format_at("chunk_accumulator")
                                                        : c.accumulator;
  if (j.contains("chunk")) {
    const auto& v = j.at("chunk");
    if (!v.is_number_integer() || v.get<long long>() < 0)
      throw InputError(fmt::format(
          "config key 'chunk': {} is invalid; expected an integer >= 0 (0: one chunk)", v.dump()));
    c.chunk = v.get<std::int64_t>();
  }
  return c;
}

nlohmann::json to_json(const AccumConfig& c) {
  return {{"product", c.product.to_string()},
          {"accumulator", c.accumulator.to_string()},
          {"chunk", c.chunk},
          {"chunk_accumulator", c.chunk_accumulator.to_string()}};
}

}  // namespace lbasim::num
