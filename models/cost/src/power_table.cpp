#include "lbasim/cost/power_table.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>

#include "lbasim/base/error.h"
#include "lbasim/base/json_field.h"

namespace lbasim::cost {
std::string PowerVariant::to_string() const {
  return fmt::format("{}{}, chunk lane {}, {} stage{}", dataflow, pe == "fused" ? " fused" : "",
                     chunk_lane, stages, stages == 1 ? "" : "s");
}

void check_variant(const PowerVariant& v) {
  if (v.chunk_lane != "pe" && v.chunk_lane != "column")
    throw InputError(fmt::format("--chunk-lane {}: expected pe or column", v.chunk_lane));
  if (v.stages != 1 && v.stages != 2)
    throw InputError(fmt::format("--stages {}: expected 1 or 2", v.stages));
  if (v.dataflow != "ws" && v.dataflow != "os")
    throw InputError(fmt::format("--dataflow {}: expected ws or os", v.dataflow));
  if (v.pe != "fmaq" && v.pe != "fused")
    throw InputError(fmt::format("--pe {}: expected fmaq or fused", v.pe));
  // fused_ws_pe is weight-stationary with its chunk lane in the PE and one stage (docs/rtl.md).
  if (v.pe == "fused" && (v.dataflow != "ws" || v.chunk_lane != "pe" || v.stages != 1))
    throw InputError(
        fmt::format("--pe fused: the fused PE is built as ws, chunk lane pe, 1 stage only, not {}",
                    v.to_string()));
}

const PowerRow* PowerTable::find(const std::string& name, const PowerVariant& v) const {
  for (const auto& r : rows)
    if (r.name == name && r.variant == v) return &r;
  return nullptr;
}

const PowerRow& PowerTable::at(const std::string& name, const std::string& what,
                               const PowerVariant& v) const {
  if (const PowerRow* r = find(name, v)) return *r;
  std::string names;
  for (const auto& r : rows)
    if (r.variant == v) names += (names.empty() ? "" : ", ") + r.name;
  throw InputError(fmt::format(
      "{} {}: no row for this configuration as {}; the table has {} for it (lbasim power "
      "--synthesize adds rows)",
      what, name, v.to_string(), names.empty() ? "none" : names));
}

std::filesystem::path default_power_table() {
  return std::filesystem::path(LBASIM_COST_DATA_DIR) / "power_osu018.json";
}

void combine_column(PowerRow& r, const PartCost& pe, const PartCost& lane, int rows) {
  r.column_pe = pe;
  r.column_lane = lane;
  r.column_rows = rows;
  const double n = rows;
  r.area_um2 = pe.area_um2 + lane.area_um2 / n;
  r.cells = pe.cells + std::lround(static_cast<double>(lane.cells) / n);
  r.flip_flops = pe.flip_flops + lane.flip_flops;
  r.critical_path_ns = std::max(pe.critical_path_ns, lane.critical_path_ns);
  r.fmax_mhz = 1e3 / r.critical_path_ns;
  r.mac_internal_pj = pe.mac_internal_pj + lane.mac_internal_pj / n;
  r.mac_switching_pj = pe.mac_switching_pj + lane.mac_switching_pj / n;
  r.idle_pj = pe.idle_pj + lane.idle_pj / n;
  r.leakage_mw = pe.leakage_mw + lane.leakage_mw / n;
}

PowerRow PowerRow::for_rows(int rows) const {
  PowerRow r = *this;
  if (variant.chunk_lane == "column" && rows > 0) combine_column(r, column_pe, column_lane, rows);
  return r;
}

namespace {

PartCost read_part(const JsonField& f) {
  PartCost p;
  p.area_um2 = f.at("area_um2").number();
  p.cells = f.at("cells").integer(0);
  p.flip_flops = f.at("flip_flops").integer(0);
  p.critical_path_ns = f.at("critical_path_ns").number();
  p.mac_internal_pj = f.at("mac").at("internal_pj").number();
  p.mac_switching_pj = f.at("mac").at("switching_pj").number();
  p.idle_pj = f.at("idle_pj").number();
  p.leakage_mw = f.at("leakage_mw").number();
  if (!(p.area_um2 > 0) || !(p.critical_path_ns > 0))
    f.fail("area_um2, critical_path_ns must be > 0");
  return p;
}

nlohmann::json part_json(const PartCost& p) {
  return {{"area_um2", p.area_um2},
          {"cells", p.cells},
          {"flip_flops", p.flip_flops},
          {"critical_path_ns", p.critical_path_ns},
          {"mac", {{"internal_pj", p.mac_internal_pj}, {"switching_pj", p.mac_switching_pj}}},
          {"idle_pj", p.idle_pj},
          {"leakage_mw", p.leakage_mw}};
}

}  // namespace

PowerTable read_power_table(const std::filesystem::path& path) {
  const nlohmann::json j = read_json_file(path);
  const JsonField root(path.string(), j);
  const JsonField schema = root.at("schema");
  if (schema.str() != "lbasim-power-1")
    schema.fail(fmt::format("{}; expected \"lbasim-power-1\"", schema.value().dump()));
  PowerTable t;
  t.library = root.at("library").str();
  t.node_nm = static_cast<int>(root.at("node_nm").integer(1));
  t.vdd = root.at("vdd").number();
  t.tools = j.value("tools", nlohmann::json::object());
  t.stimulus = j.value("stimulus", nlohmann::json::object());
  const JsonField rows = root.at("configs");
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const JsonField r = rows.at(i);
    PowerRow row;
    row.name = r.at("name").str();
    row.label = r.at("label").str();
    const JsonField f = r.at("formats");
    row.product = f.at("product").str();
    row.accumulator = f.at("accumulator").str();
    row.chunk_accumulator = f.at("chunk_accumulator").str();
    row.chunk = r.at("chunk").integer(0);
    if (r.has("chunk_lane")) row.variant.chunk_lane = r.at("chunk_lane").str();
    if (r.has("stages")) row.variant.stages = static_cast<int>(r.at("stages").integer(1));
    if (r.has("dataflow")) row.variant.dataflow = r.at("dataflow").str();
    if (r.has("pe")) row.variant.pe = r.at("pe").str();
    try {
      check_variant(row.variant);
    } catch (const InputError& e) {
      r.fail(fmt::format("chunk_lane/stages/dataflow/pe: {}", e.what()));
    }
    if (row.variant.pe == "fused") {
      const JsonField fused = r.at("fused");
      row.terms = static_cast<int>(fused.at("terms").integer(1));
      row.align_bits = static_cast<int>(fused.at("align_bits").integer(0));
    }
    row.area_um2 = r.at("area_um2").number();
    row.cells = r.at("cells").integer(0);
    row.flip_flops = r.at("flip_flops").integer(0);
    row.critical_path_ns = r.at("critical_path_ns").number();
    row.fmax_mhz = r.at("fmax_mhz").number();
    row.mac_internal_pj = r.at("mac").at("internal_pj").number();
    row.mac_switching_pj = r.at("mac").at("switching_pj").number();
    row.idle_pj =
        r.at("idle").at("internal_pj").number() + r.at("idle").at("switching_pj").number();
    row.leakage_mw = r.at("leakage_mw").number();
    if (r.has("macs_per_cycle")) row.macs_per_cycle = r.at("macs_per_cycle").integer(1);
    row.flow = r.value().value("flow", nlohmann::json::object());
    if (row.variant.chunk_lane == "column") {
      const JsonField c = r.at("column");
      row.column_rows = static_cast<int>(c.at("rows").integer(1));
      row.column_pe = read_part(c.at("pe"));
      row.column_lane = read_part(c.at("lane"));
    }
    if (!(row.fmax_mhz > 0) || !(row.mac_pj() >= 0) || !(row.area_um2 > 0))
      r.fail("fmax_mhz, area_um2 must be > 0 and energies >= 0");
    t.rows.push_back(std::move(row));
  }
  if (root.has("anchors")) {
    const JsonField anchors = root.at("anchors");
    for (std::size_t i = 0; i < anchors.size(); ++i) {
      const JsonField a = anchors.at(i);
      PowerAnchor p;
      p.name = a.at("name").str();
      p.op = a.at("op").str();
      p.format = a.at("format").str();
      p.area_um2 = a.at("area_um2").number();
      p.critical_path_ns = a.at("critical_path_ns").number();
      p.pj_per_op = a.at("pj_per_op").number();
      p.leakage_mw = a.at("leakage_mw").number();
      p.horowitz_pj = a.at("horowitz_pj").number();
      t.anchors.push_back(p);
    }
  }
  return t;
}

