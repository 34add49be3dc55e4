// Bad array shapes, dataflows and GEMM shapes are refused with messages that say why.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "lbasim/numerics/error.h"
#include "lbasim/numerics/format.h"
#include "lbasim/systemc/run_gemm.h"

namespace lbasim::sysc {
namespace {

std::string message_of(auto&& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(ArrayErrors, ShapeAndDataflowStrings) {
  EXPECT_EQ(parse_array_shape("16x8", "--array").cols, 8);
  EXPECT_NE(message_of([] { parse_array_shape("16", "--array"); }).find("ROWSxCOLS"),
            std::string::npos);
  EXPECT_NE(message_of([] { parse_array_shape("0x4", "--array"); }).find("1..1024"),
            std::string::npos);
  EXPECT_NE(message_of([] { parse_dataflow("is", "--dataflow"); }).find("'is'"), std::string::npos);
  EXPECT_EQ(parse_pe_kind("fmaq", "--pe"), PeKind::fmaq);
  const std::string pe = message_of([] { parse_pe_kind("fma", "--pe"); });
  EXPECT_NE(pe.find("--pe: 'fma'"), std::string::npos) << pe;
  EXPECT_NE(pe.find("fmaq"), std::string::npos) << pe;
}

TEST(ArrayErrors, EmptyGemm) {
  num::AccumConfig cfg;
  std::vector<double> x(4);
  const std::string msg = message_of([&] {
    run_gemm({x.data(), x.data(), x.data(), 2, 0, 2}, {2, 2}, cfg);
  });
  EXPECT_NE(msg.find("at least 1"), std::string::npos) << msg;
}

}  // namespace
}  // namespace lbasim::sysc
