// Lockstep co-simulation of the SystemC array and a Verilated RTL array, compiled once per RTL
// model (LBASIM_DUT_CONFIG: paper4x4, paper4x4_os, paper4x4_col (WS, chunk lane 'column'),
// rne3x5, rne3x5_os): zero mismatches in words and PE events and equal cycle counts on the
// default suite of ragged shapes and chunk sizes, single- and double-buffered; a corrupted
// weight, one event bit, or (column) one bit of a running sum, on the RTL side must be caught.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "cosim_suite.h"
#include "lbasim/numerics/encoding.h"
#include "lbasim/systemc/random_operands.h"

LBASIM_DECLARE_ARRAY_DUT(LBASIM_DUT_CONFIG)

namespace lbasim::sysc {
void PrintTo(Buffering b, std::ostream* os) { *os << to_string(b); }
}  // namespace lbasim::sysc

namespace lbasim::rtl {
namespace {

const ArrayDutFactory kDut = &LBASIM_ARRAY_DUT(LBASIM_DUT_CONFIG);

class CosimBuffering : public ::testing::TestWithParam<sysc::Buffering> {};

TEST_P(CosimBuffering, ZeroMismatchesOnTheDefaultSuite) {
  const ArrayParams p = kDut()->params();
  CosimOptions opt;
  opt.buffering = GetParam();
  std::uint64_t seed = 10, words = 0, events = 0, adds = 0, outputs = 0;
  for (const CosimCase& c : default_cosim_cases(p)) {
    const CosimResult r = cosim_random(kDut, c, seed += 2, opt);
    EXPECT_TRUE(r.ok()) << c.m << "," << c.k << "," << c.n << " chunk " << c.chunk << ": "
                        << r.mismatched_words << " mismatched words, " << r.mismatched_pe_events
                        << " mismatched PE events, cycles " << r.sc_cycles << " vs " << r.rtl_cycles
                        << (r.first ? ", first: " + describe(*r.first) : "");
    // WS: one pair per K tile; OS: one result per output.
    const std::int64_t k_tiles =
        p.dataflow == sysc::DataflowKind::ws ? (c.k + p.rows - 1) / p.rows : 1;
    EXPECT_EQ(r.words, static_cast<std::uint64_t>(c.m * c.n * k_tiles));
    // Every PE in every cycle the RTL ran.
    EXPECT_EQ(r.pe_events, r.rtl_cycles * p.rows * p.cols);
    // Column-bottom adds (each compared as a word): one per output with chunk lane 'pe', one
    // per chunk and output with 'column'.
    const std::int64_t chunks =
        p.chunk_lane == sysc::ChunkLane::pe || c.chunk == 0 ? 1 : (c.k + c.chunk - 1) / c.chunk;
    std::uint64_t case_adds = 0;
    for (std::uint64_t a : r.stats.column_chunk_adds) case_adds += a;
    EXPECT_EQ(case_adds, static_cast<std::uint64_t>(c.m * c.n * chunks));
    words += r.words;
    events += r.pe_events;
    adds += case_adds;
    outputs += c.m * c.n;
  }
  EXPECT_GT(words, 2000u);
  EXPECT_GT(events, 50000u);
  // With 'column', the suite has outputs of several chunks.
  if (p.chunk_lane == sysc::ChunkLane::column) {
    EXPECT_GT(adds, outputs);
  }
}

INSTANTIATE_TEST_SUITE_P(Both, CosimBuffering,
                         ::testing::Values(sysc::Buffering::single, sysc::Buffering::double_),
                         [](const auto& info) { return std::string(sysc::to_string(info.param)); });

TEST(Cosim, InjectedWeightFaultIsCaught) {
  for (const sysc::Buffering b : {sysc::Buffering::single, sysc::Buffering::double_}) {
    CosimOptions opt;
    opt.buffering = b;
    opt.fault = WeightFault{2, 1, 6};  // top exponent bit of W[2][1]
    const CosimResult r = cosim_random(kDut, {5, 9, 6, 4}, 3, opt);
    EXPECT_FALSE(r.ok());
    ASSERT_TRUE(r.first.has_value());
    // W[2][1] feeds PEs of column 1 only: the first difference is there, in a PE's events or
    // in the column's word of C[.][1].
    EXPECT_EQ(r.first->column, 1) << describe(*r.first);
    EXPECT_TRUE(r.first->field == "PE events" || r.first->n == 1) << describe(*r.first);
    EXPECT_NE(r.first->expected_code, r.first->actual_code);
  }
}

// The model under test behind a wrapper that changes what it outputs (cycle()).
class TamperedDut : public ArrayDut {
 public:
  TamperedDut() : dut_(kDut()) {}
  const ArrayParams& params() const override { return dut_->params(); }
  void reset() override { dut_->reset(); }
  void open_vcd(const std::string& path) override { dut_->open_vcd(path); }
  void set_vcd_dump(bool on) override { dut_->set_vcd_dump(on); }
  void close_vcd() override { dut_->close_vcd(); }

