// Lockstep co-simulation of the SystemC array and a Verilated RTL array, compiled once per RTL
// model (LBASIM_DUT_CONFIG: paper4x4, paper4x4_os, paper4x4_col (WS, chunk lane 'column'),
// rne3x5, rne3x5_os, fused4x4 (WS of fused dot-product PEs, G = 4), opt-in fused4x4_col):
// zero mismatches in words and PE events and equal cycle counts on the default suite of ragged
// shapes and chunk sizes, single- and double-buffered; a corrupted weight, one event bit,
// (fused) one term flag, or (column) one bit of a running sum, on the RTL side must be caught.
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
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

// PE steps of a K-long dot product (numerics contract, section 7): chunks of `chunk` products
// (K if 0 or larger), each of ceil(chunk / g) groups; one product per step for the FMAq PE.
std::int64_t steps(const ArrayParams& p, const CosimCase& c) {
  const std::int64_t g = p.fused ? p.fused->terms : 1;
  const std::int64_t n = c.chunk <= 0 || c.chunk >= c.k ? c.k : c.chunk;
  return c.k / n * ((n + g - 1) / g) + (c.k % n + g - 1) / g;
}

// A small GEMM with a chunk of 4 products, rounded up as the suite's with chunk lane 'column'
// (to one K tile's products); for the fault tests.
CosimCase small_case(const ArrayParams& p) {
  CosimCase c{5, 9, 6, 4};
  const std::int64_t unit = std::int64_t{p.rows} * p.terms();
  if (p.chunk_lane == sysc::ChunkLane::column) c.chunk = (c.chunk + unit - 1) / unit * unit;
  return c;
}

// The suite's config for the model: its formats and order, the case's chunk.
num::AccumConfig config(const ArrayParams& p, const CosimCase& c) {
  return {p.product, p.accumulator, p.chunk_accumulator, c.chunk, p.fused};
}

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
    // WS: one pair per K tile (of `rows` steps); OS: one result per output.
    const std::int64_t k_tiles =
        p.dataflow == sysc::DataflowKind::ws ? (steps(p, c) + p.rows - 1) / p.rows : 1;
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
  EXPECT_GT(events, p.fused ? 20000u : 50000u);  // fused: G products per PE step
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
    const CosimResult r = cosim_random(kDut, small_case(kDut()->params()), 3, opt);
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
                   small_case(kDut()->params()), 3);
  ASSERT_EQ(TamperedEvents::tampered, 1);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.mismatched_words, 0u);
  EXPECT_EQ(r.mismatched_pe_events, 1u);
  ASSERT_TRUE(r.first.has_value());
  EXPECT_EQ(r.first->row, 1);
  EXPECT_EQ(r.first->column, 1);
  EXPECT_EQ(r.first->expected_code ^ r.first->actual_code, 1u << 7) << describe(*r.first);
}

// The fused model's term flags (cut_terms and inexact_terms, compared as counts with the
// SystemC PE's align_inexact and cut): PE(2, 1)'s first non-zero inexact flags of the GEMM with
// one more bit set (a product term that kept its bits), and what the RTL did on the suite, to
// show that the suite reaches what it compares.
class TamperedTerms final : public TamperedDut {
 public:
  ArrayOutputs cycle(const ArrayInputs& in) override {
    ArrayOutputs out = dut_->cycle(in);
    for (std::size_t i = 0; i < out.pe_events.size(); ++i) {
      const PeEventBits e = out.pe_events[i];
      macs += e & 1;
      restarts += (e >> 1) & 1;
      for (int b = 0; b < 4; ++b) acc_events[b] += (e >> (5 + b)) & 1;
      inexact_terms += std::popcount(out.pe_inexact_terms.at(i));
      cut_terms += std::popcount(out.pe_cut_terms.at(i));
    }
    std::uint64_t& flags = out.pe_inexact_terms.at(2 * params().cols + 1);
    if (tamper && !done_ && flags != 0 && ~flags & 0x1e) {
      flags |= std::uint64_t{1} << std::countr_one(flags | 1);  // a product term's flag
      done_ = true;
      tampered = true;
    }
    return out;
  }
  static inline bool tamper = false, tampered = false;
  static inline std::uint64_t macs = 0, restarts = 0, inexact_terms = 0, cut_terms = 0;
  static inline std::uint64_t acc_events[4] = {};
};

TEST(CosimFused, OneFlippedTermFlagIsCaught) {
  if (!kDut()->params().fused) GTEST_SKIP() << "FMAq PEs: no term flags";
  TamperedTerms::tamper = true;
  const CosimResult r =
      cosim_random([]() -> std::unique_ptr<ArrayDut> { return std::make_unique<TamperedTerms>(); },
                   small_case(kDut()->params()), 3);
  ASSERT_TRUE(TamperedTerms::tampered);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.mismatched_words, 0u);
  EXPECT_EQ(r.mismatched_pe_events, 1u);
  ASSERT_TRUE(r.first.has_value());
  EXPECT_EQ(r.first->field, "PE align_inexact terms") << describe(*r.first);
  EXPECT_EQ(r.first->row, 2);
  EXPECT_EQ(r.first->column, 1);
  EXPECT_EQ(static_cast<std::uint64_t>(std::popcount(r.first->actual_code)),
            r.first->expected_code + 1)
      << describe(*r.first);
}

