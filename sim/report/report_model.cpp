#include "report_model.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <set>

#include "lbasim/base/error.h"
#include "lbasim/base/json_field.h"
#include "lbasim/numerics/format.h"

namespace lbasim::report {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// A record's fields by dotted path ("a.b.c"), read with base's JsonField: every error names
// the record file and the field.
JsonField field(const JsonField& root, std::string_view path) {
  const std::size_t dot = path.find('.');
  if (dot == std::string_view::npos) return root.at(path);
  return field(root.at(path.substr(0, dot)), path.substr(dot + 1));
}

std::string nonempty(const JsonField& f) {
  if (!f.value().is_string() || f.value().get<std::string>().empty())
    f.fail(fmt::format("expected a non-empty string, got {}", f.value().dump()));
  return f.str();
}

double number_in(const JsonField& f, double lo = 0,
                 double hi = std::numeric_limits<double>::max()) {
  if (!f.value().is_number()) f.fail(fmt::format("expected a number, got {}", f.value().dump()));
  const double x = f.number();
  if (!(x >= lo && x <= hi)) f.fail(fmt::format("{} is outside [{}, {}]", x, lo, hi));
  return x;
}

StageEvents events(const JsonField& layer, const char* stage) {
  const JsonField e = layer.at("events").at(stage);
  StageEvents s;
  s.ops = e.at("ops").integer(0);
  const auto count = [&](const char* key) {
    const JsonField f = e.at(key);
    const std::int64_t n = f.integer(0);
    if (n > s.ops) f.fail(fmt::format("{} exceeds ops = {}", n, s.ops));
    return n;
  };
  s.overflow = count("overflow");
  s.underflow = count("underflow");
  s.swamped = count("swamped");
  s.inexact = count("inexact");
  return s;
}

bool is_fp32_format(const std::string& accumulator, const std::string& format) {
  if (accumulator == "fp32") return true;
  try {
    const num::Format f = num::parse_format(format);
    return f.man == 23 && f.exp == 8;
  } catch (const InputError&) {
    return false;  // names the sweep made up; the record's own field was checked as a string
  }
}

}  // namespace

PointRecord parse_point(const json& j, const std::string& source) {
  if (!j.is_object())
    throw InputError(
        fmt::format("{}: field '<record>': expected an object, got {}", source, j.dump()));
  const JsonField r(source, j);
  PointRecord p;
  p.source = source;
  p.raw = j;
  p.id = nonempty(r.at("id"));
  p.trace_name = nonempty(field(r, "trace.name"));
  p.accumulator = nonempty(field(r, "point.accumulator"));
  p.label = nonempty(field(r, "point.label"));
  p.product = nonempty(field(r, "point.product"));
  p.accumulator_format = nonempty(field(r, "point.accumulator_format"));
  p.acc_bits = static_cast<int>(field(r, "point.acc_bits").integer(2, 64));
  p.chunk = field(r, "point.chunk").integer(0);
  p.array = nonempty(field(r, "point.array"));
  p.dataflow = nonempty(field(r, "point.dataflow"));
  p.top1 = number_in(field(r, "accuracy.top1"), 0, 1);
  p.reference_top1 = number_in(field(r, "accuracy.reference_top1"), 0, 1);
  p.agreement = number_in(field(r, "accuracy.agreement"), 0, 1);
  p.images = field(r, "accuracy.images").integer(1);
  const JsonField layers = r.at("layers");
  if (!layers.value().is_array() || layers.value().empty())
    layers.fail(fmt::format("expected a non-empty array, got {}", layers.value().dump()));
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const JsonField l = layers.at(i);
    LayerResult lr;
    lr.name = nonempty(l.at("name"));
    lr.macs = l.at("macs").integer(0);
    // The error statistics sit in the layer or, as traces::layer_to_json writes them, in its
    // "error" object. SQNR is null when the layer is exact (infinite SQNR; JSON has no inf).
    const JsonField err = l.has("error") ? l.at("error") : l;
    const JsonField sqnr = err.at("sqnr_db");
    lr.sqnr_db = sqnr.value().is_null() ? std::numeric_limits<double>::infinity()
                                        : number_in(sqnr, -1e300, 1e300);
    lr.max_rel_error = number_in(err.at("max_rel_error"));
    lr.product = events(l, "product");
    lr.accumulator = events(l, "accumulator");
    lr.chunk_accumulator = events(l, "chunk_accumulator");
    p.layers.push_back(std::move(lr));
  }
  p.cycles_total = field(r, "cycles.total").integer(1);
  p.cycles_compute = field(r, "cycles.compute").integer(0);
  p.utilization = number_in(field(r, "cycles.utilization"), 0, 1);
  p.pe_area_um2 = number_in(field(r, "area_um2.pe"));
  p.array_area_um2 = number_in(field(r, "area_um2.array"));
  p.energy_per_inference_pj = number_in(field(r, "energy_pj.per_inference"));
  p.energy_per_mac_pj = number_in(field(r, "energy_pj.per_mac"));
  p.energy_pe_pj = number_in(field(r, "energy_pj.breakdown.pe"));
  p.energy_sram_pj = number_in(field(r, "energy_pj.breakdown.sram"));
  p.energy_dram_pj = number_in(field(r, "energy_pj.breakdown.dram"));
  const double parts = p.energy_pe_pj + p.energy_sram_pj + p.energy_dram_pj;
  if (std::abs(parts - p.energy_per_inference_pj) > 1e-6 * std::max(1.0, parts))
    field(r, "energy_pj.breakdown")
        .fail(fmt::format("pe + sram + dram = {} differs from energy_pj.per_inference = {}", parts,
                          p.energy_per_inference_pj));
  p.power_mw = number_in(r.at("power_mw"));
  p.clock_mhz = number_in(r.at("clock_mhz"));
  p.fmax_mhz = number_in(r.at("fmax_mhz"));
  p.fp32_accumulator = is_fp32_format(p.accumulator, p.accumulator_format);
  return p;
}

