#include "sweep_arrays.h"

#include "lbasim/traces/executor.h"

namespace lbasim::sweep {

std::map<ArrayKey, std::vector<sysc::LayerRun>> run_arrays(
    const traces::Trace& trace, const std::vector<ArrayKey>& keys,
    const std::function<num::AccumConfig(std::int64_t chunk, const std::string& pe)>& config,
    const std::function<void(std::size_t)>& progress) {
  std::map<ArrayKey, std::vector<sysc::LayerRun>> arrays;
  if (keys.empty()) return arrays;
  // The runner lowers the layers and W/A-quantizes their operands; neither depends on the chunk.
  traces::GemmSettings settings;
  settings.config = config(0, std::get<3>(keys.front()));
  const traces::GraphRunner runner(trace, settings);
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const auto& [shape, df, chunk, pe] = keys[i];
    sysc::ArrayConfig array = sysc::parse_array_shape(shape, "arrays");
    array.dataflow = sysc::parse_dataflow(df, "dataflows");
    const num::AccumConfig cfg = config(chunk, pe);
    array.pe = cfg.fused ? sysc::PeKind::fused : sysc::PeKind::fmaq;
    if (progress) progress(i);
    arrays[keys[i]] = sysc::simulate_inference(trace, runner, array, cfg);
  }
  return arrays;
}

}  // namespace lbasim::sweep
