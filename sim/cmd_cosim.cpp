// lbasim cosim: the SystemC array model and the Verilated RTL arrays in lockstep, on one GEMM
// or on the default suite of ragged shapes, in one or both dataflows and chunk lanes, with FMAq
// or fused (tensor-core) PEs.
#include <fmt/core.h>

#include <charconv>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "array_gemm.h"
#include "commands.h"
#include "cosim_suite.h"
#include "gemm_inputs.h"
#include "io_util.h"
#include "lbasim/base/error.h"
#include "rtl_models.h"

namespace lbasim::cli {
namespace {

struct CosimCliOptions {
  std::string dataflow = "both";
  std::string buffering = "both";
  std::string chunk_lane = "both";
  std::string pe = "fmaq";
  std::string gemm;  // empty (and no --a/--b): the default suite
  std::optional<std::int64_t> chunk;
  std::string config;
  std::string a, b;
  std::uint64_t seed = 1;
  std::string vcd;
  std::string window_vcd = "cosim_mismatch.vcd";
  int window = 16;
  std::string fault;  // k,n,bit
  std::string json;
};

rtl::WeightFault parse_fault(const std::string& text) {
  rtl::WeightFault f;
  long long v[3];
  const char* p = text.data();
  const char* end = p + text.size();
  for (int i = 0; i < 3; ++i) {
    const auto [next, ec] = std::from_chars(p, end, v[i]);
    if (ec != std::errc() || (i < 2 ? (next == end || *next != ',') : next != end))
      throw InputError(fmt::format("--fault-weight: '{}' is not K,N,BIT", text));
    p = next + 1;
  }
  f.k = v[0];
  f.n = v[1];
  f.bit = static_cast<int>(v[2]);
  return f;
}

std::vector<sysc::DataflowKind> parse_dataflows(const std::string& text) {
  if (text == "both") return {sysc::DataflowKind::ws, sysc::DataflowKind::os};
  return {sysc::parse_dataflow(text, "--dataflow (or both)")};
}

std::vector<sysc::Buffering> parse_bufferings(const std::string& text) {
  if (text == "both") return {sysc::Buffering::single, sysc::Buffering::double_};
  return {sysc::parse_buffering(text, "--buffering (or both)")};
}

// The RTL arrays to run: each dataflow with each chunk lane, except os with 'column' (not a
// design) unless asked for alone, which rtl_array_model refuses. The fused PE has one model
// (ws, chunk lane pe): 'both' means it, anything else explicit is refused.
struct ArrayChoice {
  sysc::DataflowKind dataflow;
  sysc::ChunkLane lane;
};
std::vector<ArrayChoice> parse_arrays(const std::string& dataflow, const std::string& lane,
                                      sysc::PeKind pe) {
  const std::vector<sysc::ChunkLane> lanes =
      lane == "both" ? std::vector{sysc::ChunkLane::pe, sysc::ChunkLane::column}
                     : std::vector{sysc::parse_chunk_lane(lane, "--chunk-lane (or both)")};
  const std::vector<sysc::DataflowKind> dataflows = parse_dataflows(dataflow);
  if (pe == sysc::PeKind::fused) {
    const sysc::DataflowKind df = dataflow == "both" ? sysc::DataflowKind::ws : dataflows.front();
    const sysc::ChunkLane l = lane == "both" ? sysc::ChunkLane::pe : lanes.front();
    rtl_array_model(df, l, pe);  // throws for what is not built
    return {{df, l}};
  }
  std::vector<ArrayChoice> out;
  for (const sysc::DataflowKind df : dataflows)
    for (const sysc::ChunkLane l : lanes)
      if (df == sysc::DataflowKind::ws || l == sysc::ChunkLane::pe) out.push_back({df, l});
  if (out.empty()) rtl_array_model(sysc::DataflowKind::os, sysc::ChunkLane::column);  // throws
  return out;
}

// Chunk lane 'column' maps chunks of whole K tiles only (docs/systolic.md): rows steps of
// terms() products each.
void check_column_chunk(const rtl::ArrayParams& p, std::int64_t chunk, const char* what) {
  const std::int64_t unit = std::int64_t{p.rows} * p.terms();
  if (p.chunk_lane == sysc::ChunkLane::column && chunk > 0 && chunk % unit != 0)
    throw InputError(fmt::format(
        "{}: chunk {} is not a multiple of the RTL array's {} rows{} (nor 0), which chunk lane "
        "'column' needs; use --chunk-lane pe or a chunk of k x {}",
        what, chunk, p.rows, p.terms() > 1 ? fmt::format(" x {} terms", p.terms()) : "", unit));
}

// One GEMM of the run: a suite case, or the command line's.
struct Job {
  rtl::CosimCase shape;
  std::vector<double> a, b;  // empty: random operands (cosim_random)
};

struct Totals {
  std::uint64_t cases = 0, failed = 0, words = 0, mismatched = 0;
  std::uint64_t pe_events = 0, mismatched_pe_events = 0;
  double sc_seconds = 0, rtl_seconds = 0;
  bool window_written = false;
  nlohmann::json cases_json = nlohmann::json::array();
};

void run_job(const CosimCliOptions& opt, rtl::ArrayDutFactory make_dut, sysc::Buffering buffering,
             const Job& job, const num::AccumConfig& cfg, Totals& t) {
  const rtl::ArrayParams p = make_dut()->params();
  const rtl::CosimCase& s = job.shape;
  rtl::CosimOptions co;
  co.buffering = buffering;
  if (!opt.fault.empty()) {
    co.fault = parse_fault(opt.fault);
    if (co.fault->k >= s.k || co.fault->n >= s.n) co.fault.reset();  // not in this GEMM
  }
  co.vcd = opt.vcd;
  if (!t.window_written) co.window_vcd = opt.window_vcd;
  co.window = opt.window;
  rtl::CosimResult r;
  if (job.a.empty()) {
    r = rtl::cosim_random(make_dut, s, opt.seed + 2 * t.cases, co);
  } else {
    num::AccumConfig c = cfg;
    c.chunk = s.chunk;
    r = rtl::run_cosim(make_dut, job.a.data(), job.b.data(), s.m, s.k, s.n, c, co);
  }
  ++t.cases;
  t.words += r.words;
  t.mismatched += r.mismatched_words;
  t.pe_events += r.pe_events;
  t.mismatched_pe_events += r.mismatched_pe_events;
  t.sc_seconds += r.sc_seconds;
  t.rtl_seconds += r.rtl_seconds;
  const std::string df(sysc::to_string(p.dataflow));
  const std::string buf(sysc::to_string(buffering));
  const std::string lane(sysc::to_string(p.chunk_lane));
  fmt::print(
      "{} {} {}x{} chunk lane {} GEMM {},{},{} chunk {}: {} words, {} PE events, cycles "
      "SystemC {} RTL {}: {}\n",
      df, buf, p.rows, p.cols, lane, s.m, s.k, s.n, s.chunk, r.words, r.pe_events, r.sc_cycles,
      r.rtl_cycles,
      r.ok() ? "OK"
             : fmt::format("{} MISMATCHED WORDS, {} MISMATCHED PE EVENTS", r.mismatched_words,
                           r.mismatched_pe_events));
  nlohmann::json j = {{"dataflow", df},
                      {"buffering", buf},
                      {"chunk_lane", lane},
                      {"gemm", {s.m, s.k, s.n}},
                      {"chunk", s.chunk},
                      {"sc_cycles", r.sc_cycles},
                      {"rtl_cycles", r.rtl_cycles},
                      {"words", r.words},
                      {"mismatched_words", r.mismatched_words},
                      {"pe_events", r.pe_events},
                      {"mismatched_pe_events", r.mismatched_pe_events},
                      {"sc_seconds", r.sc_seconds},
                      {"rtl_seconds", r.rtl_seconds},
                      {"ok", r.ok()}};
  if (!r.ok()) {
    ++t.failed;
    if (r.sc_cycles != r.rtl_cycles)
      fmt::print("  cycle counts differ: SystemC {}, RTL {}\n", r.sc_cycles, r.rtl_cycles);
  }
  if (r.first) {
    fmt::print("  first mismatch: {}\n", rtl::describe(*r.first));
    j["first_mismatch"] = rtl::describe(*r.first);
    if (!co.window_vcd.empty()) {
      t.window_written = true;
      fmt::print("  VCD of RTL cycles {}..{} (VCD time = 2 * cycle + 2): {}\n",
                 r.first->cycle > std::uint64_t(opt.window) ? r.first->cycle - opt.window : 0,
                 r.first->cycle + opt.window, opt.window_vcd);
    }
  }
  t.cases_json.push_back(j);
}

void run(const CosimCliOptions& opt) {
  const bool one_gemm = !opt.gemm.empty() || !opt.a.empty() || !opt.b.empty();
  if (!opt.vcd.empty() && !one_gemm)
    throw InputError("--vcd: a full trace needs one GEMM (--gemm or --a/--b)");
  if (opt.chunk && *opt.chunk < 0)
    throw InputError(fmt::format("--chunk: {} must be >= 0", *opt.chunk));
  const sysc::PeKind pe = sysc::parse_pe_kind(opt.pe, "--pe");
  const std::vector<ArrayChoice> arrays = parse_arrays(opt.dataflow, opt.chunk_lane, pe);
  const std::vector<sysc::Buffering> bufferings = parse_bufferings(opt.buffering);
  if (!opt.fault.empty()) parse_fault(opt.fault);  // bad syntax before any run
  Totals t;
  // Every array's jobs first, so that bad input is refused before any run.
  struct ArrayJobs {
    rtl::ArrayDutFactory make_dut;
    rtl::ArrayParams params;
    num::AccumConfig cfg;
    std::vector<Job> jobs;
  };
  std::vector<ArrayJobs> runs;
  for (const ArrayChoice& choice : arrays) {
    const rtl::ArrayDutFactory make_dut = rtl_array_model(choice.dataflow, choice.lane, pe);
    const rtl::ArrayParams params = make_dut()->params();
    num::AccumConfig cfg{params.product, params.accumulator, params.chunk_accumulator, 16,
                         params.fused};
    if (!opt.config.empty()) {
      cfg = read_accum_config(opt.config);
      try {
        rtl::check_config(params, cfg);  // what the model was built for, before any run
      } catch (const InputError& e) {
        rethrow_with_context(opt.config, e);
      }
    }
    std::vector<Job> jobs;
    if (!opt.a.empty() || !opt.b.empty()) {
      if (opt.a.empty() || opt.b.empty()) throw InputError("--a/--b: give both operand files");
      GemmOperands ops = read_gemm_operands(opt.a, opt.b, cfg);
      jobs.push_back({{ops.m, ops.k, ops.n, opt.chunk.value_or(cfg.chunk)},
                      std::move(ops.a.values),
                      std::move(ops.b.values)});
    } else if (!opt.gemm.empty()) {
      const GemmShape s = parse_gemm_shape(opt.gemm);
      jobs.push_back({{s.m, s.k, s.n, opt.chunk.value_or(cfg.chunk)}, {}, {}});
    } else {
      for (rtl::CosimCase c : rtl::default_cosim_cases(params)) {
        if (opt.chunk) c.chunk = *opt.chunk;
        jobs.push_back({c, {}, {}});
      }
    }
    try {
      for (const Job& j : jobs)
        check_column_chunk(params, j.shape.chunk,
                           opt.chunk            ? "--chunk"
                           : opt.config.empty() ? "chunk"
                                                : opt.config.c_str());
    } catch (const InputError& e) {
      if (opt.chunk_lane != "both") throw;
      fmt::print("skipping chunk lane column ({})\n", e.what());  // asked for implicitly
      continue;
    }
    if (!opt.fault.empty()) {
      const rtl::WeightFault f = parse_fault(opt.fault);
      bool inside = false;
      for (const Job& j : jobs) inside |= f.k < j.shape.k && f.n < j.shape.n;
      if (!inside)
        throw InputError(
            fmt::format("--fault-weight: W[{}][{}] is outside every GEMM run", f.k, f.n));
    }
    runs.push_back({make_dut, params, cfg, std::move(jobs)});
  }
  for (const ArrayJobs& run : runs) {
    const rtl::ArrayParams& p = run.params;
    fmt::print(
        "RTL array {} {}x{} {}, chunk lane {}, PE {}: A {} W {} product {} accumulator {} chunk "
        "accumulator {}\n",
        p.name, p.rows, p.cols, sysc::to_string(p.dataflow), sysc::to_string(p.chunk_lane),
        p.fused
            ? fmt::format("fused (terms {}, align bits {})", p.fused->terms, p.fused->align_bits)
            : std::string("fmaq"),
        p.a.to_string(), p.w.to_string(), p.fused ? "exact" : p.product.to_string(),
        p.accumulator.to_string(), p.chunk_accumulator.to_string());
    for (const sysc::Buffering buffering : bufferings)
      for (const Job& job : run.jobs) run_job(opt, run.make_dut, buffering, job, run.cfg, t);
  }
  fmt::print("{} GEMMs, words compared {}, mismatched {}; PE events compared {}, mismatched {}\n",
             t.cases, t.words, t.mismatched, t.pe_events, t.mismatched_pe_events);
  fmt::print("time: SystemC side {:.3f} s, RTL side {:.3f} s (speed: lbasim bench-array --rtl)\n",
             t.sc_seconds, t.rtl_seconds);
  if (!opt.vcd.empty()) fmt::print("full RTL VCD: {}\n", opt.vcd);
  if (!opt.json.empty())
    write_json_file(opt.json, {{"cases", t.cases_json},
                               {"words", t.words},
                               {"mismatched_words", t.mismatched},
                               {"pe_events", t.pe_events},
                               {"mismatched_pe_events", t.mismatched_pe_events},
                               {"ok", t.failed == 0}});
  if (t.failed != 0)
    throw std::runtime_error(fmt::format(
        "co-simulation: SystemC model and RTL disagree in {} of {} GEMMs", t.failed, t.cases));
  fmt::print("OK: zero mismatches, equal cycle counts\n");
}

}  // namespace

void add_cosim_command(CLI::App& app) {
  auto opt = std::make_shared<CosimCliOptions>();
  auto* cmd = app.add_subcommand(
      "cosim",
      "SystemC array model vs Verilated RTL array, in lockstep (words, PE events, cycles), on the "
      "default suite of ragged GEMMs (chunk lane 'column': chunks rounded up to a multiple of the "
      "rows) or on one GEMM");
  cmd->add_option("--dataflow", opt->dataflow, "ws, os or both")->capture_default_str();
  cmd->add_option("--buffering", opt->buffering, "single, double or both")->capture_default_str();
  cmd->add_option("--chunk-lane", opt->chunk_lane,
                  "pe (a chunk adder in every PE), column (one per column bottom; ws only, chunk "
                  "a multiple of the rows or 0) or both (os: pe only)")
      ->capture_default_str();
  cmd->add_option("--pe", opt->pe,
                  "fmaq (the paper's formats, every dataflow and chunk lane) or fused (the "
                  "tensor-core PE: model fused4x4, ws, chunk lane pe, G 4, F 4, e4m3 operands, "
                  "accumulator M3E4b12, chunk accumulator M6E5b15; --dataflow and --chunk-lane "
                  "'both' mean ws and pe)")
      ->capture_default_str();
  cmd->add_option("--gemm", opt->gemm, "One GEMM shape M,K,N instead of the default suite");
  cmd->add_option("--chunk", opt->chunk,
                  "Chunk size (default: each suite case's; one GEMM: the config's, else 16)");
  cmd->add_option("--config,-c", opt->config,
                  "Accumulation config JSON; its formats (and 'fused' order) must be the RTL "
                  "model's");
  cmd->add_option("--a", opt->a, "A, M x K .npy (values of the RTL's A format)");
  cmd->add_option("--b", opt->b, "B, K x N .npy (values of the RTL's W format)");
  cmd->add_option("--seed", opt->seed, "Seed of random operands")->capture_default_str();
  cmd->add_option("--vcd", opt->vcd, "Write the full RTL trace here (one GEMM only)");
  cmd->add_option("--window-vcd", opt->window_vcd,
                  "RTL trace around the first mismatch (of the first failing GEMM)")
      ->capture_default_str();
  cmd->add_option("--window", opt->window, "Cycles either side of the first mismatch")
      ->capture_default_str();
  cmd->add_option("--fault-weight", opt->fault,
                  "Test the checker: flip bit BIT of W[K][N] for the RTL only (K,N,BIT), in "
                  "every GEMM that has it");
  cmd->add_option("--json", opt->json, "Write the results as JSON");
  cmd->footer("Exit status: 0 agree, 1 mismatch or bad input, 2 usage. See docs/systolic.md.");
  cmd->callback([opt] { run(*opt); });
}

}  // namespace lbasim::cli
