// Helpers of the trace tests: configs by name, temporary trace copies.
#pragma once

#include <filesystem>
#include <string>

#include "lbasim/numerics/accumulate.h"
#include "lbasim/traces/gemm_layer.h"

namespace lbasim::traces::test {

inline num::AccumConfig config_of(const std::string& product, const std::string& acc,
                                  std::int64_t chunk) {
  num::AccumConfig c;
  c.product = num::parse_format(product);
  c.accumulator = num::parse_format(acc);
  c.chunk_accumulator = c.accumulator;
  c.chunk = chunk;
  return c;
}

// FP32 products and accumulation, no W/A quantization, golden engine.
inline GemmSettings fp32_settings() {
  GemmSettings s;
  s.config = config_of("fp32", "fp32", 0);
  s.wa_quant = false;
  s.engine = GemmEngine::golden;
  return s;
}

}  // namespace lbasim::traces::test
