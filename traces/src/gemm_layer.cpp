#include "lbasim/traces/gemm_layer.h"

#include <cstring>

#include "lbasim/numerics/engine.h"

namespace lbasim::traces {

namespace {

// The FP32 reference network's GEMM, in double. Each output sums its products in ascending k
// from 0, one multiply and one add each (no FMA contraction: traces/CMakeLists.txt), so every
// blocking and every instruction set gives the same bits. 4 rows x 8 columns of C stay in
// registers across k; compiled per instruction set and chosen at load time.
using v8d = double __attribute__((vector_size(64)));

__attribute__((target_clones("avx512f", "avx2", "default"))) void reference_gemm(
    const double* a, const double* w, double* c, std::int64_t m, std::int64_t k, std::int64_t n) {
  constexpr std::int64_t kR = 4, kL = 8;
  const std::int64_t mb = m / kR * kR, nb = n / kL * kL;
  for (std::int64_t i = 0; i < mb; i += kR)
    for (std::int64_t j = 0; j < nb; j += kL) {
      v8d acc[kR] = {};
      for (std::int64_t kk = 0; kk < k; ++kk) {
        v8d wv;
        std::memcpy(&wv, w + kk * n + j, sizeof wv);
        for (std::int64_t r = 0; r < kR; ++r) acc[r] += wv * a[(i + r) * k + kk];
      }
      for (std::int64_t r = 0; r < kR; ++r) std::memcpy(c + (i + r) * n + j, &acc[r], sizeof(v8d));
    }
  // Ragged edges: the same sums, one output at a time.
  const auto one = [&](std::int64_t i, std::int64_t j) {
    double s = 0;
    for (std::int64_t kk = 0; kk < k; ++kk) s += a[i * k + kk] * w[kk * n + j];
    c[i * n + j] = s;
  };
  for (std::int64_t i = 0; i < mb; ++i)
    for (std::int64_t j = nb; j < n; ++j) one(i, j);
  for (std::int64_t i = mb; i < m; ++i)
    for (std::int64_t j = 0; j < n; ++j) one(i, j);
}

}  // namespace

void run_gemm(const double* a, const double* w, double* c, std::int64_t m, std::int64_t k,
              std::int64_t n, const GemmSettings& s, num::StageCounts* counts,
              const num::OperandFloors& floors) {
  if (s.reference) {
    reference_gemm(a, w, c, m, k, n);
    return;
  }
  if (s.engine == GemmEngine::golden) {
    num::gemm_reference(a, w, c, m, k, n, s.config, counts, floors);
    return;
  }
  num::EngineOptions opt;
  opt.threads = 1;
  num::gemm(a, w, c, m, k, n, s.config, counts, opt, floors);
}

}  // namespace lbasim::traces
