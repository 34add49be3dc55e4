// Chunked dot product and reference GEMM, in exactly the contract's order.
#include "lbasim/numerics/accumulate.h"

#include <algorithm>

#include "lbasim/numerics/quantize.h"

namespace lbasim::num {

double dot_chunked(const double* a, std::ptrdiff_t a_stride, const double* w,
                   std::ptrdiff_t w_stride, std::int64_t k, const AccumConfig& cfg,
                   StageCounts* counts) {
  const std::int64_t n = (cfg.chunk <= 0 || cfg.chunk >= k) ? k : cfg.chunk;
  double out = 0.0;
  for (std::int64_t begin = 0; begin < k; begin += n) {
    const std::int64_t end = std::min(k, begin + n);
    double s = 0.0;
    for (std::int64_t i = begin; i < end; ++i) {
      const Quantized p = mul_q(a[i * a_stride], w[i * w_stride], cfg.product);
      const Quantized r = add_q(s, p.value, cfg.accumulator);
      s = r.value;
      if (counts) {
        counts->product.add(p.events);
        counts->accumulator.add(r.events);
      }
    }
    const Quantized c = add_q(out, s, cfg.chunk_accumulator);
    out = c.value;
    if (counts) counts->chunk.add(c.events);
  }
  return out;
}

void gemm_reference(const double* a, const double* w, double* c, std::int64_t m, std::int64_t k,
                    std::int64_t n, const AccumConfig& cfg, StageCounts* counts) {
  if (k == 0) {  // empty sums: +0, no quantization (and no pointer arithmetic on empty operands)
    std::fill(c, c + m * n, 0.0);
    return;
  }
  for (std::int64_t i = 0; i < m; ++i)
    for (std::int64_t j = 0; j < n; ++j)
      c[i * n + j] = dot_chunked(a + i * k, 1, w + j, n, k, cfg, counts);
}

}  // namespace lbasim::num
