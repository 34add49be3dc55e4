#include "sweep_spec.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "lbasim/base/error.h"
#include "lbasim/base/json_field.h"

namespace lbasim::sweep {
namespace {

// A non-empty list of strings; `what` says what they name.
std::vector<std::string> names(const JsonField& f, const char* what) {
  if (!f.value().is_array() || f.value().empty())
    f.fail(fmt::format("{} is not a non-empty list of {}", f.value().dump(), what));
  return f.strings();
}

}  // namespace

std::string Point::id() const {
  return fmt::format("{}-c{}-{}-{}", accumulator, chunk, array, dataflow);
}

SweepSpec read_spec(const std::filesystem::path& path) {
  const nlohmann::json j = read_json_file(path);
  const JsonField root(path.string(), j);
  root.only_keys({"trace", "limit", "accumulators", "chunks", "arrays", "dataflows", "buffers"});
  SweepSpec s;
  s.source = path;
  s.trace = root.at("trace").str();
  if (s.trace.is_relative()) s.trace = path.parent_path() / s.trace;
  if (root.has("limit")) s.limit = root.at("limit").integer(0);
  s.accumulators = names(root.at("accumulators"), "table row names (fp32, m7e4, ...)");
  const JsonField chunks = root.at("chunks");
  if (!chunks.value().is_array() || chunks.value().empty())
    chunks.fail(fmt::format("{} is not a non-empty list of chunk sizes (0: one chunk)",
                            chunks.value().dump()));
  s.chunks = chunks.ints(0);
  s.arrays = names(root.at("arrays"), "array shapes \"RxC\"");
  s.dataflows = names(root.at("dataflows"), "\"ws\" or \"os\"");
  if (root.has("buffers")) s.buffers = memory::buffers_from_field(root.at("buffers"));
  for (std::size_t i = 0; i < s.arrays.size(); ++i) {
    try {
      sysc::validate(sysc::parse_array_shape(s.arrays[i], "arrays"));
    } catch (const InputError& e) {
      root.at("arrays").at(i).fail(e.what());
    }
  }
  for (std::size_t i = 0; i < s.dataflows.size(); ++i) {
    try {
      sysc::parse_dataflow(s.dataflows[i], "dataflows");
    } catch (const InputError& e) {
      root.at("dataflows").at(i).fail(e.what());
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
