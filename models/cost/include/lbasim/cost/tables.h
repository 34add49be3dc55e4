// The committed cost tables: synthesized area (data/area_45nm.json, tools/area/synth_table.py)
// and per-action energies (data/energy_45nm.json, tools/area/energy_table.py).
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "lbasim/cost/energy.h"

namespace lbasim::cost {

// One synthesized PE configuration.
struct AreaRow {
  std::string name, label, product, accumulator;
  long generic_cells = 0, transistors = 0, mapped_cells = 0, flip_flops = 0;
  double area_um2 = 0, nand2_eq = 0;
  // Area per action from a second synthesis that keeps fp_mul and fp_add as blocks (so cells
  // can be attributed): multiply (with product rounding), accumulate, chunk_add, registers,
  // control. Their sum, components_area_um2, exceeds area_um2 by the blocks' boundary cost.
  std::map<std::string, double> components_um2;
  double components_area_um2 = 0;
};

struct AreaTable {
  std::string tool, liberty, method, reference;
  double nand2_um2 = 0;
  std::vector<AreaRow> rows;

  const AreaRow* find(const std::string& name) const;  // nullptr if absent
};

struct EnergyTable {
  std::string method;
  MemoryEnergy memory;
  std::map<std::string, ActionEnergies> configs;

  // Throws InputError naming the configuration and the known ones if absent.
  const ActionEnergies& at(const std::string& name) const;
};

// Where the committed tables live in the source tree (models/cost/data).
std::filesystem::path default_data_dir();

// Read a table; errors (missing file, bad JSON, missing or mistyped field) are InputErrors
// naming the file and the field.
AreaTable read_area_table(const std::filesystem::path& path);
EnergyTable read_energy_table(const std::filesystem::path& path);

// The area table as aligned text, with the ratio of each row's area to the reference row.
std::string format_area_table(const AreaTable& t);

}  // namespace lbasim::cost
