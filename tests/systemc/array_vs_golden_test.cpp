// The SystemC array must reproduce the golden GEMM bit for bit, event counts included, for
// every dataflow, buffering mode, array shape, GEMM shape and chunk size (smaller than, equal to,
// larger than and not dividing the array's rows, and 0 = one chunk).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <utility>
#include <vector>

#include "lbasim/numerics/accumulate.h"
#include "lbasim/numerics/format.h"
#include "lbasim/systemc/random_operands.h"
#include "lbasim/systemc/run_gemm.h"

namespace lbasim::sysc {
namespace {

struct Shape {
  std::int64_t m, k, n;
};

num::AccumConfig make_config(const char* prod, const char* acc, const char* cacc) {
  num::AccumConfig c;
  c.product = num::parse_format(prod);
  c.accumulator = num::parse_format(acc);
  c.chunk_accumulator = num::parse_format(cacc);
  return c;
}

// Runs every combination and reports the first differing output of each.
void check_against_golden(DataflowKind df, num::AccumConfig cfg, double sigma,
                          const char* operand_format = "M4E3") {
  const num::Format wa = num::parse_format(operand_format);
  std::vector<ArrayConfig> arrays;
  for (Buffering b : {Buffering::single, Buffering::double_})
    for (const auto& [rows, cols] : {std::pair{1, 1}, {3, 5}, {4, 4}, {5, 3}, {8, 8}})
      arrays.push_back({rows, cols, df, PeKind::fmaq, b});
  const std::vector<Shape> shapes = {{1, 1, 1}, {7, 13, 5}, {9, 20, 11}, {5, 3, 9}, {17, 33, 6}};
  const std::vector<std::int64_t> chunks = {0, 1, 2, 3, 4, 5, 7, 8, 16, 40};
  std::uint64_t seed = 1;
  for (const Shape& s : shapes) {
    const std::vector<double> a = random_operand(s.m * s.k, wa, seed++, sigma);
    const std::vector<double> w = random_operand(s.k * s.n, wa, seed++, sigma);
    for (std::int64_t chunk : chunks) {
      cfg.chunk = chunk;
      std::vector<double> want(s.m * s.n);
      num::StageCounts want_events;
      num::gemm_reference(a.data(), w.data(), want.data(), s.m, s.k, s.n, cfg, &want_events);
      for (const ArrayConfig& ac : arrays) {
        const std::string where =
            fmt::format("{} {} {}x{} GEMM {},{},{} chunk {}", to_string(df),
                        to_string(ac.buffering), ac.rows, ac.cols, s.m, s.k, s.n, chunk);
        std::vector<double> got(s.m * s.n, -12345.0);
        const ArrayStats st = run_gemm({a.data(), w.data(), got.data(), s.m, s.k, s.n}, ac, cfg);
        for (std::size_t i = 0; i < got.size(); ++i) {
          if (std::bit_cast<std::uint64_t>(got[i]) != std::bit_cast<std::uint64_t>(want[i])) {
            ADD_FAILURE() << where << ": C[" << i / s.n << "," << i % s.n << "] = " << got[i]
                          << ", golden " << want[i];
            break;
          }
        }
        EXPECT_EQ(num::to_json(st.events).dump(), num::to_json(want_events).dump()) << where;
        EXPECT_EQ(st.macs, static_cast<std::uint64_t>(s.m * s.k * s.n)) << where;
      }
    }
  }
}

// The accumulator paper: W/A M4E3, product M7E4b12, accumulator M7E4b10 (rtz, flush,
// saturate). sigma 2 makes products and sums overflow, and small products underflow.
const char* kPaper[] = {"M7E4b12", "M7E4b10", "M7E4b10"};
// IEEE-style formats with subnormals, inf and RNE; the chunk accumulator is wider.
const char* kIeee[] = {"fp16", "bf16", "fp32"};
// A narrow accumulator that swamps often, summed by a different chunk-accumulator format.
const char* kNarrow[] = {"M3E4", "M3E4b9:rne:subnormal", "M6E5"};

TEST(ArrayVsGolden, WeightStationaryPaperFormats) {
  check_against_golden(DataflowKind::ws, make_config(kPaper[0], kPaper[1], kPaper[2]), 2.0);
}
TEST(ArrayVsGolden, WeightStationaryIeeeFormats) {
  check_against_golden(DataflowKind::ws, make_config(kIeee[0], kIeee[1], kIeee[2]), 1.0);
}
TEST(ArrayVsGolden, WeightStationaryNarrowAccumulator) {
  check_against_golden(DataflowKind::ws, make_config(kNarrow[0], kNarrow[1], kNarrow[2]), 1.0);
}
TEST(ArrayVsGolden, OutputStationaryPaperFormats) {
  check_against_golden(DataflowKind::os, make_config(kPaper[0], kPaper[1], kPaper[2]), 2.0);
}
TEST(ArrayVsGolden, OutputStationaryIeeeFormats) {
  check_against_golden(DataflowKind::os, make_config(kIeee[0], kIeee[1], kIeee[2]), 1.0);
}
TEST(ArrayVsGolden, OutputStationaryNarrowAccumulator) {
  check_against_golden(DataflowKind::os, make_config(kNarrow[0], kNarrow[1], kNarrow[2]), 1.0);
}

// Operands with many distinct values (fp16) turn the model's product table off: the PEs call
// mul_q themselves, and must still agree.
TEST(ArrayVsGolden, WideOperandsBothDataflows) {
  check_against_golden(DataflowKind::ws, make_config(kIeee[0], kIeee[1], kIeee[2]), 1.0, "fp16");
  check_against_golden(DataflowKind::os, make_config(kIeee[0], kIeee[1], kIeee[2]), 1.0, "fp16");
}

// Events must actually occur in these configurations, or the count comparison proves little.
TEST(ArrayVsGolden, StimulusProducesEveryEventKind) {
  num::AccumConfig cfg = make_config(kPaper[0], kPaper[1], kPaper[2]);
  cfg.chunk = 4;
  const num::Format wa = num::parse_format("M4E3");
  const std::vector<double> a = random_operand(17 * 33, wa, 7, 2.0);
  const std::vector<double> w = random_operand(33 * 6, wa, 8, 2.0);
  std::vector<double> c(17 * 6);
  const ArrayStats st = run_gemm({a.data(), w.data(), c.data(), 17, 33, 6}, {4, 4}, cfg);
  EXPECT_GT(st.events.product.overflow, 0u);
  EXPECT_GT(st.events.product.inexact, 0u);
  EXPECT_GT(st.events.accumulator.swamped + st.events.accumulator.inexact, 0u);
  EXPECT_GT(st.events.chunk.ops, 0u);
}

}  // namespace
}  // namespace lbasim::sysc
