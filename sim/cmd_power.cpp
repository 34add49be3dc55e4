// lbasim power: area, fmax, power and energy per MAC of the array's PE per accumulator
// configuration (docs/cost.md). From the committed table (models/cost/data/power_osu018.json)
// by default; --synthesize reruns the flow (Yosys, OpenSTA, iverilog; tools/lba/power).
#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "commands.h"
#include "io_util.h"
#include "lbasim/base/error.h"
#include "lbasim/cost/node_scaling.h"
#include "lbasim/cost/power_table.h"
#include "lbasim/traces/trace.h"
#include "power/power_configs.h"
#include "power/stimulus.h"
#include "run_tool.h"

namespace lbasim::cli {
namespace {

namespace fs = std::filesystem;

struct PowerOptions {
  std::string configs, json, table, netlists, work, write_stimulus, table_out, trace, layer;
  std::string array = "16x16";
  double clock_mhz = 0;
  bool clock_given = false;
  bool pe_given = false;  // --pe typed: named rows must be of that PE
  int node = 180;
  bool synthesize = false, anchors = false, reuse = false, merge = false;
  cost::PowerVariant variant;
  int jobs = 1;
  std::int64_t cycles = 2000;
};

// The cell library's folder: $LBASIM_OSU018_DIR if set (tests point it elsewhere), else
// where Debian's qflow-tech-osu018 installs it.
fs::path osu018_dir() {
  const char* env = std::getenv("LBASIM_OSU018_DIR");
  return env && *env ? fs::path(env) : fs::path("/usr/share/qflow/tech/osu018");
}

// The flow's tools and library, each with the Debian package that ships it.
void require_flow_tools() {
  const std::pair<fs::path, const char*> needs[] = {
      {osu018_dir() / "osu018_stdcells.lib", "qflow-tech-osu018"},
      {osu018_dir() / "osu018_stdcells.v", "qflow-tech-osu018"},
      {"/usr/bin/yosys", "yosys"},
      {"/usr/bin/sta", "opensta"},
      {"/usr/bin/iverilog", "iverilog"},
      {"/usr/bin/vvp", "iverilog"},
      {"/usr/bin/python3", "python3"}};
  std::string missing;
  for (const auto& [path, pkg] : needs)
    if (!fs::exists(path))
      missing +=
          fmt::format("{}{} (Debian package {})", missing.empty() ? "" : "; ", path.string(), pkg);
  if (!missing.empty())
    throw InputError(
        fmt::format("power --synthesize: missing {}; install with apt-get install "
                    "or run tools/setup.sh",
                    missing));
}

std::pair<int, int> parse_shape(const std::string& s) {
  int r = 0, c = 0;
  char x = 0, extra = 0;
  if (std::sscanf(s.c_str(), "%d%c%d%c", &r, &x, &c, &extra) != 3 || x != 'x' || r < 1 || c < 1 ||
      r > 1024 || c > 1024)
    throw InputError(fmt::format("--array {}: expected RxC with 1..1024 rows and columns", s));
  return {r, c};
}

// Runs the flow of each job (two at a time with --jobs 2); the results' JSON paths.
void run_flows(const std::vector<std::pair<std::string, fs::path>>& jobs, const PowerOptions& o) {
  std::vector<std::pair<pid_t, std::string>> running;
  std::string failed;
  const auto reap = [&] {
    const auto [pid, name] = running.front();
    running.erase(running.begin());
    if (wait_tool(pid) != 0) failed += (failed.empty() ? "" : ", ") + name;
  };
  for (const auto& [name, dir] : jobs) {
    if (o.reuse && fs::is_regular_file(dir / "result.json")) {
      fmt::print(stderr, "power: {}: reusing {}\n", name, (dir / "result.json").string());
      continue;
    }
    std::vector<std::string> args{
        "--stimulus", (dir / "stimulus").string(),    "--work", (dir / "work").string(),
        "--out",      (dir / "result.json").string(), "--name", name};
    if (!o.netlists.empty()) args.insert(args.end(), {"--netlists", o.netlists});
    fmt::print(stderr, "power: flow for {} ({})\n", name, dir.string());
    running.emplace_back(start_tool(python_module("lba.power.flow", args)), name);
    if (static_cast<int>(running.size()) >= std::max(1, o.jobs)) reap();
  }
  while (!running.empty()) reap();
  if (!failed.empty())
    throw InputError(
        fmt::format("power --synthesize: the flow failed for {} (see above); "
                    "nothing written",
                    failed));
}

// A unit row's design: e4m3 operands (as M3E4b7:subnormal, the RTL has no e4m3 NaN code) and
// the row's product, accumulator and fused order.
power::DotUnitFormats unit_formats(const power::PowerConfig& c) {
  const num::Format e4m3 = num::parse_format("M3E4b7:subnormal");
  power::DotUnitFormats f{e4m3, e4m3, c.config.product, c.config.accumulator};
  if (c.config.fused) {
    f.fused = true;
    f.terms = c.config.fused->terms;
    f.align_bits = c.config.fused->align_bits;
  }
  return f;
}

// A flow's folder (under --work) and netlist stem: the row's name, with its variant when it is
// not the default one.
std::string job_name(const std::string& name, const cost::PowerVariant& v) {
  std::string s = name;
  if (v.dataflow != "ws") s += "-" + v.dataflow;
  if (v.chunk_lane != "pe") s += "-" + v.chunk_lane;
  if (v.stages != 1) s += fmt::format("-{}stage", v.stages);
  return s;
}
std::string lane_job_name(const std::string& name) { return name + "-column-lane"; }

// A flow result's figures (a part of a 'column' row).
cost::PartCost part_from_result(const nlohmann::json& r) {
  const auto& p = r.at("power");
  cost::PartCost c;
  c.area_um2 = r.at("area_um2");
  c.cells = r.at("cells");
  c.flip_flops = r.at("flip_flops");
  c.critical_path_ns = r.at("timing").at("critical_path_ns");
  c.mac_internal_pj = p.at("mac").at("internal_pj");
  c.mac_switching_pj = p.at("mac").at("switching_pj");
  c.idle_pj = p.contains("idle") ? p.at("idle").at("internal_pj").get<double>() +
                                       p.at("idle").at("switching_pj").get<double>()
                                 : 0.0;
  c.leakage_mw = p.at("mac").at("leakage_mw");
  return c;
}

cost::PowerRow row_from_result(const power::PowerConfig& c, const cost::PowerVariant& v,
                               const nlohmann::json& r) {
  cost::PowerRow row;
  row.name = c.name;
  row.label = c.label;
  row.variant = v;
  row.product = c.config.fused ? "exact" : c.config.product.to_string();
  row.macs_per_cycle = c.config.fused ? c.config.fused->terms : 1;
  if (v.pe == "fused") {
    row.terms = c.config.fused->terms;
    row.align_bits = c.config.fused->align_bits;
  }
  row.accumulator = c.config.accumulator.to_string();
  row.chunk_accumulator = c.config.chunk_accumulator.to_string();
  row.chunk = c.config.chunk;
  const cost::PartCost part = part_from_result(r);
  row.area_um2 = part.area_um2;
  row.cells = part.cells;
  row.flip_flops = part.flip_flops;
  row.critical_path_ns = part.critical_path_ns;
  row.fmax_mhz = r.at("timing").at("fmax_mhz");
  row.mac_internal_pj = part.mac_internal_pj;
  row.mac_switching_pj = part.mac_switching_pj;
  row.idle_pj = part.idle_pj;
  row.leakage_mw = part.leakage_mw;
  const auto& p = r.at("power");
  row.flow = {{"design", r.at("design")},  // the top module, RTL file hashes, parameters
              {"timing", r.at("timing")},
              {"gate_level_check", r.at("gate_level_check")},
              {"cycles",
               {{"mac", p.at("mac").at("cycles")},
                {"idle", p.contains("idle") ? p.at("idle").at("cycles") : nlohmann::json(0)}}},
              {"stimulus_formats", r.at("stimulus").at("formats")},
              {"seconds", r.at("seconds")},
              {"cell_counts", r.at("cell_counts")}};
  return row;
}

// Chunk lane 'column' (docs/cost.md): per PE, the PE without its chunk lane plus the
// column-bottom lane's area, energy and leakage over the R rows it serves. In a stream the R
// PEs of a column do a MAC each while the lane adds once (chunk = R), so a MAC cycle carries
// the lane's add-cycle energy / R and an idle cycle its idle energy / R. The array's clock is
// the slower of the PE's and the lane's path.
void add_column_lane(cost::PowerRow& row, const nlohmann::json& pe, const nlohmann::json& lane,
                     int rows) {
  cost::combine_column(row, part_from_result(pe), part_from_result(lane), rows);
  const auto& p = lane.at("power");
  row.flow["column_lane"] = {
      {"design", lane.at("design")},
      {"timing", lane.at("timing")},
      {"gate_level_check", lane.at("gate_level_check")},
      {"cycles",
       {{"add", p.at("mac").at("cycles")},
        {"idle", p.contains("idle") ? p.at("idle").at("cycles") : nlohmann::json(0)}}},
      {"seconds", lane.at("seconds")},
      {"cell_counts", lane.at("cell_counts")}};
}

cost::PowerTable synthesize(const std::vector<power::PowerConfig>& configs, const PowerOptions& o) {
  // The dot-product units have no chunk lane, pipeline register or dataflow: a PE variant
  // would label a unit's row with a design it was not built as.
  for (const auto& c : configs)
    if (c.unit && o.variant != cost::PowerVariant{})
      throw InputError(fmt::format(
          "--configs {}: a dot-product unit has no PE variant; drop --chunk-lane, --stages and "
          "--dataflow and --pe (got {})",
          c.name, o.variant.to_string()));
  require_flow_tools();
  if (o.variant.dataflow == "os" && (o.variant.chunk_lane != "pe" || o.variant.stages != 1))
    throw InputError(fmt::format(
        "--dataflow os: the flow builds the output-stationary PE with chunk lane pe and 1 "
        "stage only, not {}",
        o.variant.to_string()));
  const auto [rows, cols] = parse_shape(o.array);
  if (o.cycles < 100) throw InputError(fmt::format("--cycles {}: expected at least 100", o.cycles));
  const fs::path trace_dir =
      o.trace.empty() ? source_root() / "traces/data/resnet-fmnist" : fs::path(o.trace);
  const traces::Trace trace = traces::read_trace(trace_dir);
  const fs::path work = !o.write_stimulus.empty() ? fs::path(o.write_stimulus)
                        : o.work.empty()
                            ? fs::temp_directory_path() / fmt::format("lbasim-power-{}", getpid())
                            : fs::path(o.work);
  power::WsStimulusOptions so;
  if (!o.layer.empty()) so.layer = o.layer;
  so.rows = rows;
  so.cols = cols;
  so.cycles = o.cycles;
  so.column = o.variant.chunk_lane == "column";
  so.stages = o.variant.stages;
  std::vector<std::pair<std::string, fs::path>> jobs;
  nlohmann::json stim_info;
  for (const auto& c : configs) {
    const std::string name = job_name(c.name, o.variant);
    const power::Stimulus s =
        c.unit                       ? power::dot_unit_stimulus(unit_formats(c), 128, o.cycles, 7)
        : o.variant.pe == "fused"    ? power::fused_ws_pe_stimulus(trace, c.config, so)
        : o.variant.dataflow == "os" ? power::os_pe_stimulus(trace, c.config, so)
                                     : power::ws_pe_stimulus(trace, c.config, so);
    power::write_stimulus(s, work / name / "stimulus");
    stim_info = s.info;
    jobs.emplace_back(name, work / name);
    if (so.column) {  // the column-bottom chunk accumulator, shared by the column's R PEs
      const std::string lane = lane_job_name(c.name);
      power::write_stimulus(power::column_lane_stimulus(trace, c.config, so),
                            work / lane / "stimulus");
      jobs.emplace_back(lane, work / lane);
    }
  }
  if (o.anchors)
    for (const auto& u : power::anchor_units()) {
      power::write_stimulus(power::unit_stimulus(u.op, num::parse_format(u.format), 2000, 7),
                            work / u.name / "stimulus");
      jobs.emplace_back(u.name, work / u.name);
    }
  if (!o.write_stimulus.empty()) {
    fmt::print("wrote the stimulus of {} design(s) under {} (NAME/stimulus)\n", jobs.size(),
               o.write_stimulus);
    return {};
  }
  run_flows(jobs, o);

  cost::PowerTable t;
  t.library =
      "OSU 0.18 um standard cells (osu018_stdcells.lib, Debian qflow-tech-osu018), "
      "typical corner, 1.8 V, 25 C";
  t.stimulus = stim_info;
  t.stimulus.erase("positions");
  t.stimulus.erase("chunk_lane");  // per row
  for (const auto& c : configs) {
    const nlohmann::json r = read_json_file(work / job_name(c.name, o.variant) / "result.json");
    cost::PowerRow row = row_from_result(c, o.variant, r);
    if (o.variant.chunk_lane == "column")
      add_column_lane(row, r, read_json_file(work / lane_job_name(c.name) / "result.json"), rows);
    t.tools = r.at("tools");
    t.rows.push_back(row);
  }
  if (o.anchors)
    for (const auto& u : power::anchor_units()) {
      const nlohmann::json r = read_json_file(work / u.name / "result.json");
      cost::PowerAnchor a;
      a.name = u.name;
      a.op = u.op;
      a.format = num::parse_format(u.format).to_string();
      a.area_um2 = r.at("area_um2");
      a.critical_path_ns = r.at("timing").at("critical_path_ns");
      a.pj_per_op = r.at("power").at("mac").at("internal_pj").get<double>() +
                    r.at("power").at("mac").at("switching_pj").get<double>();
      a.leakage_mw = r.at("power").at("mac").at("leakage_mw");
      a.horowitz_pj = u.horowitz_pj;
      t.anchors.push_back(a);
    }
  if (o.work.empty()) fs::remove_all(work);
  return t;
}

// --merge: the rows of `old` that the new table does not replace (same name and variant) stay,
// before the new ones; its Horowitz units stay unless new ones were made.
void merge_into(cost::PowerTable& t, const cost::PowerTable& old) {
  std::vector<cost::PowerRow> rows;
  for (const auto& r : old.rows)
    if (!t.find(r.name, r.variant)) rows.push_back(r);
  rows.insert(rows.end(), t.rows.begin(), t.rows.end());
  t.rows = std::move(rows);
  if (t.anchors.empty()) t.anchors = old.anchors;
  if (!old.stimulus.empty()) t.stimulus = old.stimulus;
}

std::string fmt_or_na(double v, int digits) {
  return std::isnan(v) ? "n/a" : fmt::format("{:.{}f}", v, digits);
}

// The rows' PE variant, or their variants when they differ (rows of both PE kinds).
std::string pe_description(const std::vector<const cost::PowerRow*>& rows) {
  std::vector<std::string> seen;
  std::string out;
  for (const auto* r : rows) {
    const std::string v = r->variant.to_string();
    if (std::find(seen.begin(), seen.end(), v) != seen.end()) continue;
    out += (seen.empty() ? "" : "; ") + v;
    seen.push_back(v);
  }
  return out;
}

void run_power(const PowerOptions& o) {
  // Everything the user typed is checked before any tool runs or any file is written.
  cost::check_variant(o.variant);
  // Rows named without --pe are shown each with its own PE, so that one table compares the
  // FMAq chain's PE and the fused PEs (m13e8,f4_m13e8,f32_m13e8); the flow runs one PE kind.
  const bool own_pe = !o.pe_given && !o.synthesize && !o.configs.empty() && o.configs != "all";
  const std::vector<power::PowerConfig> configs =
      power::select_configs(o.configs, "--configs", o.variant.pe, own_pe);
  const auto variant_of = [&](const power::PowerConfig& c) {
    cost::PowerVariant v = o.variant;
    if (own_pe && !c.unit) v.pe = power::pe_kind(c);
    return v;
  };
  if (o.clock_given && (!std::isfinite(o.clock_mhz) || o.clock_mhz <= 0))
    throw InputError(fmt::format("--clock-mhz {}: expected a clock in MHz > 0", o.clock_mhz));
  const cost::NodeScaling node = cost::scaling_from_180nm(o.node, "--node");
  if (!o.synthesize && (!o.netlists.empty() || !o.write_stimulus.empty() || o.anchors))
    throw InputError(
        "--netlists, --write-stimulus and --anchors rerun the flow: add "
        "--synthesize");
  if (o.merge && o.table_out.empty()) throw InputError("--merge: needs --table-out");

  cost::PowerTable table;
  if (o.synthesize) {
    table = synthesize(configs, o);
    if (!o.write_stimulus.empty()) return;
    if (!o.table_out.empty()) {
      if (o.merge && fs::exists(o.table_out))
        merge_into(table, cost::read_power_table(o.table_out));
      write_json_file(o.table_out, cost::to_json(table));
      fmt::print(stderr, "power: wrote the table {}\n", o.table_out);
    }
  } else {
    table =
        cost::read_power_table(o.table.empty() ? cost::default_power_table() : fs::path(o.table));
  }
  std::vector<const cost::PowerRow*> rows;
  for (const auto& c : configs) {
    // Without --configs: every row the table has for this PE variant.
    if (o.configs.empty() && !o.synthesize && !table.find(c.name, o.variant)) continue;
    rows.push_back(&table.at(c.name, "--configs", variant_of(c)));
  }
  if (rows.empty())
    throw InputError(
        fmt::format("the power table has no row for the PE {} (lbasim power "
                    "--synthesize adds rows)",
                    o.variant.to_string()));

  double clock = o.clock_mhz;
  std::string rule = "--clock-mhz";
  if (!o.clock_given) {
    clock = std::numeric_limits<double>::infinity();
    for (const auto* r : rows) clock = std::min(clock, r->fmax_mhz / node.delay);
    rule = "the slowest configuration's fmax";
  }
  std::vector<cost::RowAt> at;
  for (const auto* r : rows) at.push_back(cost::evaluate(*r, clock, node));
  const cost::RowAt* ref = nullptr;
  for (const auto& a : at)
    if (a.name == "fp32") ref = &a;

  fmt::print("lbasim power: {}\n", table.library);
  const std::string what =
      table.stimulus.contains("trace")
          ? fmt::format("the PE ({}) of an array on {} {}", pe_description(rows),
                        table.stimulus.value("trace", "?"), table.stimulus.value("layer", "?"))
          : "dot-product units without registers (pJ/MAC: a cycle's energy over its MACs)";
  fmt::print("node {} nm{}, clock {:.1f} MHz ({}); {} (busy every cycle)\n", node.node_nm,
             node.estimate ? fmt::format(" at {} V: ESTIMATES scaled from 180 nm (Stillmaker and "
                                         "Baas 2017), leakage not estimated",
                                         node.vdd)
                           : "",
             clock, rule, what);
  std::size_t name_w = 7, label_w = 26;  // the fused PE rows' are wider than the FMAq rows'
  for (const auto& a : at) {
    name_w = std::max(name_w, a.name.size());
    label_w = std::max(label_w, a.label.size());
  }
  fmt::print("{:<{}} {:<{}} {:>10} {:>9} {:>9} {:>8} {:>11} {:>9} {:>8}\n", "config", name_w,
             "accumulator", label_w, "area um2", "fmax MHz", "power mW", "pJ/MAC", "leakage mW",
             "idle pJ", "vs fp32");
  for (const auto& a : at)
    fmt::print("{:<{}} {:<{}} {:>10.0f} {:>9.1f} {:>9.3f} {:>8.3f} {:>11} {:>9.3f} {:>8}{}\n",
               a.name, name_w, a.label, label_w, a.area_um2, a.fmax_mhz, a.power_mw, a.pj_per_mac,
               fmt_or_na(a.leakage_mw, 6), a.idle_pj,
               ref ? fmt::format("{:.3f}", a.power_mw / ref->power_mw) : "-",
               a.meets_timing ? "" : "  (clock above fmax)");
  nlohmann::json checks = nlohmann::json::array();
  for (const auto& an : table.anchors) {
    const double at45 = cost::scaled_to_horowitz_node(an.pj_per_op);
    checks.push_back({{"unit", an.name},
                      {"pj_180nm", an.pj_per_op},
                      {"pj_45nm_0v9_estimate", at45},
                      {"horowitz_pj", an.horowitz_pj},
                      {"ratio", at45 / an.horowitz_pj}});
  }
  if (!checks.empty()) {
    fmt::print("\nHorowitz check (IEEE units of rtl/fmaq, scaled to 45 nm at 0.9 V):\n");
    for (const auto& c : checks)
      fmt::print("  {:<9} {:8.3f} pJ at 180 nm -> {:6.3f} pJ; Horowitz {:.1f} pJ; ratio {:.2f}\n",
                 c["unit"].get<std::string>(), c["pj_180nm"].get<double>(),
                 c["pj_45nm_0v9_estimate"].get<double>(), c["horowitz_pj"].get<double>(),
                 c["ratio"].get<double>());
  }
  if (!o.json.empty()) {
    nlohmann::json rows_json = nlohmann::json::array();
    for (const auto& a : at) {
      nlohmann::json row = cost::to_json(a);
      row["library"] = table.library;
      rows_json.push_back(row);
    }
    write_json_file(o.json, {{"library", table.library},
                             {"node_nm", node.node_nm},
                             {"vdd", node.vdd},
                             {"estimate", node.estimate},
                             {"scaling", node.estimate ? "Stillmaker and Baas, Integration 58 "
                                                         "(2017) 74-81"
                                                       : "none (the flow's own node)"},
                             {"clock_mhz", clock},
                             {"clock_rule", rule},
                             {"stimulus", table.stimulus},
                             {"configs", rows_json},
                             {"horowitz_check", checks}});
  }
}

}  // namespace

void add_power_command(CLI::App& app) {
  auto opt = std::make_shared<PowerOptions>();
  auto* cmd = app.add_subcommand(
      "power", "Area, fmax, power and energy per MAC of the array's PE per accumulator");
  cmd->add_option("--configs,-c", opt->configs,
                  "Comma-separated rows: fp32,fp16,bf16,m10e5,m7e4,m6e5,m3e4,m13e8 (default all "
                  "of the --pe); fused PE rows f32_m13e8,f4_m13e8 (with --pe fused); "
                  "dot-product units chain_m13e8,fused4_m13e8,fused32_m13e8 (named only; with "
                  "--table models/cost/data/power_osu018_units.json)");
  cmd->add_option("--clock-mhz", opt->clock_mhz,
                  "Clock for power and pJ/MAC (default: the slowest selected row's fmax)")
      ->each([opt](const std::string&) { opt->clock_given = true; });
  cmd->add_option("--node", opt->node,
                  "Technology node in nm: 180 (the flow's), or 45, 16, 7 (scaled estimates)")
      ->capture_default_str();
  cmd->add_option("--chunk-lane", opt->variant.chunk_lane,
                  "Chunk lane placement: pe (a chunk adder in every PE) or column (one per "
                  "column bottom, its cost shared by the array's rows)")
      ->capture_default_str();
  cmd->add_option("--stages", opt->variant.stages,
                  "PE pipeline: 1, or 2 (a register after the product)")
      ->capture_default_str();
  cmd->add_option("--dataflow", opt->variant.dataflow,
                  "The PE's dataflow: ws (weight-stationary) or os (output-stationary)")
      ->capture_default_str();
  cmd->add_option("--pe", opt->variant.pe,
                  "The PE: fmaq (the FMAq chain's PE) or fused (fused_ws_pe, a tensor-core step "
                  "of G products: rows f32_m13e8, f4_m13e8; ws, chunk lane pe, 1 stage). "
                  "Without --pe, rows named in --configs are shown each with its own PE "
                  "(e.g. m13e8,f4_m13e8,f32_m13e8); --synthesize runs one PE kind")
      ->capture_default_str()
      ->each([opt](const std::string&) { opt->pe_given = true; });
  cmd->add_option("--json,-o", opt->json, "Write the table as JSON here");
  cmd->add_option("--table", opt->table,
                  "Power table to print (default models/cost/data/power_osu018.json)");
  cmd->add_flag("--synthesize", opt->synthesize,
                "Rerun the flow (Yosys, OpenSTA, iverilog) for the selected rows");
  cmd->add_option("--netlists", opt->netlists,
                  "With --synthesize: keep the mapped Verilog and OpenSTA scripts here");
  cmd->add_option("--table-out", opt->table_out,
                  "With --synthesize: write the new power table here");
  cmd->add_flag("--merge", opt->merge,
                "With --table-out: keep the rows of the table already there that the new rows "
                "do not replace (same configuration and variant)");
  cmd->add_option("--work", opt->work, "With --synthesize: keep the flow's files here");
  cmd->add_flag("--reuse", opt->reuse,
                "With --synthesize --work: keep the results already there (resume an "
                "interrupted run of the same source tree)");
  cmd->add_option("--jobs,-j", opt->jobs, "With --synthesize: flows run at once")
      ->check(CLI::Range(1, 16))
      ->capture_default_str();
  cmd->add_option("--cycles", opt->cycles, "With --synthesize: stimulus cycles per row")
      ->capture_default_str();
  cmd->add_option("--trace", opt->trace,
                  "With --synthesize: trace of the stimulus (default traces/data/resnet-fmnist)");
  cmd->add_option("--layer", opt->layer,
                  "With --synthesize: layer of the stimulus (default block2.conv2)");
  cmd->add_option("--array", opt->array, "With --synthesize: array whose PE is simulated")
      ->capture_default_str();
  cmd->add_flag("--anchors", opt->anchors,
                "With --synthesize: also the IEEE units of the Horowitz check");
  cmd->add_option("--write-stimulus", opt->write_stimulus,
                  "With --synthesize: only write the stimulus folders here (for "
                  "python3 -m lba.power.flow)");
  cmd->footer(
      "The flow and its decisions: docs/cost.md. Scaled nodes are estimates. Exit status: 0 ok, "
      "1 bad input or a failed flow (no output written), 2 usage.");
  cmd->callback([opt] { run_power(*opt); });
}

}  // namespace lbasim::cli
