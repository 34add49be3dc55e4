#include "lbasim/cost/power_table.h"

#include <fmt/format.h>

#include <cmath>
#include <fstream>
#include <limits>

#include "lbasim/numerics/error.h"

namespace lbasim::cost {
namespace {

template <typename T>
T field(const nlohmann::json& j, const char* key, const std::string& where) {
  if (!j.is_object() || !j.contains(key))
    throw InputError(fmt::format("{}: field '{}' missing", where, key));
  try {
    return j.at(key).get<T>();
  } catch (const nlohmann::json::exception&) {
    throw InputError(fmt::format("{}: field '{}' = {}: wrong type", where, key, j.at(key).dump()));
  }
}

}  // namespace

const PowerRow* PowerTable::find(const std::string& name) const {
  for (const auto& r : rows)
    if (r.name == name) return &r;
  return nullptr;
}

const PowerRow& PowerTable::at(const std::string& name, const std::string& what) const {
  if (const PowerRow* r = find(name)) return *r;
  std::string names;
  for (const auto& r : rows) names += (names.empty() ? "" : ", ") + r.name;
  throw InputError(
      fmt::format("{} {}: unknown configuration; expected one of {}", what, name, names));
}

std::filesystem::path default_power_table() {
  return std::filesystem::path(LBASIM_COST_DATA_DIR) / "power_osu018.json";
}

PowerTable read_power_table(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) throw InputError(fmt::format("{}: cannot open the power table", path.string()));
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw InputError(fmt::format("{}: not valid JSON ({})", path.string(), e.what()));
  }
  const std::string file = path.string();
  if (field<std::string>(j, "schema", file) != "lbasim-power-1")
    throw InputError(fmt::format("{}: field 'schema' = {}: expected \"lbasim-power-1\"", file,
                                 j.at("schema").dump()));
  PowerTable t;
  t.library = field<std::string>(j, "library", file);
  t.node_nm = field<int>(j, "node_nm", file);
  t.vdd = field<double>(j, "vdd", file);
  t.tools = j.value("tools", nlohmann::json::object());
  t.stimulus = j.value("stimulus", nlohmann::json::object());
  const auto rows = field<nlohmann::json>(j, "configs", file);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const nlohmann::json& r = rows[i];
    const std::string where = fmt::format("{}: configs[{}]", file, i);
    PowerRow row;
    row.name = field<std::string>(r, "name", where);
    row.label = field<std::string>(r, "label", where);
    const auto f = field<nlohmann::json>(r, "formats", where);
    row.product = field<std::string>(f, "product", where + ".formats");
    row.accumulator = field<std::string>(f, "accumulator", where + ".formats");
    row.chunk_accumulator = field<std::string>(f, "chunk_accumulator", where + ".formats");
    row.chunk = field<long>(r, "chunk", where);
    row.area_um2 = field<double>(r, "area_um2", where);
    row.cells = field<long>(r, "cells", where);
    row.flip_flops = field<long>(r, "flip_flops", where);
    row.critical_path_ns = field<double>(r, "critical_path_ns", where);
    row.fmax_mhz = field<double>(r, "fmax_mhz", where);
    const auto mac = field<nlohmann::json>(r, "mac", where);
    row.mac_internal_pj = field<double>(mac, "internal_pj", where + ".mac");
    row.mac_switching_pj = field<double>(mac, "switching_pj", where + ".mac");
    const auto idle = field<nlohmann::json>(r, "idle", where);
    row.idle_pj = field<double>(idle, "internal_pj", where + ".idle") +
                  field<double>(idle, "switching_pj", where + ".idle");
    row.leakage_mw = field<double>(r, "leakage_mw", where);
    row.flow = r.value("flow", nlohmann::json::object());
    if (!(row.fmax_mhz > 0) || !(row.mac_pj() >= 0) || !(row.area_um2 > 0))
      throw InputError(fmt::format("{}: fmax_mhz, area_um2 must be > 0 and energies >= 0", where));
    t.rows.push_back(std::move(row));
  }
  for (const auto& a : j.value("anchors", nlohmann::json::array())) {
    const std::string where = file + ": anchors";
    PowerAnchor p;
    p.name = field<std::string>(a, "name", where);
    p.op = field<std::string>(a, "op", where);
    p.format = field<std::string>(a, "format", where);
    p.area_um2 = field<double>(a, "area_um2", where);
    p.critical_path_ns = field<double>(a, "critical_path_ns", where);
    p.pj_per_op = field<double>(a, "pj_per_op", where);
    p.leakage_mw = field<double>(a, "leakage_mw", where);
    p.horowitz_pj = field<double>(a, "horowitz_pj", where);
    t.anchors.push_back(p);
  }
  return t;
}

