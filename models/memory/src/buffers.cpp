#include "lbasim/memory/buffers.h"

#include <fmt/format.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <sstream>

#include "lbasim/base/error.h"
#include "lbasim/base/json_field.h"

namespace lbasim::memory {

void validate(const BufferConfig& b, const std::string& what) {
  const std::pair<const char*, double> fields[] = {{"activation_kib", b.activation_kib},
                                                   {"weight_kib", b.weight_kib},
                                                   {"output_kib", b.output_kib}};
  for (const auto& [name, v] : fields)
    if (!std::isfinite(v) || v <= 0)
      throw InputError(
          fmt::format("{}: {} = {}: expected a buffer capacity in KiB > 0", what, name, v));
}

BufferConfig buffers_from_field(const JsonField& f) {
  f.only_keys({"activation_kib", "weight_kib", "output_kib"});
  BufferConfig b;
  for (auto [key, field] :
       {std::pair{"activation_kib", &b.activation_kib}, std::pair{"weight_kib", &b.weight_kib},
        std::pair{"output_kib", &b.output_kib}}) {
    if (!f.has(key)) continue;
    const JsonField v = f.at(key);
    *field = v.number();
    if (*field <= 0) v.fail(fmt::format("{} KiB: expected a buffer capacity in KiB > 0", *field));
  }
  return b;
}

nlohmann::json to_json(const BufferConfig& b) {
  return {{"activation_kib", b.activation_kib},
          {"weight_kib", b.weight_kib},
          {"output_kib", b.output_kib}};
}

BufferConfig parse_buffers(const std::string& text, const std::string& what) {
  BufferConfig b;
  double* fields[] = {&b.activation_kib, &b.weight_kib, &b.output_kib};
  std::stringstream in(text);
  std::string part;
  int i = 0;
  while (std::getline(in, part, ',')) {
    std::size_t used = 0;
    double v = 0;
    try {
      v = std::stod(part, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (i >= 3 || used == 0 || used != part.size())
      throw InputError(fmt::format(
          "{} {}: expected three capacities in KiB, activation,weight,output (e.g. 128,128,64)",
          what, text));
    *fields[i++] = v;
  }
  if (i != 3)
    throw InputError(fmt::format(
        "{} {}: expected three capacities in KiB, activation,weight,output (e.g. 128,128,64)", what,
        text));
  validate(b, what + " " + text);
  return b;
}

}  // namespace lbasim::memory