// The suite on the fused model (single buffering, untampered) reaches what the comparison
// checks: chunk restarts, terms losing bits and cut to zero, and every accumulator event but
// underflow (the operands' products are far above the accumulator's subnormals).
TEST(CosimFused, SuiteReachesTheEvents) {
  if (!kDut()->params().fused) GTEST_SKIP() << "FMAq PEs";
  TamperedTerms::tamper = false;
  std::uint64_t seed = 10;
  for (const CosimCase& c : default_cosim_cases(kDut()->params()))
    EXPECT_TRUE(cosim_random(
                    []() -> std::unique_ptr<ArrayDut> { return std::make_unique<TamperedTerms>(); },
                    c, seed += 2)
                    .ok());
  EXPECT_GT(TamperedTerms::macs, 5000u);
  if (kDut()->params().chunk_lane == sysc::ChunkLane::pe) {
    EXPECT_GT(TamperedTerms::restarts, 100u);  // 'column': the chunk adds are at the bottoms
  }
  EXPECT_GT(TamperedTerms::inexact_terms, 1000u);
  EXPECT_GT(TamperedTerms::cut_terms, 100u);
  EXPECT_GT(TamperedTerms::acc_events[0], 100u);   // overflow (saturation)
  EXPECT_GT(TamperedTerms::acc_events[2], 1000u);  // inexact
  EXPECT_GT(TamperedTerms::acc_events[3], 50u);    // swamped
}

// Mostly subnormal activations: fused_dot takes a subnormal code's exponent as its format's
// minimum normal one, the SystemC PE from the operands' floors that run_cosim passes. The data
// must tell floors from none (the golden GEMM differs), so the agreement is not vacuous.
TEST(CosimFused, SubnormalOperandsAlignAtTheFormatsFloor) {
  const ArrayParams p = kDut()->params();
  if (!p.fused) GTEST_SKIP() << "FMAq PEs: no alignment";
  const CosimCase c{9, 37, 7, 0};
  const std::vector<double> a = sysc::random_operand(c.m * c.k, p.a, 71, 1.0 / 64);
  const std::vector<double> w = sysc::random_operand(c.k * c.n, p.w, 72, 2.0);
  const double min_normal = std::ldexp(1.0, 1 - p.a.bias);
  EXPECT_GT(std::count_if(a.begin(), a.end(),
                          [&](double x) { return x != 0 && std::abs(x) < min_normal; }),
            c.m * c.k / 4);
  const num::AccumConfig cfg = config(p, c);
  num::OperandFloors floors;
  floors.a = num::operand_floor(p.a);
  floors.w = {num::operand_floor(p.w)};
  std::vector<double> with(c.m * c.n), without(c.m * c.n);
  num::gemm_reference(a.data(), w.data(), with.data(), c.m, c.k, c.n, cfg, nullptr, floors);
  num::gemm_reference(a.data(), w.data(), without.data(), c.m, c.k, c.n, cfg, nullptr);
  EXPECT_NE(with, without);
  for (const sysc::Buffering b : {sysc::Buffering::single, sysc::Buffering::double_}) {
    CosimOptions opt;
    opt.buffering = b;
    const CosimResult r = run_cosim(kDut, a.data(), w.data(), c.m, c.k, c.n, cfg, opt);
    EXPECT_TRUE(r.ok()) << (r.first ? describe(*r.first) : "cycle counts");
  }
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
  // A chunk of one K tile (R steps of terms() products: 4 on 4 FMAq rows) and K = 2 chunks
  // + 1: the first K tile ends a chunk, its adds are not final.
  const ArrayParams p = kDut()->params();
  const std::int64_t chunk = std::int64_t{p.rows} * p.terms();
  const CosimResult r = cosim_random(
      []() -> std::unique_ptr<ArrayDut> { return std::make_unique<TamperedRunningSum>(); },
      {5, 2 * chunk + 1, 6, chunk}, 3);
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
  // WS, tile by tile (N outer, K inner; K in PE steps).
  std::int64_t load = 0, stream = 1, prev_n0 = -1, prev_nt = 0, prev_kt = 0;
  bool first = true;
  const std::int64_t k = steps(p, c);
  for (std::int64_t n0 = 0; n0 < c.n; n0 += p.cols)
    for (std::int64_t k0 = 0; k0 < k; k0 += p.rows) {
      const std::int64_t kt = std::min<std::int64_t>(p.rows, k - k0);
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
    const num::AccumConfig cfg = config(p, c);
    const num::OperandFloors floors = p.floors();  // as the RTL decodes codes (fused order)
    std::vector<double> want(c.m * c.n);
    num::gemm_reference(a.data(), w.data(), want.data(), c.m, c.k, c.n, cfg, nullptr, floors);
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
