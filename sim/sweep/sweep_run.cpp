#include "sweep_run.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>
#include <thread>
#include <tuple>

#include "lbasim/cost/inference_cost.h"
#include "lbasim/cost/power_table.h"
#include "lbasim/memory/network.h"
#include "lbasim/memory/sram_energy.h"
#include "lbasim/memory/traffic.h"
#include "lbasim/numerics/error.h"
#include "lbasim/systemc/inference.h"
#include "lbasim/traces/atomic_file.h"
#include "lbasim/traces/evaluate.h"
#include "lbasim/traces/executor.h"

namespace lbasim::sweep {
namespace {

using AccuracyKey = std::pair<std::string, std::int64_t>;             // accumulator, chunk
using ArrayKey = std::tuple<std::string, std::string, std::int64_t>;  // array, dataflow, chunk

// The array's buffering in every sweep point (the default); records made before it was
// modelled have no point.buffering and are recomputed.
const std::string kBuffering(sysc::to_string(sysc::ArrayConfig{}.buffering));

num::AccumConfig config_of(const cost::PowerRow& row, std::int64_t chunk) {
  const num::Format p = num::parse_format(row.product), a = num::parse_format(row.accumulator);
  return {p, a, a, chunk};
}

void check_accumulators(const SweepSpec& spec, const cost::PowerTable& table) {
  for (const auto& name : spec.accumulators)
    if (!table.find(name)) {
      std::string names;
      for (const auto& r : table.rows) names += (names.empty() ? "" : ", ") + r.name;
      throw InputError(
          fmt::format("{}: key 'accumulators': '{}' is not a row of the cost "
                      "table (models/cost/data/power_osu018.json); expected one of {}",
                      spec.source.string(), name, names));
    }
}

// Ids named by the test hook LBASIM_SWEEP_FAIL_POINT (comma-separated).
std::set<std::string> failing_points() {
  std::set<std::string> ids;
  const char* env = std::getenv("LBASIM_SWEEP_FAIL_POINT");
  std::string s = env ? env : "";
  for (std::size_t pos = 0; pos <= s.size();) {
    const std::size_t comma = std::min(s.find(',', pos), s.size());
    if (comma > pos) ids.insert(s.substr(pos, comma - pos));
    pos = comma + 1;
  }
  return ids;
}

}  // namespace

nlohmann::json read_record(const std::filesystem::path& p) {
  std::ifstream in(p);
  if (!in) return nullptr;
  try {
    return nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception&) {
    return nullptr;  // a damaged record is recomputed
  }
}

std::string record_mismatch(const nlohmann::json& rec, const Point& p, const SweepSpec& spec,
                            const std::string& hash) {
  if (!rec.is_object()) return "the record: not a JSON object";
  const auto check = [&](const nlohmann::json& obj, const char* parent, const char* key,
                         const nlohmann::json& want) -> std::string {
    const std::string name = parent[0] ? fmt::format("{}.{}", parent, key) : key;
    if (!obj.is_object() || !obj.contains(key))
      return fmt::format("field '{}': missing; expected {}", name, want.dump());
    if (obj.at(key) != want)
      return fmt::format("field '{}': {} differs from {} expected by this spec and lbasim", name,
                         obj.at(key).dump(), want.dump());
    return "";
  };
  const nlohmann::json none = nlohmann::json::object();
  const nlohmann::json& trace = rec.contains("trace") ? rec.at("trace") : none;
  const nlohmann::json& point = rec.contains("point") ? rec.at("point") : none;
  for (const std::string& m :
       {check(rec, "", "id", p.id()), check(rec, "", "lbasim_version", LBASIM_VERSION),
        check(rec, "", "limit", spec.limit), check(trace, "trace", "hash", hash),
        check(point, "point", "accumulator", p.accumulator),
        check(point, "point", "chunk", p.chunk), check(point, "point", "array", p.array),
        check(point, "point", "dataflow", p.dataflow),
        check(point, "point", "buffering", kBuffering)})
    if (!m.empty()) return m;
  return "";
}

void check_spec(const SweepSpec& spec) {
  if (!std::filesystem::is_regular_file(spec.trace / "manifest.json"))
    throw InputError(
        fmt::format("{}: key 'trace': {} has no manifest.json; expected a trace folder",
                    spec.source.string(), spec.trace.string()));
  check_accumulators(spec, cost::read_power_table(cost::default_power_table()));
}

std::string trace_hash(const std::filesystem::path& trace_dir) {
  std::ifstream in(trace_dir / "manifest.json", std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), {});
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char ch : bytes) h = (h ^ ch) * 1099511628211ull;
  return fmt::format("{:016x}", h);
}

