// Lockstep co-simulation of the SystemC array and a Verilated RTL array, compiled once per RTL
// model (LBASIM_DUT_CONFIG: paper4x4, paper4x4_os, rne3x5, rne3x5_os): zero mismatches and
// equal cycle counts on the default suite of ragged shapes and chunk sizes; a corrupted weight
// on the RTL side must be caught.
#include <gtest/gtest.h>

#include <cstdint>

#include "cosim_suite.h"

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

}  // namespace
}  // namespace lbasim::rtl
