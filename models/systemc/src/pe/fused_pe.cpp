#include "fused_pe.h"

#include <algorithm>

namespace lbasim::sysc::detail {

void FusedPe::bind(const GemmProblem& p) {
  p_ = p;
  const std::int64_t g = order_.terms;
  // The contract's chunk length for a K-long dot product: K (one chunk) when n = 0 or n >= K.
  chunk_ = (cfg_.chunk <= 0 || cfg_.chunk >= p.k) ? p.k : cfg_.chunk;
  chunk_steps_ = (chunk_ + g - 1) / g;
  const std::int64_t tail = p.k % chunk_;  // products of a last, shorter chunk
  steps_ = p.k / chunk_ * chunk_steps_ + (tail + g - 1) / g;
}

std::int64_t FusedPe::group_end(std::int64_t s) const {
  const std::int64_t chunk_end = std::min(p_.k, (s / chunk_steps_ + 1) * chunk_);
  return std::min(chunk_end, group_start(s) + order_.terms);
}

}  // namespace lbasim::sysc::detail