SweepSummary run_sweep(const SweepSpec& spec, const SweepOptions& opt) {
  const traces::Trace trace = traces::read_trace(spec.trace);
  const std::string hash = trace_hash(spec.trace);
  const cost::PowerTable area = cost::read_power_table(cost::default_power_table());
  check_accumulators(spec, area);
  // Every point at one clock: the slowest fmax among the sweep's accumulators (docs/cost.md).
  double clock_mhz = std::numeric_limits<double>::infinity();
  for (const auto& name : spec.accumulators)
    clock_mhz = std::min(clock_mhz, area.find(name)->fmax_mhz);
  const memory::Network network = memory::network_from_trace(trace);
  const memory::BufferConfig buffers;
  const memory::MemoryCosts mem = memory::MemoryCosts::at_180nm();

  const auto points_dir = opt.out_dir / "points";
  std::filesystem::create_directories(points_dir);
  SweepSummary summary;
  std::vector<Point> todo;
  const std::vector<Point> all = expand(spec);
  std::vector<std::size_t> indices(all.size());
  for (std::size_t i = 0; i < all.size(); ++i) indices[i] = i;
  if (opt.only) indices = *opt.only;
  for (std::size_t i : indices) {
    const Point& p = all.at(i);
    ++summary.points;
    if (record_mismatch(read_record(points_dir / (p.id() + ".json")), p, spec, hash).empty()) {
      ++summary.reused;
      continue;
    }
    todo.push_back(p);
  }
  summary.computed = static_cast<int>(todo.size());
  if (todo.empty()) return summary;

  std::set<AccuracyKey> acc_keys;
  std::set<ArrayKey> array_keys;
  for (const Point& p : todo) {
    acc_keys.insert({p.accumulator, p.chunk});
    array_keys.insert({p.array, p.dataflow, p.chunk});
  }

  // Accuracy runs in a pool of threads; the SystemC array (one kernel per process) runs in this
  // thread meanwhile.
  std::map<AccuracyKey, traces::RunReport> accuracy;
  std::mutex mu;
  std::atomic<std::size_t> next{0}, done{0};
  std::exception_ptr error;
  const std::vector<AccuracyKey> acc_list(acc_keys.begin(), acc_keys.end());
  std::vector<std::thread> pool;
  for (int t = 0; t < std::max(1, opt.jobs); ++t)
    pool.emplace_back([&] {
      for (std::size_t i; (i = next++) < acc_list.size();) {
        try {
          const auto& [name, chunk] = acc_list[i];
          traces::GemmSettings settings;
          settings.config = config_of(*area.find(name), chunk);
          traces::EvalOptions eo;
          eo.limit = spec.limit;
          eo.threads = 1;
          traces::RunReport r = traces::evaluate(trace, settings, eo);
          std::lock_guard lock(mu);
          accuracy.emplace(acc_list[i], std::move(r));
        } catch (...) {
          std::lock_guard lock(mu);
          if (!error) error = std::current_exception();
        }
        ++done;
      }
    });

  std::map<ArrayKey, std::vector<sysc::LayerRun>> arrays;
  try {
    traces::GemmSettings settings;
    settings.config = config_of(*area.find(spec.accumulators.front()), 0);
    const traces::GraphRunner runner(trace, settings);
    for (const auto& key : array_keys) {
      const auto& [shape, df, chunk] = key;
      sysc::ArrayConfig array = sysc::parse_array_shape(shape, "arrays");
      array.dataflow = sysc::parse_dataflow(df, "dataflows");
      if (opt.progress)
        fmt::print(stderr, "sweep: array {} {} chunk {} ({} of {} array runs; accuracy {}/{})\n",
                   shape, df, chunk, arrays.size() + 1, array_keys.size(), done.load(),
                   acc_list.size());
      arrays[key] = sysc::simulate_inference(
          trace, runner, array, config_of(*area.find(spec.accumulators.front()), chunk));
    }
  } catch (...) {
    std::lock_guard lock(mu);
    if (!error) error = std::current_exception();
    next = acc_list.size();  // stop the pool early
  }
  for (auto& th : pool) th.join();
  if (error) std::rethrow_exception(error);

  const std::set<std::string> fail = failing_points();
  std::string failed;
  for (const Point& p : todo) {
    if (fail.count(p.id())) {
      failed += (failed.empty() ? "" : ", ") + p.id();
      continue;
    }
    const cost::PowerRow& row = *area.find(p.accumulator);
    const num::AccumConfig cfg = config_of(row, p.chunk);
    const traces::RunReport& acc = accuracy.at({p.accumulator, p.chunk});
    const auto& layers = arrays.at({p.array, p.dataflow, p.chunk});
    const int acc_bits = cfg.accumulator.width();
    std::uint64_t cycles = 0, compute = 0, macs = 0, pe_cycles = 0;
    std::vector<std::pair<std::string, sysc::ArrayStats>> named;
    for (const auto& [name, st] : layers) {
      named.emplace_back(name, st);
      cycles += st.total_cycles;
      compute += st.compute_cycles;
      macs += st.macs;
      pe_cycles += st.total_cycles * static_cast<std::uint64_t>(st.array.rows * st.array.cols);
    }
    sysc::ArrayConfig array = sysc::parse_array_shape(p.array, "arrays");
    array.dataflow = sysc::parse_dataflow(p.dataflow, "dataflows");  // OS: no partial pairs
    const auto [traffic, e] =
        cost::array_inference_cost(named, array, cfg, row, clock_mhz, network, buffers, mem);
    nlohmann::json layer_json = nlohmann::json::array();
    for (const auto& l : acc.layers) layer_json.push_back(traces::layer_to_json(l));
    nlohmann::json energy_layers = nlohmann::json::array();
    for (const auto& l : e.layers)
      energy_layers.push_back(
          {{"name", l.name},
           {"energy",
            {{"pe", l.pe_pj}, {"sram", l.sram_pj}, {"dram", l.dram_pj}, {"total", l.total_pj()}}}});
    const double sram_um2 = mem.sram_area_um2(buffers.activation_bytes()) +
                            mem.sram_area_um2(buffers.weight_bytes()) +
                            mem.sram_area_um2(buffers.output_bytes());
    const nlohmann::json rec{
        {"id", p.id()},
        {"lbasim_version", LBASIM_VERSION},
        {"limit", spec.limit},
        // The absolute trace folder: the same whichever folder the sweep was started from.
        {"trace",
         {{"name", trace.name},
          {"dir", std::filesystem::weakly_canonical(spec.trace).string()},
          {"hash", hash}}},
        {"point",
         {{"accumulator", p.accumulator},
          {"label", row.label},
          {"product", cfg.product.to_string()},
          {"accumulator_format", cfg.accumulator.to_string()},
          {"acc_bits", acc_bits},
          {"chunk", p.chunk},
          {"array", p.array},
          {"dataflow", p.dataflow},
          {"buffering", kBuffering}}},
        {"accuracy",
         {{"top1", acc.top1()},
          {"reference_top1", acc.reference_top1()},
          {"agreement", acc.agreement()},
          {"images", acc.images}}},
        {"layers", layer_json},
        {"cycles",
         {{"total", cycles},
          {"compute", compute},
          {"macs", macs},
          {"utilization",
           pe_cycles ? static_cast<double>(macs) / static_cast<double>(pe_cycles) : 0.0}}},
        {"area_um2",
         {{"pe", row.area_um2},
          {"array", row.area_um2 * array.rows * array.cols},
          {"sram", sram_um2}}},
        {"clock_mhz", clock_mhz},
        {"fmax_mhz", row.fmax_mhz},
        {"power_mw", e.average_power_mw()},
        {"buffers", memory::to_json(buffers)},
        {"dram_bytes_per_inference", traffic.dram_bytes_per_inference()},
        {"throughput",
         {{"inferences_per_s", e.inferences_per_s()}, {"tops_per_w", e.tops_per_w()}}},
        {"energy_pj",
         {{"per_inference", e.total.total_pj()},
          {"per_mac", macs ? e.total.total_pj() / static_cast<double>(macs) : 0.0},
          {"breakdown",
           {{"pe", e.total.pe_pj}, {"sram", e.total.sram_pj}, {"dram", e.total.dram_pj}}},
          {"layers", energy_layers}}},
    };
    write_file_atomic(points_dir / (p.id() + ".json"), rec.dump(1) + "\n");
  }
  if (!failed.empty())
    throw std::runtime_error(
        fmt::format("point {}: failed on purpose (test hook LBASIM_SWEEP_FAIL_POINT); no record "
                    "written",
                    failed));
  return summary;
}

}  // namespace lbasim::sweep
