// The fmaq RTL, Verilated with one parameter set per executable, against lbasim::num::fmaq:
// every output code and event bit must match.
#include <gtest/gtest.h>

#include <cstdio>

#include "fmaq_check.h"
#include "fmaq_dut.h"

namespace lbasim::rtl {
namespace {

TEST(FmaqRtl, EdgeEncodings) {
  auto dut = make_fmaq_dut();
  FmaqChecker checker(*dut);
  checker.check_edges();
  EXPECT_GT(checker.stats().cases, 10000u);
  EXPECT_EQ(checker.stats().mismatches, 0u);
}

TEST(FmaqRtl, MillionRandomVectors) {
  auto dut = make_fmaq_dut();
  FmaqChecker checker(*dut);
  checker.check_random(1'000'000, 20240507);
  EXPECT_EQ(checker.stats().cases, 1'000'000u);
  EXPECT_EQ(checker.stats().mismatches, 0u);
}

#ifdef LBASIM_RTL_EXHAUSTIVE
TEST(FmaqRtl, ExhaustiveAllCodes) {
  auto dut = make_fmaq_dut();
  FmaqChecker checker(*dut);
  checker.check_exhaustive();
  EXPECT_EQ(checker.stats().cases, checker.exhaustive_cases());
  EXPECT_EQ(checker.stats().mismatches, 0u);
}
#endif

// A device that differs from the RTL in one output bit, to show the checker notices.
class Tampered final : public FmaqDut {
 public:
  Tampered(FmaqDut& inner, FmaqOutputs flip) : inner_(inner), flip_(flip) {}
  const FmaqFormats& formats() const override { return inner_.formats(); }
  FmaqOutputs eval(std::uint64_t a, std::uint64_t w, std::uint64_t acc) override {
    FmaqOutputs o = inner_.eval(a, w, acc);
    o.acc ^= flip_.acc;
    o.product ^= flip_.product;
    o.prod_events ^= flip_.prod_events;
    o.acc_events ^= flip_.acc_events;
    return o;
  }

 private:
  FmaqDut& inner_;
  FmaqOutputs flip_;
};

TEST(FmaqRtl, CheckerReportsEveryKindOfMismatch) {
  auto dut = make_fmaq_dut();
  std::FILE* sink = std::tmpfile();
  ASSERT_NE(sink, nullptr);
  for (const FmaqOutputs flip : {FmaqOutputs{1, 0, 0, 0}, FmaqOutputs{0, 1, 0, 0},
                                 FmaqOutputs{0, 0, 4, 0}, FmaqOutputs{0, 0, 0, 8}}) {
    Tampered bad(*dut, flip);
    FmaqChecker checker(bad, sink, 1);
    checker.check_random(100, 1);
    EXPECT_EQ(checker.stats().mismatches, 100u);
  }
  std::fclose(sink);
}

}  // namespace
}  // namespace lbasim::rtl
