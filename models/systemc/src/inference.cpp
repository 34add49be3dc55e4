#include "lbasim/systemc/inference.h"

#include <fmt/format.h>

#include "lbasim/numerics/error.h"
#include "lbasim/systemc/run_gemm.h"

namespace lbasim::sysc {

std::vector<LayerRun> simulate_inference(const traces::Trace& trace,
                                         const traces::GraphRunner& runner,
                                         const ArrayConfig& array, const num::AccumConfig& cfg) {
  std::vector<LayerRun> layers;
  const auto& ops = runner.gemm_layers();
  for (std::size_t l = 0; l < ops.size(); ++l) {
    const traces::Op& op = *ops[l];
    const auto cap = trace.captures.find(op.name);
    if (cap == trace.captures.end())
      throw InputError(fmt::format("{}: layer '{}' has no captured input (activations)",
                                   (trace.dir / "manifest.json").string(), op.name));
    traces::Tensor x;
    x.shape = cap->second.input_shape;
    x.shape[0] = 1;
    x.data.assign(cap->second.input.begin(), cap->second.input.begin() + x.per_sample());
    runner.for_each_gemm(l, runner.quantize_input(l, x, nullptr), [&](const traces::LayerGemm& g) {
      std::vector<double> c(static_cast<std::size_t>(g.m * g.n));
      const GemmProblem p{g.a->data(), g.w->data(), c.data(), g.m, g.k, g.n};
      layers.push_back({op.groups == 1 ? op.name : fmt::format("{}/g{}", op.name, g.group),
                        run_gemm(p, array, cfg)});
    });
  }
  return layers;
}

}  // namespace lbasim::sysc
