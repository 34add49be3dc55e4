// The accumulation config JSON: {"product", "accumulator", "chunk", "chunk_accumulator"}.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "lbasim/base/error.h"
#include "lbasim/base/json_field.h"
#include "lbasim/numerics/accumulate.h"

namespace lbasim::num {

AccumConfig accum_config_from_field(const JsonField& f) {
  f.only_keys({"product", "accumulator", "chunk", "chunk_accumulator"});
  AccumConfig c;
  c.product = format_from_field(f.at("product"));
  c.accumulator = format_from_field(f.at("accumulator"));
  c.chunk_accumulator =
      f.has("chunk_accumulator") ? format_from_field(f.at("chunk_accumulator")) : c.accumulator;
  if (f.has("chunk")) {
    const JsonField chunk = f.at("chunk");
    if (!chunk.value().is_number_integer() || chunk.value().get<long long>() < 0)
      chunk.fail(fmt::format("{} is invalid; expected an integer >= 0 (0: one chunk)",
                             chunk.value().dump()));
    c.chunk = chunk.value().get<std::int64_t>();
  }
  return c;
}

AccumConfig accum_config_from_json(const nlohmann::json& j) {
  return accum_config_from_field(JsonField("config", j));
}

nlohmann::json to_json(const AccumConfig& c) {
  return {{"product", c.product.to_string()},
          {"accumulator", c.accumulator.to_string()},
          {"chunk", c.chunk},
          {"chunk_accumulator", c.chunk_accumulator.to_string()}};
}

}  // namespace lbasim::num
