#include "array_gemm.h"

#include <fmt/core.h>

#include <bit>
#include <charconv>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <vector>

#include "gemm_inputs.h"
#include "io_util.h"
#include "lbasim/base/error.h"
#include "lbasim/base/memory.h"
#include "lbasim/base/npy.h"
#include "lbasim/numerics/accumulate.h"
#include "lbasim/systemc/random_operands.h"
#include "lbasim/systemc/run_gemm.h"

namespace lbasim::cli {

GemmShape parse_gemm_shape(const std::string& text) {
  GemmShape s;
  std::int64_t* dims[] = {&s.m, &s.k, &s.n};
  const char* p = text.data();
  const char* end = p + text.size();
  for (int i = 0; i < 3; ++i) {
    const auto [next, ec] = std::from_chars(p, end, *dims[i]);
    const bool sep_ok = i < 2 ? (next != end && *next == ',') : next == end;
    if (ec != std::errc() || !sep_ok || *dims[i] < 1)
      throw InputError(fmt::format(
          "--gemm: '{}' is not a GEMM shape; expected M,K,N with positive integers", text));
    p = next + 1;
  }
  return s;
}

namespace {

num::AccumConfig paper_config() {
  num::AccumConfig c;
  c.product = num::parse_format("M7E4b12");
  c.accumulator = num::parse_format("M7E4b10");
  c.chunk_accumulator = c.accumulator;
  c.chunk = 16;
  return c;
}

}  // namespace

void add_array_gemm_options(CLI::App& cmd, const std::shared_ptr<ArrayGemmOptions>& opt) {
  cmd.add_option("--gemm", opt->gemm, "GEMM shape M,K,N (C[MxN] = A[MxK] B[KxN])");
  add_array_options(cmd, opt->hw);
  cmd.add_option("--dram", opt->dram,
                 "Operands through the DRAM port: subset of a,w,c,partials, or none")
      ->capture_default_str();
  cmd.add_option("--config,-c", opt->config,
                 "Accumulation config JSON {product, accumulator, chunk, chunk_accumulator}, "
                 "with \"fused\" for --pe fused (configs/gpu/); default: M7E4b12, M7E4b10, "
                 "chunk 16");
  cmd.add_option("--a", opt->a, "A, M x K .npy");
  cmd.add_option("--b", opt->b, "B, K x N .npy");
  cmd.add_option("--seed", opt->seed, "Random A and B: normal samples quantized to --wa");
  cmd.add_option("--wa", opt->wa, "Format of random operands (and DRAM bytes per operand)")
      ->capture_default_str();
  cmd.add_option("--out,-o", opt->out, "C, M x N float64 .npy");
  cmd.add_option("--json", opt->json, "Statistics (cycles, buffers, per-PE counters) as JSON");
  cmd.add_flag("--check", opt->check, "Compare with the golden GEMM, values and event counts");
}

void run_array_gemm(const ArrayGemmOptions& opt) {
  const num::AccumConfig cfg = opt.config.empty() ? paper_config() : read_accum_config(opt.config);
  const sysc::ArrayConfig ac = array_config(opt.hw);
  const num::Format wa = parse_format_option("--wa", opt.wa);
  const sysc::GemmDram dram = parse_dram_operands(opt.dram, "--dram", wa, cfg);

  GemmShape s;
  std::vector<double> a, b;
  // The fused order aligns subnormal operands at their format's smallest normal exponent:
  // random operands are of --wa; operand files declare no format (as lbasim gemm without
  // --a-format/--b-format).
  num::OperandFloors floors;
  if (!opt.a.empty() || !opt.b.empty()) {
    if (opt.a.empty() || opt.b.empty())
      throw InputError("--a/--b: give both operand files, or neither and --seed");
    if (opt.seed) throw InputError("--seed: not allowed with --a/--b (operands come from files)");
    GemmOperands ops = read_gemm_operands(opt.a, opt.b, cfg);
    s = {ops.m, ops.k, ops.n};
    if (!opt.gemm.empty()) {
      const GemmShape g = parse_gemm_shape(opt.gemm);
      if (g.m != s.m || g.k != s.k || g.n != s.n)
        throw InputError(fmt::format("--gemm: {} disagrees with the operand files ({},{},{})",
                                     opt.gemm, s.m, s.k, s.n));
    }
    a = std::move(ops.a.values);
    b = std::move(ops.b.values);
  } else {
    if (opt.gemm.empty()) throw InputError("--gemm: required unless --a and --b are given");
    s = parse_gemm_shape(opt.gemm);
    require_memory(mul_bytes(add_bytes(mul_bytes(s.m, s.k), mul_bytes(s.k, s.n)), 8),
                   fmt::format("--gemm {}: random operands A and B", opt.gemm));
    const std::uint64_t seed = opt.seed.value_or(1);
    a = sysc::random_operand(s.m * s.k, wa, seed);
    b = sysc::random_operand(s.k * s.n, wa, seed + 0x9e3779b97f4a7c15ull);
    floors.a = num::operand_floor(wa);
    if (floors.a != num::kNoFloor) floors.w = {floors.a};
  }

  // C, the golden C of --check, and the array's output buffer of partial pairs.
  require_memory(mul_bytes(s.m, add_bytes(mul_bytes(s.n, opt.check ? 2 : 1), 2 * ac.cols), 8),
                 fmt::format("GEMM {} x {} x {} on the array", s.m, s.k, s.n));
  std::vector<double> c(static_cast<std::size_t>(s.m * s.n));
  const sysc::ArrayStats st =
      sysc::run_gemm({a.data(), b.data(), c.data(), s.m, s.k, s.n, dram, floors}, ac, cfg);

  nlohmann::json check;
  if (opt.check) {
    std::vector<double> want(c.size());
    num::StageCounts want_events;
    num::gemm_reference(a.data(), b.data(), want.data(), s.m, s.k, s.n, cfg, &want_events, floors);
    std::int64_t diffs = 0;
    for (std::size_t i = 0; i < c.size(); ++i)
      diffs += std::bit_cast<std::uint64_t>(c[i]) != std::bit_cast<std::uint64_t>(want[i]);
    const bool events_equal = want_events == st.events;
    fmt::print("check vs golden GEMM: {} of {} outputs differ, event counts {}\n", diffs, c.size(),
               events_equal ? "equal" : "DIFFER");
    if (diffs != 0 || !events_equal)
      throw std::runtime_error("--check: the array model disagrees with the golden GEMM");
    check = {{"differing_outputs", diffs}, {"events_equal", events_equal}};
  }

  fmt::print("{}", sysc::format_table(st));
  fmt::print("  {:<22} {:.3f} us at {} MHz\n", "latency",
             static_cast<double>(st.total_cycles) / opt.hw.clock_mhz, opt.hw.clock_mhz);
  if (!opt.json.empty()) {
    nlohmann::json j = sysc::to_json(st);
    j["clock_mhz"] = opt.hw.clock_mhz;
    j["latency_us"] = static_cast<double>(st.total_cycles) / opt.hw.clock_mhz;
    j["config"] = num::to_json(cfg);
    if (opt.check) j["check"] = check;
    write_json_file(opt.json, j);
  }
  if (!opt.out.empty()) npy::write_f64(opt.out, {s.m, s.n}, c.data());
}

}  // namespace lbasim::cli