 protected:
  std::unique_ptr<ArrayDut> dut_;
  bool done_ = false;
};

// The model with one event bit flipped: PE(1, 1)'s accumulator inexact bit in the first cycle
// it does a MAC. Values are untouched, so only the event comparison can notice.
class TamperedEvents final : public TamperedDut {
 public:
  ArrayOutputs cycle(const ArrayInputs& in) override {
    ArrayOutputs out = dut_->cycle(in);
    PeEventBits& e = out.pe_events[1 * params().cols + 1];
    if (!done_ && (e & 1)) {
      e ^= 1u << 7;
      done_ = true;
      ++tampered;
    }
    return out;
  }
  static inline int tampered = 0;
};

TEST(Cosim, OneFlippedEventBitIsCaught) {
  const CosimResult r =
      cosim_random([]() -> std::unique_ptr<ArrayDut> { return std::make_unique<TamperedEvents>(); },
                   {5, 9, 6, 4}, 3);
  ASSERT_EQ(TamperedEvents::tampered, 1);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.mismatched_words, 0u);
  EXPECT_EQ(r.mismatched_pe_events, 1u);
  ASSERT_TRUE(r.first.has_value());
  EXPECT_EQ(r.first->row, 1);
  EXPECT_EQ(r.first->column, 1);
  EXPECT_EQ(r.first->expected_code ^ r.first->actual_code, 1u << 7) << describe(*r.first);
}

// Chunk lane 'column': the RTL with one bit of a running sum flipped where a column-bottom
// add ends a chunk that is not the last (the sum goes back to the output buffer, not to C).
// Only the comparison of those words' values can see it in that cycle.
class TamperedRunningSum final : public TamperedDut {
 public:
  ArrayOutputs cycle(const ArrayInputs& in) override {
    ArrayOutputs out = dut_->cycle(in);
    for (int c = 0; c < params().cols && !done_; ++c)
      if (out.valid[c] && c < static_cast<int>(in.bottom_add.size()) && in.bottom_add[c]) {
        out.value[c] ^= 1;
        done_ = true;
        column = c;
      }
    return out;
  }
  static inline int column = -1;
};

TEST(Cosim, FlippedRunningSumIsCaught) {
  if (kDut()->params().chunk_lane != sysc::ChunkLane::column)
    GTEST_SKIP() << "chunk lane 'pe': no running sums at the column bottoms";
  // K = 9 on 4 rows, chunk 4: the first K tile ends a chunk, its adds are not final.
  const CosimResult r = cosim_random(
      []() -> std::unique_ptr<ArrayDut> { return std::make_unique<TamperedRunningSum>(); },
      {5, 9, 6, 4}, 3);
  ASSERT_GE(TamperedRunningSum::column, 0);
  EXPECT_FALSE(r.ok());
  ASSERT_TRUE(r.first.has_value());
  EXPECT_EQ(r.first->field, "value") << describe(*r.first);
  EXPECT_EQ(r.first->column, TamperedRunningSum::column);
  EXPECT_EQ(r.first->m, 0);
  EXPECT_EQ(r.first->expected_code ^ r.first->actual_code, 1u) << describe(*r.first);
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
  for (const CosimCase& c : default_cosim_cases(p)) {
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
