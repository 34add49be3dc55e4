// lbasim::num::format_from_json on any JSON document (text that is not JSON is skipped: the
// JSON parser is nlohmann's, not ours). Accepted formats must round-trip through JSON.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>

#include "fuzz_support.h"
#include "lbasim/numerics/format.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace num = lbasim::num;
  const auto j = nlohmann::json::parse(data, data + size, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return 0;
  num::Format f;
  if (!lbasim::fuzz::accepts([&] { f = num::format_from_json(j); })) return 0;
  num::Format again;
  lbasim::fuzz::check(
      lbasim::fuzz::accepts([&] { again = num::format_from_json(num::format_to_json(f)); }),
      "the JSON of an accepted format is refused");
  lbasim::fuzz::check(again == f, "JSON round trip changed the format");
  return 0;
}
