// Lockstep co-simulation of the SystemC array and the Verilated RTL array (compiled once per
// RTL parameter set: test_cosim for 4x4 with the paper's formats, test_cosim_rne3x5): zero
// mismatches and equal cycle counts on ragged shapes and chunk sizes around the array's rows;
// a corrupted weight on the RTL side must be caught.
#include "cosim.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "lbasim/systemc/random_operands.h"

namespace lbasim::rtl {
namespace {

struct Case {
  std::int64_t m, k, n, chunk;
};

CosimResult cosim(const Case& c, std::uint64_t seed, const CosimOptions& opt = {}) {
  const WsArrayParams p = make_ws_array_dut()->params();
  num::AccumConfig cfg{p.product, p.accumulator, p.chunk_accumulator, c.chunk};
  const std::vector<double> a = sysc::random_operand(c.m * c.k, p.a, seed, 2.0);
  const std::vector<double> w = sysc::random_operand(c.k * c.n, p.w, seed + 1, 2.0);
  return run_cosim([] { return make_ws_array_dut(); }, a.data(), w.data(), c.m, c.k, c.n, cfg, opt);
}

TEST(Cosim, ZeroMismatchesOnRaggedShapesAndChunks) {
  const std::vector<Case> cases = {{1, 1, 1, 0},  {5, 9, 6, 0},  {5, 9, 6, 1}, {7, 13, 9, 3},
                                   {7, 13, 9, 4}, {3, 11, 5, 5}, {6, 8, 4, 8}, {2, 17, 7, 6}};
  const int rows = make_ws_array_dut()->params().rows;
  std::uint64_t seed = 10;
  for (const Case& c : cases) {
    const CosimResult r = cosim(c, seed += 2);
    EXPECT_TRUE(r.ok()) << c.m << "," << c.k << "," << c.n << " chunk " << c.chunk << ": "
                        << r.mismatched_words << " mismatched words, cycles " << r.sc_cycles
                        << " vs " << r.rtl_cycles
                        << (r.first ? ", first: " + describe(*r.first) : "");
    EXPECT_EQ(r.words, static_cast<std::uint64_t>(c.m * c.n * ((c.k + rows - 1) / rows)));
  }
}

TEST(Cosim, InjectedWeightFaultIsCaught) {
  CosimOptions opt;
  opt.fault = WeightFault{2, 1, 6};  // top exponent bit of W[2][1]
  const CosimResult r = cosim({5, 9, 6, 4}, 3, opt);
  EXPECT_FALSE(r.ok());
  ASSERT_TRUE(r.first.has_value());
  EXPECT_EQ(r.first->column, 1);  // W[2][1] feeds column 1 of the first tile
  EXPECT_EQ(r.first->n, 1);
  EXPECT_NE(r.first->expected_code, r.first->actual_code);
}

}  // namespace
}  // namespace lbasim::rtl
