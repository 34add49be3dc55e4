// The array's PEs in fast arithmetic (num::FastFmaq) against the same array in golden arithmetic
// (num::mul_q, num::add_q): on random GEMMs under the shipped presets, in both dataflows and
// both chunk lanes, the results (bits), every output word, every PE's events of every cycle,
// the cycle counts and all statistics must be equal. The fast run must really be fast where
// the plan accepts the formats, or the comparison would prove nothing.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <tuple>
#include <vector>

#include "lbasim/numerics/accumulate.h"
#include "lbasim/numerics/format.h"
#include "lbasim/systemc/random_operands.h"
#include "lbasim/systemc/run_gemm.h"

namespace lbasim::sysc {
namespace {

num::AccumConfig preset(const std::string& name) {
  const std::string path = std::string(LBASIM_CONFIGS) + "/" + name + ".json";
  std::ifstream in(path);
  EXPECT_TRUE(in) << path;
  return num::accum_config_from_json(nlohmann::json::parse(in));
}

// Everything one run produced that the arithmetic could change.
struct Run {
  ArrayStats stats;
  std::vector<double> c;
  std::vector<OutputWord> words;
  std::vector<std::vector<PeStepEvents>> cycles;  // per stream cycle, every PE
};

Run run(const ArrayConfig& ac, const num::AccumConfig& cfg, const std::vector<double>& a,
        const std::vector<double>& w, std::int64_t m, std::int64_t k, std::int64_t n) {
  Run r;
  r.c.assign(m * n, -12345.0);
  RunHooks hooks;
  hooks.on_output = [&r](const OutputWord& word) { r.words.push_back(word); };
  hooks.on_pe_events = [&r](const CycleEvents& ev) {
    r.cycles.emplace_back(ev.pe.begin(), ev.pe.end());
  };
  r.stats = run_gemm({a.data(), w.data(), r.c.data(), m, k, n}, ac, cfg, hooks);
  return r;
}

// Runs (m, k, n) fast and golden and compares; returns what the fast run chose.
std::string compare(ArrayConfig ac, const num::AccumConfig& cfg, const char* wa_format,
                    double sigma, std::int64_t m, std::int64_t k, std::int64_t n,
                    std::uint64_t seed) {
  const num::Format wa = num::parse_format(wa_format);
  const std::vector<double> a = random_operand(m * k, wa, seed, sigma);
  const std::vector<double> w = random_operand(k * n, wa, seed + 1, sigma);
  ac.arith = PeArith::golden;
  const Run gold = run(ac, cfg, a, w, m, k, n);
  ac.arith = PeArith::fast;
  const Run fast = run(ac, cfg, a, w, m, k, n);
  const std::string where =
      fmt::format("{} {} lane {} {}x{} GEMM {},{},{} chunk {} operands {} sigma {}",
                  to_string(ac.dataflow), to_string(ac.buffering), to_string(ac.chunk_lane),
                  ac.rows, ac.cols, m, k, n, cfg.chunk, wa_format, sigma);
  EXPECT_EQ(gold.stats.arith, "golden") << where;
  for (std::size_t i = 0; i < gold.c.size(); ++i)
    if (std::bit_cast<std::uint64_t>(gold.c[i]) != std::bit_cast<std::uint64_t>(fast.c[i])) {
      ADD_FAILURE() << where << ": C[" << i << "] fast " << fast.c[i] << ", golden " << gold.c[i];
      break;
    }
  nlohmann::json gs = to_json(gold.stats, true), fs = to_json(fast.stats, true);
  gs.erase("arith");
  fs.erase("arith");
  gs["array"].erase("arith");
  fs["array"].erase("arith");
  EXPECT_EQ(fs.dump(), gs.dump()) << where;  // cycles, counters, per-PE counters, events
  EXPECT_EQ(fast.words.size(), gold.words.size()) << where;
  for (std::size_t i = 0; i < std::min(fast.words.size(), gold.words.size()); ++i) {
    const OutputWord &f = fast.words[i], &g = gold.words[i];
    const auto bits = [](double x) { return std::bit_cast<std::uint64_t>(x); };
    if (std::tie(f.cycle, f.column, f.m, f.n, f.final, f.chunk_add, f.events) !=
            std::tie(g.cycle, g.column, g.m, g.n, g.final, g.chunk_add, g.events) ||
        bits(f.psum) != bits(g.psum) || bits(f.chunk) != bits(g.chunk) ||
        bits(f.value) != bits(g.value)) {
      ADD_FAILURE() << where << ": output word " << i << " differs (m " << g.m << ", n " << g.n
                    << ", cycle " << g.cycle << ")";
      break;
    }
  }
  EXPECT_EQ(fast.cycles.size(), gold.cycles.size()) << where;
  for (std::size_t t = 0; t < std::min(fast.cycles.size(), gold.cycles.size()); ++t)
    if (fast.cycles[t] != gold.cycles[t]) {
      ADD_FAILURE() << where << ": PE events of stream cycle " << t << " differ";
      break;
    }
  return fast.stats.arith;
}

struct Case {
  const char* preset;
  const char* wa;  // W/A format of the random operands
};

// The presets with operands they are used with: FP8 for the paper's formats, FP16 values (whose
// products need rounding in an FP16 product format) for fp16 and bf16.
constexpr Case kCases[] = {{"paper", "M4E3"}, {"fp16", "M10E5"}, {"bf16", "M10E5"}};

void check_dataflow(DataflowKind df, ChunkLane lane) {
  std::uint64_t seed = 10;
  for (const Case& cs : kCases)
    for (const double sigma : {1.0, 64.0})  // 64: overflows and swamping in narrow formats
      for (const std::int64_t chunk : {0, 4, 8})
        for (const auto& [rows, cols] : {std::pair{4, 4}, {8, 3}})
          for (const auto& [m, k, n] : {std::tuple{9, 24, 7}, {5, 17, 12}}) {
            if (lane == ChunkLane::column && chunk % rows != 0) continue;
            num::AccumConfig cfg = preset(cs.preset);
            cfg.chunk = chunk;
            for (Buffering b : {Buffering::single, Buffering::double_}) {
              ArrayConfig ac{rows, cols, df, PeKind::fmaq, b};
              ac.chunk_lane = lane;
              const std::string chose = compare(ac, cfg, cs.wa, sigma, m, k, n, seed += 2);
              // Every preset is on the fast path for these operands (docs/engine.md).
              EXPECT_EQ(chose, "fast") << cs.preset << " sigma " << sigma;
            }
          }
}

TEST(PeArith, WeightStationaryFastEqualsGolden) { check_dataflow(DataflowKind::ws, ChunkLane::pe); }

TEST(PeArith, WeightStationaryColumnLaneFastEqualsGolden) {
  check_dataflow(DataflowKind::ws, ChunkLane::column);
}

TEST(PeArith, OutputStationaryFastEqualsGolden) { check_dataflow(DataflowKind::os, ChunkLane::pe); }

// The narrow accumulator of the other array tests (swamps often) with a wider chunk
// accumulator, and a tensor-core-like M13E8 rtz accumulator under an fp32 chunk accumulator
// (sums rounded to odd), under both dataflows.
TEST(PeArith, NarrowAndM13E8AccumulatorsFastEqualsGolden) {
  num::AccumConfig narrow, m13e8;
  narrow.product = num::parse_format("M7E4b12");
  narrow.accumulator = num::parse_format("M3E4b9:rne:subnormal");
  narrow.chunk_accumulator = num::parse_format("M6E5");
  m13e8.product = num::parse_format("fp32");
  m13e8.accumulator = num::parse_format("M13E8:rtz");
  m13e8.chunk_accumulator = num::parse_format("fp32");
  std::uint64_t seed = 500;
  for (num::AccumConfig* cfg : {&narrow, &m13e8})
    for (DataflowKind df : {DataflowKind::ws, DataflowKind::os})
      for (const std::int64_t chunk : {0, 3, 4}) {
        cfg->chunk = chunk;
        EXPECT_EQ(compare({4, 4, df}, *cfg, "M4E3", 2.0, 11, 19, 6, seed += 2), "fast");
      }
}

// Row stepping (the fast PEs step a whole array row at once, FastFmaq::step_rows, 8 lanes a
// block) on odd shapes: rows of 1, 9, 11, 13 and 17 PEs (partial blocks, whole blocks and
// both), ragged GEMMs, both dataflows, both chunk lanes, single and double buffering, under the
// paper's formats, bf16 (sums rounded to odd) and a format pair whose products are rounded to
// odd (41-bit operands), each against the golden array: everything compare() checks.
void check_odd_shapes(DataflowKind df, ChunkLane lane) {
  num::AccumConfig wide;
  wide.product = num::parse_format("M30E8");
  wide.accumulator = wide.chunk_accumulator = num::parse_format("M30E8:rne:subnormal");
  const std::tuple<num::AccumConfig, const char*, double> configs[] = {
      {preset("paper"), "M4E3", 4.0}, {preset("bf16"), "M10E5", 1.0}, {wide, "M40E9", 1.0}};
  std::uint64_t seed = 900;
  int next = 0;
  for (const auto& [rows, cols] : {std::pair{1, 1}, {3, 9}, {5, 11}, {2, 17}, {7, 13}})
    for (const auto& [m, k, n] : {std::tuple{13, 23, 19}, {3, 5, 40}})
      for (const std::int64_t chunk : {0, 3, 2 * rows}) {
        if (lane == ChunkLane::column && chunk % rows != 0) continue;
        for (Buffering b : {Buffering::single, Buffering::double_}) {
          auto [cfg, wa, sigma] = configs[next++ % 3];
          cfg.chunk = chunk;
          ArrayConfig ac{rows, cols, df, PeKind::fmaq, b};
          ac.chunk_lane = lane;
          EXPECT_EQ(compare(ac, cfg, wa, sigma, m, k, n, seed += 2), "fast") << wa;
        }
      }
}

TEST(PeArith, RowSteppingOddShapesWeightStationary) {
  check_odd_shapes(DataflowKind::ws, ChunkLane::pe);
}

TEST(PeArith, RowSteppingOddShapesColumnLane) {
  check_odd_shapes(DataflowKind::ws, ChunkLane::column);
}

TEST(PeArith, RowSteppingOddShapesOutputStationary) {
  check_odd_shapes(DataflowKind::os, ChunkLane::pe);
}

// Where the plan refuses (here: an infinite operand), the fast option runs golden and says why.
TEST(PeArith, RefusalFallsBackToGoldenAndSaysWhy) {
  const num::AccumConfig cfg = preset("fp16");
  std::vector<double> a(4 * 4, 1.0), w(4 * 4, 0.5), c(16);
  a[5] = std::numeric_limits<double>::infinity();
  ArrayConfig ac{4, 4, DataflowKind::ws};
  const ArrayStats st = run_gemm({a.data(), w.data(), c.data(), 4, 4, 4}, ac, cfg);
  EXPECT_EQ(st.arith, "golden (fast refused: non-finite operands)");
  EXPECT_EQ(to_json(st)["arith"], st.arith);
  ac.arith = PeArith::golden;
  EXPECT_EQ(to_json(run_gemm({a.data(), w.data(), c.data(), 4, 4, 4}, ac, cfg))["array"]["arith"],
            "golden");
}

TEST(PeArith, ParseNamesTheOption) {
  EXPECT_EQ(parse_pe_arith("fast", "--arith"), PeArith::fast);
  EXPECT_EQ(parse_pe_arith("golden", "--arith"), PeArith::golden);
  try {
    parse_pe_arith("quick", "--arith");
    ADD_FAILURE() << "no error";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("--arith: 'quick'"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace lbasim::sysc
