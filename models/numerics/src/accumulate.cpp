// Chunked dot product and reference GEMM, in exactly the contract's order: the FMAq chain
// (section 3) or the fused groups (section 7) inside each chunk.
#include "lbasim/numerics/accumulate.h"

#include <algorithm>

#include "lbasim/numerics/quantize.h"

namespace lbasim::num {
namespace {

// s_c of one chunk [begin, end) by FMAq steps.
double chain_chunk(const double* a, std::ptrdiff_t a_stride, const double* w,
                   std::ptrdiff_t w_stride, std::int64_t begin, std::int64_t end,
                   const AccumConfig& cfg, StageCounts* counts) {
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
  return s;
}

// s_c of one chunk [begin, end) by fused steps over consecutive groups of g (the last short).
double fused_chunk(const double* a, std::ptrdiff_t a_stride, const double* w,
                   std::ptrdiff_t w_stride, std::int64_t begin, std::int64_t end,
                   const AccumConfig& cfg, StageCounts* counts, int floor_a, int floor_w) {
  const FusedOrder& order = *cfg.fused;
  double s = 0.0;
  for (std::int64_t g = begin; g < end; g += order.terms) {
    const int count = static_cast<int>(std::min<std::int64_t>(order.terms, end - g));
    const FusedStep step = fused_step(s, a + g * a_stride, a_stride, w + g * w_stride, w_stride,
                                      count, order, cfg.product, cfg.accumulator, floor_a, floor_w);
    s = step.sum;
    if (counts) {
      counts->product.ops += static_cast<std::uint64_t>(count);  // exact: no events
      add_step(counts->accumulator, step);
    }
  }
  return s;
}

}  // namespace

double dot_chunked(const double* a, std::ptrdiff_t a_stride, const double* w,
                   std::ptrdiff_t w_stride, std::int64_t k, const AccumConfig& cfg,
                   StageCounts* counts, int floor_a, int floor_w) {
  const std::int64_t n = (cfg.chunk <= 0 || cfg.chunk >= k) ? k : cfg.chunk;
  double out = 0.0;
  for (std::int64_t begin = 0; begin < k; begin += n) {
    const std::int64_t end = std::min(k, begin + n);
    const double s =
        cfg.fused ? fused_chunk(a, a_stride, w, w_stride, begin, end, cfg, counts, floor_a, floor_w)
                  : chain_chunk(a, a_stride, w, w_stride, begin, end, cfg, counts);
    const Quantized c = add_q(out, s, cfg.chunk_accumulator);
    out = c.value;
    if (counts) counts->chunk.add(c.events);
  }
  return out;
}

void gemm_reference(const double* a, const double* w, double* c, std::int64_t m, std::int64_t k,
                    std::int64_t n, const AccumConfig& cfg, StageCounts* counts,
                    const OperandFloors& floors) {
  if (k == 0) {  // empty sums: +0, no quantization (and no pointer arithmetic on empty operands)
    std::fill(c, c + m * n, 0.0);
    return;
  }
  for (std::int64_t i = 0; i < m; ++i)
    for (std::int64_t j = 0; j < n; ++j)
      c[i * n + j] = dot_chunked(a + i * k, 1, w + j, n, k, cfg, counts, floors.a, floors.w_col(j));
}

}  // namespace lbasim::num
