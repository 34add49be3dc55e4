// The one place where a trace's conv/linear GEMMs are computed, and how: the configured
// accumulation through the numerics library, or the float64 reference (the FP32 network).
#pragma once

#include <cstdint>

#include "lbasim/numerics/accumulate.h"
#include "lbasim/numerics/events.h"

namespace lbasim::traces {

enum class GemmEngine : std::uint8_t {
  golden,  // num::gemm_reference: the golden model, every product and sum rounded by Q_f
  fast,    // num::gemm: the vectorized engine, bit-exact with golden (falls back to it)
};

struct GemmSettings {
  // True: plain float64 dot products and no W/A quantization; the baseline a configuration is
  // compared against ("FP32 reference": the trained FP32 weights, computed without rounding
  // to any accumulator format).
  bool reference = false;
  num::AccumConfig config;
  bool wa_quant = true;  // quantize weights and activations per the manifest
  GemmEngine engine = GemmEngine::fast;
};

// C[M x N] = A[M x K] W[K x N], row-major; events of the configured run added to *counts.
// `floors`: the W/A formats' exponent floors (the fused order aligns by them).
// Single-threaded: callers parallelize over images.
void run_gemm(const double* a, const double* w, double* c, std::int64_t m, std::int64_t k,
              std::int64_t n, const GemmSettings& s, num::StageCounts* counts,
              const num::OperandFloors& floors = {});

}  // namespace lbasim::traces
