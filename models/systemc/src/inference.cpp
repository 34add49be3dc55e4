#include "lbasim/systemc/inference.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "lbasim/base/error.h"
#include "lbasim/systemc/run_gemm.h"

namespace lbasim::sysc {

std::vector<LayerRun> simulate_inference(const traces::Trace& trace,
                                         const traces::GraphRunner& runner,
                                         const ArrayConfig& array, const num::AccumConfig& cfg,
                                         const std::vector<GemmDram>& dram) {
  std::vector<LayerRun> layers;
  const auto& ops = runner.gemm_layers();
  for (std::size_t l = 0; l < ops.size(); ++l) {
    const traces::Op& op = *ops[l];
    const auto cap = trace.captures.find(op.name);
    if (cap == trace.captures.end())
      throw InputError(fmt::format("{}: layer '{}' has no captured input (activations)",
                                   (trace.dir / "manifest.json").string(), op.name));
    // Sample 0 of the captures: one image, through the executor's own lowering.
    const auto first = [](const std::vector<std::int64_t>& shape, const std::vector<double>& v) {
      traces::Tensor t{shape, {}};
      t.shape[0] = 1;
      t.data.assign(v.begin(), v.begin() + t.per_sample());
      return t;
    };
    const traces::Tensor x = first(cap->second.input_shape, cap->second.input);
    std::vector<const traces::Tensor*> in{&x};
    traces::Tensor b;
    if (op.kind == traces::OpKind::matmul) {  // attention: B is an activation too
      b = first(cap->second.input_b_shape, cap->second.input_b);
      in.push_back(&b);
    }
    runner.for_each_gemm(l, in, nullptr, [&](const traces::LayerGemm& g) {
      std::vector<double> c(static_cast<std::size_t>(g.m * g.n));
      const GemmProblem p{g.a,
                          g.w,
                          c.data(),
                          g.m,
                          g.k,
                          g.n,
                          l < dram.size() ? dram[l] : GemmDram{},
                          runner.operand_floors(l, g.group)};  // the fused PE aligns by them
      std::string name = op.name;
      if (op.groups > 1) name += fmt::format("/g{}", g.group);
      if (op.gemm_count() > 1) name += fmt::format("/{}", g.index);
      layers.push_back({std::move(name), run_gemm(p, array, cfg)});
    });
  }
  return layers;
}

nlohmann::json to_json(const LayerRun& layer, double clock_mhz) {
  const nlohmann::json all = to_json(layer.stats, false);
  nlohmann::json j = {{"name", layer.name}};
  for (const char* key : {"gemm", "tiles", "cycles", "macs", "utilization", "dram"})
    j[key] = all.at(key);
  j["latency_us"] = static_cast<double>(layer.stats.total_cycles) / clock_mhz;
  j["arith"] = layer.stats.arith;  // what the PEs ran (docs/systolic.md, "PE arithmetic")
  return j;
}

ArrayStats inference_total(const std::vector<LayerRun>& layers) {
  ArrayStats t;
  if (!layers.empty()) t.array = layers.front().stats.array;
  for (const LayerRun& l : layers) {
    const ArrayStats& s = l.stats;
    if (&l == &layers.front())
      t.arith = s.arith;
    else if (s.arith != t.arith)
      t.arith = "mixed (see the layers)";
    for (std::uint64_t ArrayStats::*f :
         {&ArrayStats::tiles, &ArrayStats::total_cycles, &ArrayStats::compute_cycles,
          &ArrayStats::full_cycles, &ArrayStats::fill_drain_cycles, &ArrayStats::stall_cycles,
          &ArrayStats::memory_stall_cycles, &ArrayStats::macs, &ArrayStats::pe_steps,
          &ArrayStats::chunk_adds})
      t.*f += s.*f;
    t.dram_read_bytes += s.dram_read_bytes;
    t.dram_write_bytes += s.dram_write_bytes;
    t.events += s.events;
  }
  return t;
}

}  // namespace lbasim::sysc
