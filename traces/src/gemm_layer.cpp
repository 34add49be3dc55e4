#include "lbasim/traces/gemm_layer.h"

#include "lbasim/numerics/engine.h"

namespace lbasim::traces {

void run_gemm(const double* a, const double* w, double* c, std::int64_t m, std::int64_t k,
              std::int64_t n, const GemmSettings& s, num::StageCounts* counts) {
  if (s.reference) {
    // Each output still sums its products in ascending k; the loop order only helps the cache.
    for (std::int64_t i = 0; i < m; ++i) {
      double* row = c + i * n;
      for (std::int64_t j = 0; j < n; ++j) row[j] = 0;
      for (std::int64_t kk = 0; kk < k; ++kk) {
        const double av = a[i * k + kk];
        const double* wr = w + kk * n;
        for (std::int64_t j = 0; j < n; ++j) row[j] += av * wr[j];
      }
    }
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
