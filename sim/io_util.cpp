#include "io_util.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "lbasim/base/error.h"

namespace lbasim::cli {

num::Format parse_format_option(const std::string& option, const std::string& text) {
  try {
    return num::parse_format(text);
  } catch (const InputError& e) {
    rethrow_with_context(option, e);
  }
}

std::string index_string(const std::vector<std::int64_t>& shape, std::size_t flat) {
  std::vector<std::int64_t> idx(shape.size());
  for (std::size_t d = shape.size(); d-- > 0;) {
    idx[d] = static_cast<std::int64_t>(flat) % shape[d];
    flat /= static_cast<std::size_t>(shape[d]);
  }
  return fmt::format("[{}]", fmt::join(idx, ", "));
}

}  // namespace lbasim::cli