Report load_report(const fs::path& in) {
  Report rep;
  std::error_code ec;
  if (fs::is_directory(in, ec)) {
    const fs::path dir = fs::is_directory(in / "points", ec) ? in / "points" : in;
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(dir))
      if (e.is_regular_file() && e.path().extension() == ".json") files.push_back(e.path());
    std::sort(files.begin(), files.end());
    for (const fs::path& f : files)
      rep.points.push_back(parse_point(read_json_file(f), f.string()));
    if (rep.points.empty())
      throw InputError(fmt::format("{}: no point records (*.json) found", dir.string()));
  } else if (fs::is_regular_file(in, ec)) {
    const json j = read_json_file(in);
    if (!j.is_object() || !j.contains("points") || !j["points"].is_array() || j["points"].empty())
      throw InputError(fmt::format(
          "{}: field 'points': expected a non-empty array of point records (a merged report)",
          in.string()));
    for (std::size_t i = 0; i < j["points"].size(); ++i)
      rep.points.push_back(
          parse_point(j["points"][i], fmt::format("{}: points[{}]", in.string(), i)));
  } else {
    throw InputError(fmt::format("{}: no such file or directory", in.string()));
  }
  std::sort(rep.points.begin(), rep.points.end(),
            [](const PointRecord& a, const PointRecord& b) { return a.id < b.id; });
  for (std::size_t i = 1; i < rep.points.size(); ++i)
    if (rep.points[i].id == rep.points[i - 1].id)
      throw InputError(fmt::format("{}: field 'id': \"{}\" also used by {}", rep.points[i].source,
                                   rep.points[i].id, rep.points[i - 1].source));
  return rep;
}

std::vector<std::size_t> pareto_front(const Report& r) {
  std::vector<std::size_t> front;
  const auto& p = r.points;
  for (std::size_t i = 0; i < p.size(); ++i) {
    bool dominated = false;
    for (std::size_t k = 0; k < p.size() && !dominated; ++k)
      dominated =
          k != i && p[k].top1 >= p[i].top1 &&
          p[k].energy_per_inference_pj <= p[i].energy_per_inference_pj &&
          (p[k].top1 > p[i].top1 || p[k].energy_per_inference_pj < p[i].energy_per_inference_pj);
    if (!dominated) front.push_back(i);
  }
  std::sort(front.begin(), front.end(), [&](std::size_t a, std::size_t b) {
    return p[a].energy_per_inference_pj < p[b].energy_per_inference_pj;
  });
  return front;
}

std::optional<std::size_t> recommended_point(const Report& r, double tolerance) {
  std::optional<double> best_fp32;
  for (const PointRecord& p : r.points)
    if (p.fp32_accumulator) best_fp32 = std::max(best_fp32.value_or(0.0), p.top1);
  if (!best_fp32) return std::nullopt;
  std::optional<std::size_t> pick;
  for (std::size_t i = 0; i < r.points.size(); ++i) {
    const PointRecord& p = r.points[i];
    // Compare with a relative epsilon: 0.915 - 0.005 is not exactly 0.91 in binary.
    if (p.top1 < *best_fp32 - tolerance - 1e-12) continue;
    if (!pick || p.energy_per_inference_pj < r.points[*pick].energy_per_inference_pj) pick = i;
  }
  return pick;
}

void add_units(Report& r, const cost::PowerTable& t, const std::string& source) {
  if (t.rows.empty()) throw InputError(source + ": the table has no rows (expected units)");
  double clock = std::numeric_limits<double>::infinity();
  for (const cost::PowerRow& row : t.rows) clock = std::min(clock, row.fmax_mhz);
  r.units.clear();
  r.units_clock_mhz = clock;
  const cost::NodeScaling at_180 = cost::scaling_from_180nm(180);
  for (const cost::PowerRow& row : t.rows) {
    // fmax (MHz) x MACs per cycle / area (um^2) x 1e3 = G MAC/s per mm^2.
    r.units.push_back(
        {cost::evaluate(row, clock, at_180), row.accumulator, row.cells,
         row.fmax_mhz * static_cast<double>(row.macs_per_cycle) / row.area_um2 * 1e3});
  }
}

json to_json(const Report& r) {
  json j;
  j["lbasim_report"] = 1;
  j["points"] = json::array();
  for (const PointRecord& p : r.points) j["points"].push_back(p.raw);
  j["pareto_front"] = json::array();
  for (std::size_t i : pareto_front(r)) j["pareto_front"].push_back(r.points[i].id);
  const auto rec = recommended_point(r);
  j["recommended"] = rec ? json(r.points[*rec].id) : json(nullptr);
  j["recommendation_rule"] =
      "cheapest energy per inference with top-1 within 0.5 points of the best FP32-accumulator "
      "point";
  if (!r.units.empty()) {
    j["units_clock_mhz"] = r.units_clock_mhz;
    j["units"] = json::array();
    for (const UnitCost& u : r.units)
      j["units"].push_back({{"name", u.at.name},
                            {"label", u.at.label},
                            {"accumulator", u.accumulator},
                            {"macs_per_cycle", u.at.macs_per_cycle},
                            {"cells", u.cells},
                            {"area_um2", u.at.area_um2},
                            {"fmax_mhz", u.at.fmax_mhz},
                            {"pj_per_mac", u.at.pj_per_mac},
                            {"gmacs_per_mm2", u.gmacs_per_mm2}});
  }
  return j;
}

}  // namespace lbasim::report
