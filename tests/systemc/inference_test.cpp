// One inference of a shipped trace on the array (sysc::simulate_inference, the library behind
// `lbasim sweep` and `lbasim run --array`): every layer's GEMM on the array has the shape and
// the events of the trace executor's golden GEMM of the same layer on the same input.
#include "lbasim/systemc/inference.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "lbasim/numerics/format.h"
#include "lbasim/traces/executor.h"
#include "lbasim/traces/lowering.h"

namespace lbasim::sysc {
namespace {

TEST(Inference, LayersMatchTheExecutorsGoldenGemms) {
  const traces::Trace trace = traces::read_trace(std::string(LBASIM_TRACES) + "/mlp-fmnist");
  traces::GemmSettings settings;
  settings.config.product = num::parse_format("M7E4b12");
  settings.config.accumulator = settings.config.chunk_accumulator = num::parse_format("M7E4b10");
  settings.config.chunk = 16;
  settings.engine = traces::GemmEngine::golden;
  const traces::GraphRunner runner(trace, settings);
  for (Buffering b : {Buffering::single, Buffering::double_}) {
    ArrayConfig ac{8, 4, DataflowKind::ws, PeKind::fmaq, b};
    const std::vector<LayerRun> layers = simulate_inference(trace, runner, ac, settings.config);
    ASSERT_EQ(layers.size(), runner.gemm_layers().size());
    std::uint64_t cycles = 0;
    for (std::size_t l = 0; l < layers.size(); ++l) {
      const traces::Op& op = *runner.gemm_layers()[l];
      const traces::Capture& cap = trace.captures.at(op.name);
      traces::Tensor x;
      x.shape = cap.input_shape;
      x.shape[0] = 1;
      x.data.assign(cap.input.begin(), cap.input.begin() + x.per_sample());
      traces::LayerEvents want;
      runner.run_layer(l, x, &want);
      const ArrayStats& st = layers[l].stats;
      EXPECT_EQ(layers[l].name, op.name);
      EXPECT_EQ(st.m, traces::gemm_m(op, 1));
      EXPECT_EQ(st.k, op.gemm_k());
      EXPECT_EQ(st.n, op.gemm_n());
      EXPECT_EQ(num::to_json(st.events).dump(), num::to_json(want.gemm).dump()) << op.name;
      EXPECT_GT(st.events.accumulator.inexact, 0u) << op.name;  // the comparison has teeth
      cycles += st.total_cycles;
    }
    const ArrayStats total = inference_total(layers);
    EXPECT_EQ(total.total_cycles, cycles);
    const nlohmann::json j = to_json(layers.front(), 200.0);
    EXPECT_DOUBLE_EQ(j.at("latency_us").get<double>(), layers.front().stats.total_cycles / 200.0);
    EXPECT_EQ(j.at("cycles"), to_json(layers.front().stats, false).at("cycles"));
  }
}

}  // namespace
}  // namespace lbasim::sysc
