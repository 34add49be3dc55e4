#include "io_util.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "lbasim/numerics/error.h"
#include "lbasim/traces/atomic_file.h"

namespace lbasim::cli {

num::Format parse_format_option(const std::string& option, const std::string& text) {
  try {
    return num::parse_format(text);
  } catch (const InputError& e) {
    rethrow_with_context(option, e);
  }
}

nlohmann::json read_json_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in)
    throw InputError(fmt::format("{}: {}", path.string(),
                                 std::filesystem::exists(path) ? "cannot be read" : "no such file"));
  try {
    return nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw InputError(fmt::format("{}: not valid JSON: {}", path.string(), e.what()));
  }
}

void write_json_file(const std::filesystem::path& path, const nlohmann::json& j) {
  write_file_atomic(path, j.dump(2) + "\n");
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
