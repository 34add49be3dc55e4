#include "report_model.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <set>

#include "lbasim/numerics/error.h"
#include "lbasim/numerics/format.h"

namespace lbasim::report {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// Walks a record, naming each field by its dotted path in error messages.
class Reader {
 public:
  Reader(const json& j, std::string source) : j_(j), source_(std::move(source)) {}

  [[noreturn]] void fail(const std::string& field, const std::string& what) const {
    throw InputError(fmt::format("{}: field '{}': {}", source_, field, what));
  }

  const json& at(const json& obj, const std::string& field, const std::string& key) const {
    if (!obj.is_object()) fail(field, fmt::format("expected an object, got {}", obj.dump()));
    const auto it = obj.find(key);
    if (it == obj.end()) fail(field + "." + key, "missing");
    return *it;
  }
  const json& field(const std::string& path) const {  // "a.b.c" from the record root
    const json* cur = &j_;
    std::string done;
    std::size_t start = 0;
    while (true) {
      const std::size_t dot = path.find('.', start);
      const std::string key = path.substr(start, dot == std::string::npos ? dot : dot - start);
      cur = &at(*cur, done.empty() ? "<record>" : done, key);
      done += (done.empty() ? "" : ".") + key;
      if (dot == std::string::npos) return *cur;
      start = dot + 1;
    }
  }

  std::string str(const json& v, const std::string& name) const {
    if (!v.is_string() || v.get<std::string>().empty())
      fail(name, fmt::format("expected a non-empty string, got {}", v.dump()));
    return v.get<std::string>();
  }
  double num(const json& v, const std::string& name, double lo, double hi) const {
    if (!v.is_number()) fail(name, fmt::format("expected a number, got {}", v.dump()));
    const double x = v.get<double>();
    if (!(x >= lo && x <= hi)) fail(name, fmt::format("{} is outside [{}, {}]", x, lo, hi));
    return x;
  }
  std::int64_t integer(const json& v, const std::string& name, std::int64_t lo) const {
    if (!v.is_number_integer()) fail(name, fmt::format("expected an integer, got {}", v.dump()));
    const std::int64_t x = v.get<std::int64_t>();
    if (x < lo) fail(name, fmt::format("{} is below {}", x, lo));
    return x;
  }
  std::string str(const std::string& path) const { return str(field(path), path); }
  double num(const std::string& path, double lo = 0,
             double hi = std::numeric_limits<double>::max()) const {
    return num(field(path), path, lo, hi);
  }
  std::int64_t integer(const std::string& path, std::int64_t lo = 0) const {
    return integer(field(path), path, lo);
  }

  StageEvents events(const json& layer, const std::string& name, const std::string& stage) const {
    const std::string base = name + ".events." + stage;
    const json& e = at(at(layer, name, "events"), name + ".events", stage);
    StageEvents s;
    s.ops = integer(at(e, base, "ops"), base + ".ops", 0);
    const auto count = [&](const char* key) {
      const std::int64_t n = integer(at(e, base, key), base + "." + key, 0);
      if (n > s.ops) fail(base + "." + key, fmt::format("{} exceeds ops = {}", n, s.ops));
      return n;
    };
    s.overflow = count("overflow");
    s.underflow = count("underflow");
    s.swamped = count("swamped");
    s.inexact = count("inexact");
    return s;
  }

