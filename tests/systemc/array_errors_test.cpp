// Bad array shapes, dataflows and GEMM shapes are refused with messages that say why.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "lbasim/base/error.h"
#include "lbasim/numerics/format.h"
#include "lbasim/systemc/dataflow.h"
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

// The fused PE (--pe fused) with a config it cannot compute, or a chunk lane it cannot map.
TEST(ArrayErrors, FusedPeBadCombinationsNameOptionAndValue) {
  num::AccumConfig hopper_fp8;  // configs/gpu/hopper_fp8.json
  hopper_fp8.accumulator = num::parse_format("M13E8:rtz:subnormal:ieee:inf");
  hopper_fp8.chunk_accumulator = num::parse_format("fp32");
  hopper_fp8.fused = num::FusedOrder{32, 13, true};
  EXPECT_EQ(parse_pe_kind("fused", "--pe"), PeKind::fused);
  const std::string bad = message_of([] { parse_pe_kind("tensor", "--pe"); });
  EXPECT_NE(bad.find("--pe: 'tensor'"), std::string::npos) << bad;
  EXPECT_NE(bad.find("fused"), std::string::npos) << bad;

  num::AccumConfig chain;
  chain.product = chain.accumulator = chain.chunk_accumulator = num::parse_format("fp32");
  const std::string no_fused = message_of([&] {
    make_dataflow({4, 4, DataflowKind::ws, PeKind::fused}, chain);
  });
  EXPECT_NE(no_fused.find("PE kind 'fused' (--pe)"), std::string::npos) << no_fused;
  EXPECT_NE(no_fused.find("'fused'"), std::string::npos) << no_fused;
  const std::string fmaq = message_of([&] {
    make_dataflow({4, 4, DataflowKind::os, PeKind::fmaq}, hopper_fp8);
  });
  EXPECT_NE(fmaq.find("PE kind 'fmaq' (--pe)"), std::string::npos) << fmaq;
  EXPECT_NE(fmaq.find("--pe fused"), std::string::npos) << fmaq;

  num::AccumConfig cfg = hopper_fp8;
  cfg.chunk = 128;
  ArrayConfig ac{16, 16, DataflowKind::ws, PeKind::fused};
  ac.chunk_lane = ChunkLane::column;
  const std::string column = message_of([&] { make_dataflow(ac, cfg); });
  EXPECT_NE(column.find("chunk_lane 'column' (--chunk-lane) with PE 'fused': chunk 128"),
            std::string::npos)
      << column;
  EXPECT_NE(column.find("16 rows x 32 terms"), std::string::npos) << column;
}

}  // namespace
}  // namespace lbasim::sysc
