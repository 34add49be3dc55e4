// The power table (data/power_osu018.json, written by `lbasim power --synthesize`): per
// accumulator configuration, the array PE's area, critical path and energy per cycle from the
// gate-level flow (docs/cost.md), and the IEEE units of the Horowitz check.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "lbasim/cost/node_scaling.h"

namespace lbasim::cost {

// Which PE a row measures besides its formats (docs/cost.md): the chunk lane placement ("pe":
// the lane in every PE; "column": the PE without it plus the column-bottom lane over the
// array's rows), the pipeline stages (1, or 2: a register after the product) and the
// dataflow ("ws", "os"), and the PE kind ("fmaq": the FMAq chain's ws_pe/os_pe; "fused":
// fused_ws_pe, a tensor-core step of G products, ws, chunk lane pe, 1 stage). Rows without
// these fields are pe, 1, ws, fmaq.
struct PowerVariant {
  std::string chunk_lane = "pe";
  int stages = 1;
  std::string dataflow = "ws";
  std::string pe = "fmaq";

  bool operator==(const PowerVariant&) const = default;
  std::string to_string() const;  // "ws, chunk lane pe, 1 stage" ("ws fused, ..." if fused)
};

// Throws InputError naming the option and the value unless it is one the flow builds.
void check_variant(const PowerVariant& v);

// One side of a chunk lane 'column' row: the PE without its chunk lane, or the column-bottom
// lane (combinational; its "MAC" cycles are the cycles it adds).
struct PartCost {
  double area_um2 = 0;
  long cells = 0, flip_flops = 0;
  double critical_path_ns = 0;
  double mac_internal_pj = 0, mac_switching_pj = 0, idle_pj = 0, leakage_mw = 0;
};

struct PowerRow {
  std::string name, label, product, accumulator, chunk_accumulator;
  PowerVariant variant;
  long chunk = 0;
  double area_um2 = 0;
  long cells = 0, flip_flops = 0;
  double critical_path_ns = 0, fmax_mhz = 0;
  // Dynamic energy per cycle (OpenSTA internal + switching, pJ): a cycle in which the PE does
  // a MAC, and one in which it waits (weight load, fill/drain, pass-through).
  double mac_internal_pj = 0, mac_switching_pj = 0, idle_pj = 0;
  double leakage_mw = 0;
  // MACs a busy cycle does: 1 for the FMAq PEs, G for a fused unit or PE of G terms (pJ/MAC is
  // the cycle's energy over this).
  long macs_per_cycle = 1;
  // The fused order of a fused PE row (variant.pe "fused"): G terms, F align bits; 0 otherwise.
  int terms = 0, align_bits = 0;
  nlohmann::json flow;  // what the flow reported (stimulus, checks, tool versions, timing path)
  // Chunk lane 'column': the two parts; the row's own figures are per PE of an array of
  // column_rows rows (PE + lane / rows; the lane adds once per R MACs, chunk = R).
  PartCost column_pe, column_lane;
  int column_rows = 0;

  double mac_pj() const { return mac_internal_pj + mac_switching_pj; }
  // The row for an array of `rows` rows: a 'column' row's lane shared over them (docs/cost.md);
  // other rows unchanged.
  PowerRow for_rows(int rows) const;
};

// Sets a 'column' row's per-PE figures from its parts, the lane shared over `rows` rows.
void combine_column(PowerRow& r, const PartCost& pe, const PartCost& lane, int rows);

// A stand-alone IEEE unit (fp_add / fp_mul, all ports one format) on random operands.
struct PowerAnchor {
  std::string name, op, format;
  double area_um2 = 0, critical_path_ns = 0;
  double pj_per_op = 0;  // dynamic energy per operation at 180 nm
  double leakage_mw = 0;
  double horowitz_pj = 0;  // Horowitz (ISSCC 2014), 45 nm, 0.9 V
};

struct PowerTable {
  std::string library;
  int node_nm = 180;
  double vdd = 1.8;
  nlohmann::json tools, stimulus;
  std::vector<PowerRow> rows;
  std::vector<PowerAnchor> anchors;

  // nullptr if absent
  const PowerRow* find(const std::string& name, const PowerVariant& v = {}) const;
  // Throws InputError naming `what`, the name, the variant and the known rows if absent.
  const PowerRow& at(const std::string& name, const std::string& what,
                     const PowerVariant& v = {}) const;
};

std::filesystem::path default_power_table();  // models/cost/data/power_osu018.json

// Errors (missing file, bad JSON, missing or mistyped field) are InputErrors naming the file
// and the field.
PowerTable read_power_table(const std::filesystem::path& path);
nlohmann::json to_json(const PowerTable& t);

// A row at a clock and a node (180: the flow's numbers; others: Stillmaker-Baas estimates,
// leakage not estimated).
struct RowAt {
  std::string name, label;
  PowerVariant variant;
  int node_nm = 180;
  bool estimate = false;
  double clock_mhz = 0;
  double area_um2 = 0, fmax_mhz = 0;
  bool meets_timing = true;  // clock <= fmax
  double dynamic_mw = 0;     // PE busy every cycle (one MAC per cycle)
  double leakage_mw = 0;     // NaN at other nodes (not estimated)
  double power_mw = 0;       // dynamic + leakage (leakage left out at other nodes)
  long macs_per_cycle = 1;
  double pj_per_mac = 0;  // power / frequency / MACs per cycle
  double idle_pj = 0;     // dynamic energy of a waiting cycle
};

// Throws InputError if clock_mhz is not a finite number > 0 (naming "--clock-mhz").
RowAt evaluate(const PowerRow& r, double clock_mhz, const NodeScaling& node);
nlohmann::json to_json(const RowAt& r);

// Horowitz check: an anchor's energy scaled to 45 nm at 0.9 V over Horowitz's figure.
double horowitz_ratio(const PowerAnchor& a);
double scaled_to_horowitz_node(double pj_180nm);

}  // namespace lbasim::cost
