#include "lbasim/cost/tables.h"

#include <fmt/core.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <type_traits>

#include "lbasim/numerics/error.h"

namespace lbasim::cost {
namespace {

using nlohmann::json;

json read_json(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in)
    throw InputError(fmt::format("{}: cannot open (expected a cost table JSON)", path.string()));
  try {
    return json::parse(in);
  } catch (const json::parse_error& e) {
    throw InputError(fmt::format("{}: not valid JSON: {}", path.string(), e.what()));
  }
}

// j[key] as T; the error names the file, the field path and what was expected.
template <typename T>
T field(const json& j, const std::string& key, const std::string& where) {
  if (!j.is_object() || !j.contains(key))
    throw InputError(fmt::format("{}: missing field '{}'", where, key));
  const json& v = j.at(key);
  if constexpr (std::is_same_v<T, std::string>) {
    if (!v.is_string())
      throw InputError(fmt::format("{}.{} = {}: expected a string", where, key, v.dump()));
  } else {
    if (!v.is_number())
      throw InputError(fmt::format("{}.{} = {}: expected a number", where, key, v.dump()));
  }
  return v.get<T>();
}

const json& array_field(const json& j, const std::string& key, const std::string& where) {
  if (!j.is_object() || !j.contains(key) || !j.at(key).is_array())
    throw InputError(fmt::format("{}: field '{}' missing or not an array", where, key));
  return j.at(key);
}

}  // namespace

std::filesystem::path default_data_dir() { return LBASIM_COST_DATA_DIR; }

const AreaRow* AreaTable::find(const std::string& name) const {
  for (const AreaRow& r : rows)
    if (r.name == name) return &r;
  return nullptr;
}

const ActionEnergies& EnergyTable::at(const std::string& name) const {
  auto it = configs.find(name);
  if (it == configs.end()) {
    std::string known;
    for (const auto& [k, v] : configs) known += (known.empty() ? "" : ", ") + k;
    throw InputError(
        fmt::format("energy configuration '{}': unknown, expected one of {}", name, known));
  }
  return it->second;
}

AreaTable read_area_table(const std::filesystem::path& path) {
  const std::string file = path.string();
  const json j = read_json(path);
  AreaTable t;
  t.tool = field<std::string>(j, "tool", file);
  t.liberty = field<std::string>(j, "liberty", file);
  t.method = field<std::string>(j, "method", file);
  t.reference = field<std::string>(j, "reference", file);
  t.nand2_um2 = field<double>(j, "nand2_um2", file);
  const json& rows = array_field(j, "configs", file);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const json& r = rows[i];
    const std::string where = fmt::format("{}: configs[{}]", file, i);
    AreaRow row;
    row.name = field<std::string>(r, "name", where);
    row.label = field<std::string>(r, "label", where);
    const json& f = r.contains("formats") ? r.at("formats") : json::object();
    row.product = field<std::string>(f, "product", where + ".formats");
    row.accumulator = field<std::string>(f, "accumulator", where + ".formats");
    row.generic_cells = field<long>(r, "generic_cells", where);
    row.transistors = field<long>(r, "transistors", where);
    row.mapped_cells = field<long>(r, "mapped_cells", where);
    row.flip_flops = field<long>(r, "flip_flops", where);
    row.area_um2 = field<double>(r, "area_um2", where);
    row.nand2_eq = field<double>(r, "nand2_eq", where);
    if (!(row.area_um2 > 0))
      throw InputError(fmt::format("{}.area_um2 = {}: expected > 0", where, row.area_um2));
    if (r.contains("components_area_um2"))
      row.components_area_um2 = field<double>(r, "components_area_um2", where);
    if (r.contains("components_um2") && r.at("components_um2").is_object())
      for (const auto& [k, v] : r.at("components_um2").items())
        row.components_um2[k] = field<double>(r.at("components_um2"), k, where + ".components_um2");
    t.rows.push_back(std::move(row));
  }
  if (!t.find(t.reference))
    throw InputError(
        fmt::format("{}: reference = '{}': expected the name of a row", file, t.reference));
  return t;
}

EnergyTable read_energy_table(const std::filesystem::path& path) {
  const std::string file = path.string();
  const json j = read_json(path);
  EnergyTable t;
  t.method = field<std::string>(j, "method", file);
  const std::string mwhere = file + ": memory";
  const json& mem = j.contains("memory") ? j.at("memory") : json::object();
  for (const json& p : array_field(mem, "sram_pj_per_byte", mwhere)) {
    if (!p.is_array() || p.size() != 2 || !p[0].is_number() || !p[1].is_number())
      throw InputError(fmt::format("{}.sram_pj_per_byte: entry {}: expected [size_bytes, pJ]",
                                   mwhere, p.dump()));
    t.memory.sram_pj_per_byte.emplace_back(p[0].get<double>(), p[1].get<double>());
  }
  t.memory.dram_pj_per_byte = field<double>(mem, "dram_pj_per_byte", mwhere);
  const json& rows = array_field(j, "configs", file);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const std::string where = fmt::format("{}: configs[{}]", file, i);
    const std::string name = field<std::string>(rows[i], "name", where);
    const json& a = rows[i].contains("actions_pj") ? rows[i].at("actions_pj") : json::object();
    const std::string aw = where + ".actions_pj";
    ActionEnergies e;
    e.multiply = field<double>(a, "multiply", aw);
    e.product_round = field<double>(a, "product_round", aw);
    e.accumulate = field<double>(a, "accumulate", aw);
    e.chunk_add = field<double>(a, "chunk_add", aw);
    e.reg_write = field<double>(a, "reg_write", aw);
    e.zero_mac_gated = field<double>(a, "zero_mac_gated", aw);
    e.zero_mac_ungated = field<double>(a, "zero_mac_ungated", aw);
    t.configs[name] = e;
  }
  return t;
}

std::string format_area_table(const AreaTable& t) {
  const AreaRow* ref = t.find(t.reference);
  std::string out = fmt::format("{:<8} {:<26} {:>8} {:>8} {:>11} {:>5} {:>10} {:>8} {:>8}\n", "row",
                                "accumulator", "generic", "mapped", "transistors", "FFs",
                                "area um2", "NAND2eq", "vs " + t.reference);
  for (const AreaRow& r : t.rows)
    out += fmt::format("{:<8} {:<26} {:>8} {:>8} {:>11} {:>5} {:>10.1f} {:>8.0f} {:>8.3f}\n",
                       r.name, r.label, r.generic_cells, r.mapped_cells, r.transistors,
                       r.flip_flops, r.area_um2, r.nand2_eq, r.area_um2 / ref->area_um2);
  return out;
}

}  // namespace lbasim::cost
