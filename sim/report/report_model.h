// The records `lbasim sweep` writes (one JSON object per design point), read and validated into
// structs, and the analyses the report draws from them: Pareto front and recommended point.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "lbasim/cost/power_table.h"

namespace lbasim::report {

// Event counts of one arithmetic stage of one layer (numerics events, docs/numerics.md).
struct StageEvents {
  std::int64_t ops = 0, overflow = 0, underflow = 0, swamped = 0, inexact = 0;
};

struct LayerResult {
  std::string name;
  std::int64_t macs = 0;
  double sqnr_db = 0, max_rel_error = 0;  // sqnr_db is +inf for an exact layer
  StageEvents product, accumulator, chunk_accumulator;
};

struct PointRecord {
  std::string source;  // file (or "file: points[i]") the record came from, for messages
  std::string id, trace_name;
  std::string accumulator, label, product, accumulator_format;
  int acc_bits = 0;
  std::int64_t chunk = 0;
  std::string array, dataflow;
  double top1 = 0, reference_top1 = 0, agreement = 0;
  std::int64_t images = 0;
  std::vector<LayerResult> layers;
  std::int64_t cycles_total = 0, cycles_compute = 0;
  double utilization = 0;
  double pe_area_um2 = 0, array_area_um2 = 0;
  double energy_per_inference_pj = 0, energy_per_mac_pj = 0;
  // One inference's energy by where it is spent, and its average power at the sweep's clock.
  double energy_pe_pj = 0, energy_sram_pj = 0, energy_dram_pj = 0;
  double power_mw = 0, clock_mhz = 0, fmax_mhz = 0;
  bool fp32_accumulator = false;  // accumulator format is M23E8 (the paper's baseline)
  nlohmann::json raw;             // the record as read, copied into the merged JSON
};

// A dot-product unit from the cost flow's units table (docs/tensor-core.md, "RTL: the fused unit
// and its cost"): the FMAq chain's step or a fused unit of G terms, evaluated at one clock.
struct UnitCost {
  cost::RowAt at;  // the row at Report::units_clock_mhz (pj_per_mac: dynamic + leakage, over G)
  std::string accumulator;
  long cells = 0;
  double gmacs_per_mm2 = 0;  // throughput per area at the unit's own fmax
};

struct Report {
  std::vector<PointRecord> points;  // sorted by id
  std::vector<UnitCost> units;      // `lbasim report --units TABLE`; empty otherwise
  double units_clock_mhz = 0;       // the slowest unit's fmax: every unit at one clock
};

// Adds every row of a units table (`lbasim power --table ...`), each evaluated at the slowest
// row's fmax, so that pJ/MAC compares units at one clock. InputError naming `source` if the
// table has no rows.
void add_units(Report& r, const cost::PowerTable& t, const std::string& source);

// Validates one record; InputError messages name `source`, the field, the value and what was
// expected.
PointRecord parse_point(const nlohmann::json& j, const std::string& source);

// Reads DIR/points/*.json, or DIR/*.json if DIR has no points/ folder, or a merged report JSON
// file (as written by to_json). Refuses an empty input and duplicate ids.
Report load_report(const std::filesystem::path& in);

// Indices of the points no other point beats on both top-1 (higher) and energy per inference
// (lower), ordered by energy.
std::vector<std::size_t> pareto_front(const Report& r);

// The cheapest point (energy per inference) whose top-1 is within `tolerance` (a fraction:
// 0.005 = 0.5 percentage points) of the best FP32-accumulator point; none without such a point.
std::optional<std::size_t> recommended_point(const Report& r, double tolerance = 0.005);

// The merged JSON behind the page: every record, the Pareto front and the recommendation.
nlohmann::json to_json(const Report& r);

}  // namespace lbasim::report
