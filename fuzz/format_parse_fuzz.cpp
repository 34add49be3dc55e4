// lbasim::num::parse_format on arbitrary text. An accepted format must survive the round trips
// through its canonical shorthand and its JSON object unchanged.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string_view>

#include "fuzz_support.h"
#include "lbasim/numerics/format.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace num = lbasim::num;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  num::Format f;
  if (!lbasim::fuzz::accepts([&] { f = num::parse_format(text); })) return 0;
  num::Format again;
  lbasim::fuzz::check(lbasim::fuzz::accepts([&] { again = num::parse_format(f.to_string()); }),
                      "the canonical shorthand of an accepted format is refused");
  lbasim::fuzz::check(again == f, "shorthand round trip changed the format");
  lbasim::fuzz::check(
      lbasim::fuzz::accepts([&] { again = num::format_from_json(num::format_to_json(f)); }),
      "the JSON of an accepted format is refused");
  lbasim::fuzz::check(again == f, "JSON round trip changed the format");
  (void)f.max_value();
  (void)f.min_normal();
  return 0;
}
