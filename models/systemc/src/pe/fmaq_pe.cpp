#include "fmaq_pe.h"

namespace lbasim::sysc::detail {

void FmaqPe::bind(const GemmProblem& p) {
  p_ = p;
  // The contract's chunk length for a K-long dot product: 0 (one chunk) when n >= K.
  chunk_ = (cfg_.chunk <= 0 || cfg_.chunk >= p.k) ? 0 : cfg_.chunk;
  table_.build(p, cfg_.product);
}

}  // namespace lbasim::sysc::detail
