// Lockstep co-simulation of the SystemC array and a Verilated RTL array, compiled once per RTL
// model (LBASIM_DUT_CONFIG: paper4x4, paper4x4_os, rne3x5, rne3x5_os): zero mismatches and
// equal cycle counts on the default suite of ragged shapes and chunk sizes; a corrupted weight
// on the RTL side must be caught.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "cosim_suite.h"
#include "lbasim/numerics/encoding.h"
#include "lbasim/systemc/random_operands.h"

LBASIM_DECLARE_ARRAY_DUT(LBASIM_DUT_CONFIG)

namespace lbasim::rtl {
namespace {

const ArrayDutFactory kDut = &LBASIM_ARRAY_DUT(LBASIM_DUT_CONFIG);

TEST(Cosim, ZeroMismatchesOnTheDefaultSuite) {
  const ArrayParams p = kDut()->params();
  std::uint64_t seed = 10, words = 0;
  for (const CosimCase& c : default_cosim_cases()) {
    const CosimResult r = cosim_random(kDut, c, seed += 2);
    EXPECT_TRUE(r.ok()) << c.m << "," << c.k << "," << c.n << " chunk " << c.chunk << ": "
                        << r.mismatched_words << " mismatched words, cycles " << r.sc_cycles
                        << " vs " << r.rtl_cycles
                        << (r.first ? ", first: " + describe(*r.first) : "");
    // WS: one pair per K tile; OS: one result per output.
    const std::int64_t k_tiles =
        p.dataflow == sysc::DataflowKind::ws ? (c.k + p.rows - 1) / p.rows : 1;
    EXPECT_EQ(r.words, static_cast<std::uint64_t>(c.m * c.n * k_tiles));
    words += r.words;
  }
  EXPECT_GT(words, 2000u);
}

TEST(Cosim, InjectedWeightFaultIsCaught) {
  CosimOptions opt;
  opt.fault = WeightFault{2, 1, 6};  // top exponent bit of W[2][1]
  const CosimResult r = cosim_random(kDut, {5, 9, 6, 4}, 3, opt);
  EXPECT_FALSE(r.ok());
  ASSERT_TRUE(r.first.has_value());
  EXPECT_EQ(r.first->column, 1);  // W[2][1] feeds column 1 of the first tile
  EXPECT_EQ(r.first->n, 1);
  EXPECT_NE(r.first->expected_code, r.first->actual_code);
}

// The end of a double-buffered GEMM by the schedule of docs/systolic.md: the last cycle of
// max over tiles of e_i, + 1.
std::int64_t double_buffered_cycles(const ArrayParams& p, const CosimCase& c) {
  std::int64_t end = 0;
  if (p.dataflow == sysc::DataflowKind::os) {  // s_{i+1} = s_i + max(K, mt_i)
    std::int64_t s = 0;
    for (std::int64_t m0 = 0; m0 < c.m; m0 += p.rows)
      for (std::int64_t n0 = 0; n0 < c.n; n0 += p.cols) {
        const std::int64_t mt = std::min<std::int64_t>(p.rows, c.m - m0);
        const std::int64_t nt = std::min<std::int64_t>(p.cols, c.n - n0);
        end = std::max(end, s + c.k + p.rows + mt + nt - 2);
        s += std::max(c.k, mt);
      }
    return end;
  }
  // WS, tile by tile (N outer, K inner).
  std::int64_t load = 0, stream = 1, prev_n0 = -1, prev_nt = 0, prev_kt = 0;
  bool first = true;
  for (std::int64_t n0 = 0; n0 < c.n; n0 += p.cols)
    for (std::int64_t k0 = 0; k0 < c.k; k0 += p.rows) {
      const std::int64_t kt = std::min<std::int64_t>(p.rows, c.k - k0);
      const std::int64_t nt = std::min<std::int64_t>(p.cols, c.n - n0);
      if (!first) {
        const std::int64_t l = std::max(load + prev_kt, stream + prev_nt - 1);
        std::int64_t s = std::max(l + 1, stream + c.m);
        if (n0 == prev_n0) s = std::max(s, stream + p.rows + 1);
        load = l;
        stream = s;
      }
      first = false;
      end = std::max(end, stream + c.m + p.rows + nt - 1);
      prev_n0 = n0;
      prev_nt = nt;
      prev_kt = kt;
    }
  return end;
}

// The RTL array on its own, double-buffered, against the golden GEMM: every result bit for
// bit, and the GEMM ends when the schedule of docs/systolic.md says, which needs every word
// of every tile to come out in time.
TEST(RtlArray, DoubleBufferedEqualsGoldenOnTheSuite) {
  const ArrayParams p = kDut()->params();
  std::uint64_t seed = 50;
  for (const CosimCase& c : default_cosim_cases()) {
    const std::vector<double> a = sysc::random_operand(c.m * c.k, p.a, seed += 2, 2.0);
    const std::vector<double> w = sysc::random_operand(c.k * c.n, p.w, seed + 1, 2.0);
    const num::AccumConfig cfg{p.product, p.accumulator, p.chunk_accumulator, c.chunk};
    std::vector<double> want(c.m * c.n);
    num::gemm_reference(a.data(), w.data(), want.data(), c.m, c.k, c.n, cfg, nullptr);
    std::unique_ptr<ArrayDut> dut = kDut();
    std::unique_ptr<ArrayDriver> driver =
        make_array_driver(*dut, {a.data(), w.data(), c.m, c.k, c.n, cfg, {}, true});
    while (!driver->done() && driver->cycles() < 100000) driver->step();
    ASSERT_TRUE(driver->done());
    for (std::int64_t i = 0; i < c.m * c.n; ++i)
      ASSERT_EQ(num::encode(driver->result()[i], p.chunk_accumulator),
                num::encode(want[i], p.chunk_accumulator))
          << c.m << "," << c.k << "," << c.n << " chunk " << c.chunk << ": C[" << i / c.n << "]["
          << i % c.n << "]";
    EXPECT_EQ(driver->cycles(), static_cast<std::uint64_t>(double_buffered_cycles(p, c)))
        << c.m << "," << c.k << "," << c.n;
  }
}

}  // namespace
}  // namespace lbasim::rtl
