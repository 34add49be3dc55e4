#include "sweep_plan.h"

#include <fmt/format.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "lbasim/base/error.h"
#include "lbasim/memory/buffers.h"
#include "lbasim/numerics/format.h"
#include "lbasim/systemc/array_config.h"

namespace lbasim::sweep {

const std::string& sweep_buffering() {
  static const std::string name(sysc::to_string(sysc::ArrayConfig{}.buffering));
  return name;
}

num::AccumConfig point_config(const cost::PowerRow& row, std::int64_t chunk) {
  const num::Format a = num::parse_format(row.accumulator);
  if (row.variant.pe == "fused")  // products enter the fused adder exactly (no product format)
    return {{}, a, a, chunk, num::FusedOrder{row.terms, row.align_bits, true}};
  return {num::parse_format(row.product), a, a, chunk};
}

namespace {
cost::PowerVariant fused_variant() {
  cost::PowerVariant v;
  v.pe = "fused";
  return v;
}
}  // namespace

const cost::PowerRow* sweep_row(const cost::PowerTable& table, const std::string& name) {
  const cost::PowerRow* r = table.find(name);
  return r ? r : table.find(name, fused_variant());
}

std::string array_pe(const cost::PowerRow& row) {
  return row.variant.pe == "fused" ? row.name : "fmaq";
}

void check_accumulators(const SweepSpec& spec, const cost::PowerTable& table) {
  for (const auto& name : spec.accumulators)
    if (!sweep_row(table, name)) {
      std::string names;
      for (const auto& r : table.rows)  // the sweep's PEs: ws, chunk lane pe, 1 stage
        if (r.variant == cost::PowerVariant{} || r.variant == fused_variant())
          names += (names.empty() ? "" : ", ") + r.name;
      throw InputError(
          fmt::format("{}: field 'accumulators': '{}' is not a row of the cost "
                      "table (models/cost/data/power_osu018.json); expected one of {}",
                      spec.source.string(), name, names));
    }
}

void check_spec(const SweepSpec& spec) {
  if (!std::filesystem::is_regular_file(spec.trace / "manifest.json"))
    throw InputError(
        fmt::format("{}: field 'trace': {} has no manifest.json; expected a trace folder",
                    spec.source.string(), spec.trace.string()));
  check_accumulators(spec, cost::read_power_table(cost::default_power_table()));
}

nlohmann::json read_record(const std::filesystem::path& p) {
  if (!std::filesystem::is_regular_file(p)) return nullptr;
  std::ifstream in(p);
  if (!in) return nullptr;
  try {
    return nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception&) {
    return nullptr;  // a damaged record is recomputed
  }
}

std::string record_mismatch(const nlohmann::json& rec, const Point& p, const SweepSpec& spec,
                            const std::string& hash) {
  if (!rec.is_object()) return "the record: not a JSON object";
  const auto check = [&](const nlohmann::json& obj, const char* parent, const char* key,
                         const nlohmann::json& want) -> std::string {
    const std::string name = parent[0] ? fmt::format("{}.{}", parent, key) : key;
    if (!obj.is_object() || !obj.contains(key))
      return fmt::format("field '{}': missing; expected {}", name, want.dump());
    if (obj.at(key) != want)
      return fmt::format("field '{}': {} differs from {} expected by this spec and lbasim", name,
                         obj.at(key).dump(), want.dump());
    return "";
  };
  const nlohmann::json none = nlohmann::json::object();
  const nlohmann::json& trace = rec.contains("trace") ? rec.at("trace") : none;
  const nlohmann::json& point = rec.contains("point") ? rec.at("point") : none;
  for (const std::string& m :
       {check(rec, "", "id", p.id()), check(rec, "", "lbasim_version", LBASIM_VERSION),
        check(rec, "", "limit", spec.limit),
        check(rec, "", "buffers", memory::to_json(spec.buffers)),
        check(trace, "trace", "hash", hash), check(point, "point", "accumulator", p.accumulator),
        check(point, "point", "chunk", p.chunk), check(point, "point", "array", p.array),
        check(point, "point", "dataflow", p.dataflow),
        check(point, "point", "buffering", sweep_buffering())})
    if (!m.empty()) return m;
  return "";
}

std::string trace_hash(const std::filesystem::path& trace_dir) {
  std::ifstream in(trace_dir / "manifest.json", std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), {});
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char ch : bytes) h = (h ^ ch) * 1099511628211ull;
  return fmt::format("{:016x}", h);
}

SweepPlan plan_sweep(const SweepSpec& spec, const std::filesystem::path& points_dir,
                     const std::string& hash, const std::optional<std::vector<std::size_t>>& only) {
  const std::vector<Point> all = expand(spec);
  std::vector<std::size_t> indices(all.size());
  for (std::size_t i = 0; i < all.size(); ++i) indices[i] = i;
  if (only) indices = *only;
  SweepPlan plan;
  for (std::size_t i : indices) {
    const Point& p = all.at(i);
    ++plan.points;
    if (record_mismatch(read_record(points_dir / (p.id() + ".json")), p, spec, hash).empty())
      ++plan.reused;
    else
      plan.todo.push_back(p);
  }
  return plan;
}

}  // namespace lbasim::sweep
