// The accumulation config JSON:
// {"product", "accumulator", "chunk", "chunk_accumulator", "fused": {"terms", "align_bits"}}.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "lbasim/base/error.h"
#include "lbasim/base/json_field.h"
#include "lbasim/numerics/accumulate.h"

namespace lbasim::num {
namespace {

constexpr std::string_view kExact = "exact";

FusedOrder fused_from_field(const JsonField& f) {
  f.only_keys({"terms", "align_bits"});
  FusedOrder o;
  o.terms = static_cast<int>(f.at("terms").integer(1, kMaxFusedTerms));
  o.align_bits = static_cast<int>(f.at("align_bits").integer(0, kMaxAlignBits));
  return o;
}

}  // namespace

AccumConfig accum_config_from_field(const JsonField& f) {
  f.only_keys({"product", "accumulator", "chunk", "chunk_accumulator", "fused"});
  AccumConfig c;
  if (f.has("fused")) c.fused = fused_from_field(f.at("fused"));
  // "product": "exact" (the default with "fused"): the fused adder takes exact products.
  const bool exact = f.has("product") && f.at("product").value() == kExact;
  if (exact && !c.fused)
    f.at("product").fail(
        "\"exact\" is only allowed with \"fused\" (the FMAq chain rounds each product into a "
        "format); expected a format");
  if (c.fused) c.fused->exact_product = exact || !f.has("product");
  if (!c.fused || !c.fused->exact_product) c.product = format_from_field(f.at("product"));
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