nlohmann::json to_json(const PowerTable& t) {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& r : t.rows) {
    rows.push_back(
        {{"name", r.name},
         {"label", r.label},
         {"formats",
          {{"product", r.product},
           {"accumulator", r.accumulator},
           {"chunk_accumulator", r.chunk_accumulator}}},
         {"chunk", r.chunk},
         {"chunk_lane", r.variant.chunk_lane},
         {"stages", r.variant.stages},
         {"dataflow", r.variant.dataflow},
         {"area_um2", r.area_um2},
         {"cells", r.cells},
         {"flip_flops", r.flip_flops},
         {"critical_path_ns", r.critical_path_ns},
         {"fmax_mhz", r.fmax_mhz},
         {"mac", {{"internal_pj", r.mac_internal_pj}, {"switching_pj", r.mac_switching_pj}}},
         {"idle", {{"internal_pj", r.idle_pj}, {"switching_pj", 0.0}}},
         {"leakage_mw", r.leakage_mw},
         {"macs_per_cycle", r.macs_per_cycle},
         {"pe", r.variant.pe},
         {"flow", r.flow}});
    if (r.variant.pe == "fused")
      rows.back()["fused"] = {{"terms", r.terms}, {"align_bits", r.align_bits}};
    if (r.variant.chunk_lane == "column")
      rows.back()["column"] = {{"rows", r.column_rows},
                               {"pe", part_json(r.column_pe)},
                               {"lane", part_json(r.column_lane)}};
  }
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
  a.variant = r.variant;
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
  a.macs_per_cycle = r.macs_per_cycle;
  a.pj_per_mac = a.power_mw / clock_mhz * 1e3 / static_cast<double>(r.macs_per_cycle);
  return a;
}

nlohmann::json to_json(const RowAt& r) {
  const auto num = [](double v) { return std::isnan(v) ? nlohmann::json() : nlohmann::json(v); };
  return {{"name", r.name},
          {"label", r.label},
          {"chunk_lane", r.variant.chunk_lane},
          {"stages", r.variant.stages},
          {"dataflow", r.variant.dataflow},
          {"pe", r.variant.pe},
          {"node_nm", r.node_nm},
          {"estimate", r.estimate},
          {"clock_mhz", r.clock_mhz},
          {"area_um2", r.area_um2},
          {"fmax_mhz", r.fmax_mhz},
          {"meets_timing", r.meets_timing},
          {"dynamic_mw", r.dynamic_mw},
          {"leakage_mw", num(r.leakage_mw)},
          {"power_mw", r.power_mw},
          {"macs_per_cycle", r.macs_per_cycle},
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
