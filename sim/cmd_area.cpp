// lbasim area: the synthesized PE area per accumulator configuration (docs/cost.md), from the
// committed table or by re-running synthesis; also writes the gate-level stimulus that
// tools/area/energy_table.py replays on the mapped netlists.
#include <fmt/core.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "commands.h"
#include "io_util.h"
#include "lbasim/cost/tables.h"
#include "lbasim/numerics/accumulate.h"
#include "lbasim/numerics/encoding.h"
#include "lbasim/numerics/error.h"
#include "lbasim/numerics/scale.h"

namespace lbasim::cli {
namespace {

struct AreaOptions {
  std::string table;
  bool synthesize = false, energy = false;
  std::string out = "area_45nm.json", only;
  std::string array;
  // Stimulus for the energy harness.
  std::string stimulus, wa = "M4E3b3", product = "M7E4b12", acc = "M7E4b10";
  std::int64_t k = 128, streams = 512, chunk = 16;
  std::uint64_t seed = 1;
};

// RTL parameters of a format (docs/rtl.md), for the harness to check its own reading.
nlohmann::json rtl_params(const num::Format& f) {
  return {{"MAN", f.man},
          {"EXP", f.exp},
          {"BIAS", f.bias},
          {"SUB", f.underflow == num::Underflow::subnormal ? 1 : 0},
          {"IEEE", f.specials == num::Specials::ieee ? 1 : 0},
          {"RNE", f.rounding == num::Rounding::rne ? 1 : 0},
          {"INF", f.overflow == num::Overflow::inf ? 1 : 0}};
}

// Realistic FP8 operands as `lbasim demo` makes them (post-ReLU normal activations,
// He-initialised weights, per-tensor power-of-two scales), one dot product of length k per
// stream, with the golden chunked dot product of the codes' values.
void write_stimulus(const AreaOptions& o) {
  const num::Format wa = parse_format_option("--wa", o.wa);
  const num::Format prod = parse_format_option("--product", o.product);
  const num::Format acc = parse_format_option("--acc", o.acc);
  if (o.k < 1 || o.streams < 1 || o.chunk < 0)
    throw InputError(
        fmt::format("--k {} --streams {} --chunk {}: expected k, streams >= 1 and "
                    "chunk >= 0",
                    o.k, o.streams, o.chunk));
  std::mt19937_64 rng(o.seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  const std::size_t n = static_cast<std::size_t>(o.k * o.streams);
  std::vector<double> a(n), w(n);  // both stream-major: element (s, i) at s * k + i
  for (double& x : a) x = std::fmax(0.0, normal(rng));
  const double w_std = std::sqrt(2.0 / static_cast<double>(o.k));
  for (double& x : w) x = w_std * normal(rng);
  const int sa = num::choose_pow2_scale(a, wa), sw = num::choose_pow2_scale(w, wa);
  num::quantize_scaled(a, sa, wa);
  num::quantize_scaled(w, sw, wa);
  // The array sees the codes; the scales are applied outside it.
  for (double& x : a) x = std::ldexp(x, -sa);
  for (double& x : w) x = std::ldexp(x, -sw);
  const num::AccumConfig cfg{prod, acc, acc, o.chunk};
  nlohmann::json ja = nlohmann::json::array(), jw = nlohmann::json::array(),
                 expected = nlohmann::json::array();
  for (std::int64_t s = 0; s < o.streams; ++s) {
    std::vector<std::uint64_t> ca, cw;
    for (std::int64_t i = 0; i < o.k; ++i) {
      ca.push_back(num::encode(a[s * o.k + i], wa));
      cw.push_back(num::encode(w[s * o.k + i], wa));
    }
    ja.push_back(ca);
    jw.push_back(cw);
    expected.push_back(
        num::encode(num::dot_chunked(&a[s * o.k], 1, &w[s * o.k], 1, o.k, cfg, nullptr), acc));
  }
  write_json_file(o.stimulus, {{"k", o.k},
                               {"chunk", o.chunk},
                               {"streams", o.streams},
                               {"seed", o.seed},
                               {"formats",
                                {{"a", wa.to_string()},
                                 {"w", wa.to_string()},
                                 {"product", prod.to_string()},
                                 {"accumulator", acc.to_string()}}},
                               {"params",
                                {{"A", rtl_params(wa)},
                                 {"W", rtl_params(wa)},
                                 {"P", rtl_params(prod)},
                                 {"ACC", rtl_params(acc)}}},
                               {"a", ja},
                               {"w", jw},
                               {"expected", expected}});
  fmt::print("wrote {} ({} streams x {} MACs, chunk {})\n", o.stimulus, o.streams, o.k, o.chunk);
}

std::filesystem::path source_root() { return cost::default_data_dir() / ".." / ".." / ".."; }

void run_area(const AreaOptions& o) {
  if (!o.stimulus.empty()) return write_stimulus(o);
  std::filesystem::path table = o.table.empty() ? cost::default_data_dir() / "area_45nm.json"
                                                : std::filesystem::path(o.table);
  if (o.synthesize) {
    const auto script = source_root() / "tools" / "area" / "synth_table.py";
    std::string cmd = fmt::format("/usr/bin/python3 '{}' --out '{}'", script.string(), o.out);
    if (!o.only.empty()) cmd += fmt::format(" --only '{}'", o.only);
    fmt::print("running {}\n", cmd);
    std::fflush(stdout);
    if (std::system(cmd.c_str()) != 0)
      throw InputError(
          fmt::format("--synthesize: {} failed (is yosys installed?)", script.string()));
    table = o.out;
  }
  const cost::AreaTable t = cost::read_area_table(table);
  fmt::print("PE area at 45 nm ({}; {}): {}\n", t.tool, t.liberty, table.string());
  fmt::print("{}", cost::format_area_table(t));
  fmt::print(
      "area in um^2 of mapped NanGate45 cells (placement/wiring not included); NAND2eq = "
      "area / {} um^2\n",
      t.nand2_um2);
  if (o.energy) {
    const auto path = cost::default_data_dir() / "energy_45nm.json";
    const cost::EnergyTable e = cost::read_energy_table(path);
    fmt::print("\nenergy per action at 45 nm, pJ ({}):\n", path.string());
    fmt::print("{:<8} {:>8} {:>8} {:>8} {:>8} {:>9} {:>9} {:>10} {:>10}\n", "row", "MAC", "mul",
               "round", "acc", "chunk", "reg wr", "zero gat.", "zero ungat.");
    for (const cost::AreaRow& row : t.rows) {
      if (!e.configs.count(row.name)) continue;
      const cost::ActionEnergies& a = e.at(row.name);
      fmt::print(
          "{:<8} {:>8.4f} {:>8.4f} {:>8.4f} {:>8.4f} {:>9.4f} {:>9.4f} {:>10.4f} {:>10.4f}\n",
          row.name, a.mac(), a.multiply, a.product_round, a.accumulate, a.chunk_add, a.reg_write,
          a.zero_mac_gated, a.zero_mac_ungated);
    }
  }
  if (!o.array.empty()) {
    int r = 0, c = 0, used = 0;
    char x = 0;
    if (std::sscanf(o.array.c_str(), "%d%c%d%n", &r, &x, &c, &used) != 3 || x != 'x' ||
        used != static_cast<int>(o.array.size()) || r < 1 || c < 1)
      throw InputError(fmt::format("--array {}: expected RxC, e.g. 16x16", o.array));
    fmt::print(
        "\nestimated {}x{} array (PE area x {}; buffers, skew registers and wiring not "
        "included):\n",
        r, c, r * c);
    for (const cost::AreaRow& row : t.rows)
      fmt::print("{:<8} {:>12.0f} um2 = {:>8.4f} mm2\n", row.name, row.area_um2 * r * c,
                 row.area_um2 * r * c * 1e-6);
  }
}

}  // namespace

void add_area_command(CLI::App& app) {
  auto o = std::make_shared<AreaOptions>();
  auto* cmd = app.add_subcommand(
      "area", "Area of the synthesized PE per accumulator configuration at 45 nm (docs/cost.md)");
  cmd->add_option("--table", o->table,
                  "Area table JSON (default: the committed "
                  "models/cost/data/area_45nm.json)");
  cmd->add_flag("--synthesize", o->synthesize,
                "Re-run Yosys (tools/area/synth_table.py) and print the new table");
  cmd->add_option("--out", o->out, "With --synthesize: where to write the table")
      ->capture_default_str();
  cmd->add_option("--only", o->only, "With --synthesize: comma-separated row names");
  cmd->add_flag("--energy", o->energy,
                "Also print the per-action energies (models/cost/data/energy_45nm.json)");
  cmd->add_option("--array", o->array, "Also estimate an RxC array from the PE area");
  auto* st = cmd->add_option("--write-stimulus", o->stimulus,
                             "Write FP8 dot-product stimulus and golden results for "
                             "tools/area/energy_table.py instead");
  cmd->add_option("--wa", o->wa, "Stimulus W/A format")->capture_default_str()->needs(st);
  cmd->add_option("--product", o->product, "Stimulus product format")
      ->capture_default_str()
      ->needs(st);
  cmd->add_option("--acc", o->acc, "Stimulus accumulator format")->capture_default_str()->needs(st);
  cmd->add_option("--k", o->k, "Stimulus dot-product length")->capture_default_str()->needs(st);
  cmd->add_option("--streams", o->streams, "Stimulus dot products")
      ->capture_default_str()
      ->needs(st);
  cmd->add_option("--chunk", o->chunk, "Stimulus chunk size")->capture_default_str()->needs(st);
  cmd->add_option("--seed", o->seed, "Stimulus seed")->capture_default_str()->needs(st);
  cmd->callback([o] { run_area(*o); });
}

}  // namespace lbasim::cli
