#include "sweep_spec.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>

#include "../io_util.h"
#include "lbasim/numerics/error.h"

namespace lbasim::sweep {
namespace {

[[noreturn]] void bad(const std::filesystem::path& file, const std::string& key,
                      const std::string& why) {
  throw InputError(fmt::format("{}: key '{}': {}", file.string(), key, why));
}

template <typename T>
std::vector<T> list_of(const nlohmann::json& j, const std::filesystem::path& file, const char* key,
                       const char* expected) {
  if (!j.contains(key)) bad(file, key, fmt::format("missing; expected a list of {}", expected));
  const auto& v = j.at(key);
  if (!v.is_array() || v.empty())
    bad(file, key, fmt::format("{} is not a non-empty list of {}", v.dump(), expected));
  std::vector<T> out;
  for (const auto& item : v) {
    if constexpr (std::is_same_v<T, std::string>) {
      if (!item.is_string()) bad(file, key, fmt::format("{} is not a string", item.dump()));
      out.push_back(item.get<std::string>());
    } else {
      if (!item.is_number_integer() || item.get<std::int64_t>() < 0)
        bad(file, key, fmt::format("{} is not an integer >= 0", item.dump()));
      out.push_back(item.get<std::int64_t>());
    }
  }
  return out;
}

}  // namespace

std::string Point::id() const {
  return fmt::format("{}-c{}-{}-{}", accumulator, chunk, array, dataflow);
}

SweepSpec read_spec(const std::filesystem::path& path) {
  const nlohmann::json j = cli::read_json_file(path);
  if (!j.is_object()) throw InputError(fmt::format("{}: expected a JSON object", path.string()));
  static constexpr std::array<std::string_view, 6> kKeys{"trace",  "limit",  "accumulators",
                                                         "chunks", "arrays", "dataflows"};
  for (const auto& [key, value] : j.items())
    if (std::find(kKeys.begin(), kKeys.end(), key) == kKeys.end())
      bad(path, key, "unknown key; expected trace, limit, accumulators, chunks, arrays, dataflows");
  SweepSpec s;
  s.source = path;
  if (!j.contains("trace") || !j.at("trace").is_string())
    bad(path, "trace", "missing or not a string; expected the trace folder");
  s.trace = j.at("trace").get<std::string>();
  if (s.trace.is_relative()) s.trace = path.parent_path() / s.trace;
  if (j.contains("limit")) {
    const auto& v = j.at("limit");
    if (!v.is_number_integer() || v.get<std::int64_t>() < 0)
      bad(path, "limit", fmt::format("{} is not an integer >= 0 (0: every image)", v.dump()));
    s.limit = v.get<std::int64_t>();
  }
  s.accumulators =
      list_of<std::string>(j, path, "accumulators", "table row names (fp32, m7e4, ...)");
  s.chunks = list_of<std::int64_t>(j, path, "chunks", "chunk sizes (0: one chunk)");
  s.arrays = list_of<std::string>(j, path, "arrays", "array shapes \"RxC\"");
  s.dataflows = list_of<std::string>(j, path, "dataflows", "\"ws\" or \"os\"");
  for (const auto& a : s.arrays) {
    try {
      sysc::validate(sysc::parse_array_shape(a, "arrays"));
    } catch (const InputError& e) {
      rethrow_with_context(path.string(), e);
    }
  }
  for (const auto& d : s.dataflows) {
    try {
      sysc::parse_dataflow(d, "dataflows");
    } catch (const InputError& e) {
      rethrow_with_context(path.string(), e);
    }
  }
  return s;
}

std::vector<Point> expand(const SweepSpec& spec) {
  std::vector<Point> points;
  for (const auto& acc : spec.accumulators)
    for (auto chunk : spec.chunks)
      for (const auto& array : spec.arrays)
        for (const auto& df : spec.dataflows) points.push_back({acc, chunk, array, df});
  return points;
}

}  // namespace lbasim::sweep
