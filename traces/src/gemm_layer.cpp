#include "lbasim/traces/gemm_layer.h"

#include "lbasim/numerics/engine.h"

namespace lbasim::traces {

namespace {

// The FP32 reference network's GEMM, in double. Each output sums its products in ascending k;
// the loop order (vectorized over j) only helps the cache. Compiled per instruction set and
// chosen at load time; no FMA contraction (traces/CMakeLists.txt), so every clone gives the
// same bits.
__attribute__((target_clones("avx512f", "avx2", "default"))) void reference_gemm(
    const double* a, const double* w, double* c, std::int64_t m, std::int64_t k, std::int64_t n) {
  for (std::int64_t i = 0; i < m; ++i) {
    double* row = c + i * n;
    for (std::int64_t j = 0; j < n; ++j) row[j] = 0;
    for (std::int64_t kk = 0; kk < k; ++kk) {
      const double av = a[i * k + kk];
      const double* wr = w + kk * n;
      for (std::int64_t j = 0; j < n; ++j) row[j] += av * wr[j];
    }
  }
}

}  // namespace

void run_gemm(const double* a, const double* w, double* c, std::int64_t m, std::int64_t k,
              std::int64_t n, const GemmSettings& s, num::StageCounts* counts) {
  if (s.reference) {
    reference_gemm(a, w, c, m, k, n);
    return;
  }
  if (s.engine == GemmEngine::golden) {
    num::gemm_reference(a, w, c, m, k, n, s.config, counts);
    return;
  }
  num::EngineOptions opt;
  opt.threads = 1;
  num::gemm(a, w, c, m, k, n, s.config, counts, opt);
}

}  // namespace lbasim::traces