nlohmann::json to_json(const PowerTable& t) {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& r : t.rows)
    rows.push_back(
        {{"name", r.name},
         {"label", r.label},
         {"formats",
          {{"product", r.product},
           {"accumulator", r.accumulator},
           {"chunk_accumulator", r.chunk_accumulator}}},
         {"chunk", r.chunk},
         {"area_um2", r.area_um2},
         {"cells", r.cells},
         {"flip_flops", r.flip_flops},
         {"critical_path_ns", r.critical_path_ns},
         {"fmax_mhz", r.fmax_mhz},
         {"mac", {{"internal_pj", r.mac_internal_pj}, {"switching_pj", r.mac_switching_pj}}},
         {"idle", {{"internal_pj", r.idle_pj}, {"switching_pj", 0.0}}},
         {"leakage_mw", r.leakage_mw},
         {"flow", r.flow}});
  nlohmann::json anchors = nlohmann::json::array();
  for (const auto& a : t.anchors)
    anchors.push_back({{"name", a.name},
                       {"op", a.op},
                       {"format", a.format},
                       {"area_um2", a.area_um2},
                       {"critical_path_ns", a.critical_path_ns},
                       {"pj_per_op", a.pj_per_op},
                       {"leakage_mw", a.leakage_mw},
                       {"horowitz_pj", a.horowitz_pj}});
  return {{"schema", "lbasim-power-1"},
          {"library", t.library},
          {"node_nm", t.node_nm},
          {"vdd", t.vdd},
          {"tools", t.tools},
          {"stimulus", t.stimulus},
          {"configs", rows},
          {"anchors", anchors}};
}

RowAt evaluate(const PowerRow& r, double clock_mhz, const NodeScaling& node) {
  if (!std::isfinite(clock_mhz) || clock_mhz <= 0)
    throw InputError(fmt::format("--clock-mhz {}: expected a clock in MHz > 0", clock_mhz));
  RowAt a;
  a.name = r.name;
  a.label = r.label;
  a.node_nm = node.node_nm;
  a.estimate = node.estimate;
  a.clock_mhz = clock_mhz;
  a.area_um2 = r.area_um2 * node.area;
  a.fmax_mhz = r.fmax_mhz / node.delay;
  a.meets_timing = clock_mhz <= a.fmax_mhz * (1 + 1e-9);
  const double mac_pj = r.mac_pj() * node.energy;
  a.idle_pj = r.idle_pj * node.energy;
  a.dynamic_mw = mac_pj * clock_mhz * 1e-3;  // pJ x MHz = uW
  a.leakage_mw = node.estimate ? std::numeric_limits<double>::quiet_NaN() : r.leakage_mw;
  a.power_mw = a.dynamic_mw + (node.estimate ? 0.0 : r.leakage_mw);
  a.pj_per_mac = a.power_mw / clock_mhz * 1e3;
  return a;
}

nlohmann::json to_json(const RowAt& r) {
  const auto num = [](double v) { return std::isnan(v) ? nlohmann::json() : nlohmann::json(v); };
  return {{"name", r.name},
          {"label", r.label},
          {"node_nm", r.node_nm},
          {"estimate", r.estimate},
          {"clock_mhz", r.clock_mhz},
          {"area_um2", r.area_um2},
          {"fmax_mhz", r.fmax_mhz},
          {"meets_timing", r.meets_timing},
          {"dynamic_mw", r.dynamic_mw},
          {"leakage_mw", num(r.leakage_mw)},
          {"power_mw", r.power_mw},
          {"pj_per_mac", r.pj_per_mac},
          {"idle_pj_per_cycle", r.idle_pj}};
}

double scaled_to_horowitz_node(double pj_180nm) {
  return pj_180nm * energy_polynomial(45, 0.9) / energy_polynomial(180, 1.8);
}

double horowitz_ratio(const PowerAnchor& a) {
  return scaled_to_horowitz_node(a.pj_per_op) / a.horowitz_pj;
}

}  // namespace lbasim::cost
