// lbasim::num::accum_config_from_json on any JSON document; accepted configs round-trip.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>

#include "fuzz_support.h"
#include "lbasim/numerics/accumulate.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace num = lbasim::num;
  const auto j = nlohmann::json::parse(data, data + size, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return 0;
  num::AccumConfig c;
  if (!lbasim::fuzz::accepts([&] { c = num::accum_config_from_json(j); })) return 0;
  num::AccumConfig again;
  lbasim::fuzz::check(
      lbasim::fuzz::accepts([&] { again = num::accum_config_from_json(num::to_json(c)); }),
      "the JSON of an accepted config is refused");
  lbasim::fuzz::check(again == c, "JSON round trip changed the config");
  return 0;
}