 private:
  const json& j_;
  std::string source_;
};

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
  const Reader r(j, source);
  if (!j.is_object()) r.fail("<record>", fmt::format("expected an object, got {}", j.dump()));
  PointRecord p;
  p.source = source;
  p.raw = j;
  p.id = r.str("id");
  p.trace_name = r.str("trace.name");
  p.accumulator = r.str("point.accumulator");
  p.label = r.str("point.label");
  p.product = r.str("point.product");
  p.accumulator_format = r.str("point.accumulator_format");
  p.acc_bits = static_cast<int>(r.integer("point.acc_bits", 2));
  if (p.acc_bits > 64) r.fail("point.acc_bits", fmt::format("{} is above 64", p.acc_bits));
  p.chunk = r.integer("point.chunk", 0);
  p.array = r.str("point.array");
  p.dataflow = r.str("point.dataflow");
  p.top1 = r.num("accuracy.top1", 0, 1);
  p.reference_top1 = r.num("accuracy.reference_top1", 0, 1);
  p.agreement = r.num("accuracy.agreement", 0, 1);
  p.images = r.integer("accuracy.images", 1);
  const json& layers = r.field("layers");
  if (!layers.is_array() || layers.empty())
    r.fail("layers", fmt::format("expected a non-empty array, got {}", layers.dump()));
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const json& l = layers[i];
    const std::string name = fmt::format("layers[{}]", i);
    LayerResult lr;
    lr.name = r.str(r.at(l, name, "name"), name + ".name");
    lr.macs = r.integer(r.at(l, name, "macs"), name + ".macs", 0);
    // The error statistics sit in the layer or, as traces::layer_to_json writes them, in its
    // "error" object. SQNR is null when the layer is exact (infinite SQNR; JSON has no inf).
    const bool nested = l.is_object() && l.contains("error");
    const std::string ename = nested ? name + ".error" : name;
    const json& err = nested ? l["error"] : l;
    const json& sqnr = r.at(err, ename, "sqnr_db");
    lr.sqnr_db = sqnr.is_null() ? std::numeric_limits<double>::infinity()
                                : r.num(sqnr, ename + ".sqnr_db", -1e300, 1e300);
    lr.max_rel_error = r.num(r.at(err, ename, "max_rel_error"), ename + ".max_rel_error", 0,
                             std::numeric_limits<double>::max());
    lr.product = r.events(l, name, "product");
    lr.accumulator = r.events(l, name, "accumulator");
    lr.chunk_accumulator = r.events(l, name, "chunk_accumulator");
    p.layers.push_back(std::move(lr));
  }
  p.cycles_total = r.integer("cycles.total", 1);
  p.cycles_compute = r.integer("cycles.compute", 0);
  p.utilization = r.num("cycles.utilization", 0, 1);
  p.pe_area_um2 = r.num("area_um2.pe");
  p.array_area_um2 = r.num("area_um2.array");
  p.energy_per_inference_pj = r.num("energy_pj.per_inference");
  p.energy_per_mac_pj = r.num("energy_pj.per_mac");
  p.energy_pe_pj = r.num("energy_pj.breakdown.pe");
  p.energy_sram_pj = r.num("energy_pj.breakdown.sram");
  p.energy_dram_pj = r.num("energy_pj.breakdown.dram");
  const double parts = p.energy_pe_pj + p.energy_sram_pj + p.energy_dram_pj;
  if (std::abs(parts - p.energy_per_inference_pj) > 1e-6 * std::max(1.0, parts))
    r.fail("energy_pj.breakdown",
           fmt::format("pe + sram + dram = {} differs from energy_pj.per_inference = {}", parts,
                       p.energy_per_inference_pj));
  p.power_mw = r.num("power_mw");
  p.clock_mhz = r.num("clock_mhz");
  p.fmax_mhz = r.num("fmax_mhz");
  p.fp32_accumulator = is_fp32_format(p.accumulator, p.accumulator_format);
  return p;
}

Report load_report(const fs::path& in) {
  const auto read = [](const fs::path& path) {
    std::ifstream f(path);
    if (!f) throw InputError(fmt::format("{}: cannot be read", path.string()));
    try {
      return json::parse(f);
    } catch (const json::parse_error& e) {
      throw InputError(fmt::format("{}: not valid JSON: {}", path.string(), e.what()));
    }
  };
  Report rep;
  std::error_code ec;
  if (fs::is_directory(in, ec)) {
    const fs::path dir = fs::is_directory(in / "points", ec) ? in / "points" : in;
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(dir))
      if (e.is_regular_file() && e.path().extension() == ".json") files.push_back(e.path());
    std::sort(files.begin(), files.end());
    for (const fs::path& f : files) rep.points.push_back(parse_point(read(f), f.string()));
    if (rep.points.empty())
      throw InputError(fmt::format("{}: no point records (*.json) found", dir.string()));
  } else if (fs::is_regular_file(in, ec)) {
    const json j = read(in);
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
  return j;
}

}  // namespace lbasim::report
