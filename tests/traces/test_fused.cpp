// The fused order (contract section 7) on a trace: the GPU presets run end to end, and each
// layer's GEMM aligns subnormal W/A values at their format's smallest normal exponent shifted
// by the tensor's scale (per output channel for per-channel weight scales).
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "lbasim/numerics/accumulate.h"
#include "lbasim/traces/evaluate.h"
#include "lbasim/traces/executor.h"
#include "lbasim/traces/lowering.h"
#include "lbasim/traces/trace.h"

namespace lbasim::traces {
namespace {

namespace fs = std::filesystem;

num::AccumConfig preset(const std::string& name) {
  std::ifstream in(fs::path(LBASIM_CONFIGS_DIR) / "gpu" / (name + ".json"));
  return num::accum_config_from_json(nlohmann::json::parse(in));
}

Trace mlp() { return read_trace(fs::path(LBASIM_TRACES_DIR) / "mlp-fmnist"); }

TEST(TraceFused, HopperPresetsRunWithEventsAndCloseAccuracy) {
  const Trace t = mlp();
  for (const char* name : {"hopper_fp8", "hopper_fp8_promote128", "blackwell_fp8"}) {
    GemmSettings s;
    s.config = preset(name);
    EvalOptions opt;
    opt.limit = 20;
    const RunReport r = evaluate(t, s, opt);
    EXPECT_GE(r.agreement(), 0.9) << name;
    const auto ev = r.total_events();
    EXPECT_EQ(ev.product.ops, static_cast<std::uint64_t>(r.macs())) << name;
    // M4E3 products have 10 significant bits: F = 13 cuts some, F = 25 none on this network.
    if (s.config.fused->align_bits == 13) {
      EXPECT_GT(ev.accumulator.align_inexact, 0u) << name;
    }
    // The golden model gives the same network output.
    GemmSettings g = s;
    g.engine = GemmEngine::golden;
    EXPECT_EQ(evaluate(t, g, opt).logits, r.logits) << name;
  }
}

// e4m3 W/A (subnormals below 2^-6) with the trace's scales, and per-channel weight scales on
// fc1: the floors are -6 + s, and the layer equals gemm_reference given those floors.
TEST(TraceFused, LayersAlignSubnormalOperandsAtTheirScaledFloor) {
  Trace t = mlp();
  const num::Format e4m3 = num::parse_format("fp8_e4m3");
  Op* fc1 = nullptr;
  for (Op& op : t.graph) {
    if (!op.quant) continue;
    op.quant->input.format = op.quant->weight.format = e4m3;
    if (!fc1) {
      fc1 = &op;
      const int s = op.quant->weight.scale_exp[0];
      op.quant->weight.scale_exp.clear();
      for (std::int64_t co = 0; co < op.out_channels; ++co)
        op.quant->weight.scale_exp.push_back(s - static_cast<int>(co % 3));
    }
  }
  ASSERT_NE(fc1, nullptr);
  GemmSettings s;
  s.config = preset("hopper_fp8");
  s.config.fused->align_bits = 3;  // narrow, so that where E sits shows in the values
  s.engine = GemmEngine::golden;
  const GraphRunner runner(t, s);
  const num::OperandFloors& f = runner.operand_floors(0, 0);
  EXPECT_EQ(f.a, -6 + fc1->quant->input.scale_exp[0]);
  ASSERT_EQ(f.w.size(), static_cast<std::size_t>(fc1->out_channels));
  for (std::int64_t co = 0; co < fc1->out_channels; ++co)
    EXPECT_EQ(f.w[co], -6 + fc1->quant->weight.scale_exp[co]) << co;

  // Inputs scaled down by 2^-7 quantize mostly to subnormal e4m3 codes (the scale stays).
  const Capture& cap = t.captures.at(fc1->name);
  Tensor x{cap.input_shape, cap.input};
  for (double& v : x.data) v = std::ldexp(v, -7);
  LayerEvents ev;
  const Tensor y = runner.run_layer(0, x, &ev);
  const Tensor xq = runner.quantize_input(0, x, nullptr);
  const std::vector<double> a = lower_input(*fc1, xq, 0);
  const std::int64_t m = x.batch(), k = fc1->gemm_k(), n = fc1->gemm_n();
  std::vector<double> c(m * n);
  num::StageCounts counts;
  num::gemm_reference(a.data(), runner.weight_matrix(0, 0).data(), c.data(), m, k, n, s.config,
                      &counts, f);
  for (std::int64_t i = 0; i < m; ++i)
    for (std::int64_t j = 0; j < n; ++j)
      ASSERT_EQ(y.data[i * n + j], c[i * n + j] + fc1->bias[j]) << i << "," << j;
  EXPECT_EQ(ev.gemm, counts);
  // The floors matter for this data: without them some outputs differ.
  std::vector<double> unfloored(m * n);
  num::gemm_reference(a.data(), runner.weight_matrix(0, 0).data(), unfloored.data(), m, k, n,
                      s.config, nullptr);
  EXPECT_NE(unfloored, c);
}

}  // namespace
}  // namespace lbasim::traces
