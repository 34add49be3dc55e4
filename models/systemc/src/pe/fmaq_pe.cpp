#include "fmaq_pe.h"

namespace lbasim::sysc::detail {

void FmaqPe::bind(const GemmProblem& p) {
  p_ = p;
  // The contract's chunk length for a K-long dot product: 0 (one chunk) when n >= K.
  chunk_ = (cfg_.chunk <= 0 || cfg_.chunk >= p.k) ? 0 : cfg_.chunk;
  table_.build(p, cfg_.product);
  fast_.reset();
  arith_name_ = "golden";
  if (arith_ == PeArith::fast) {
    std::string reason;
    fast_ = num::FastFmaq::plan(cfg_, p.a, p.m * p.k, p.w, p.k * p.n, &reason);
    arith_name_ = fast_ ? "fast" : "golden (fast refused: " + reason + ")";
  }
}

}  // namespace lbasim::sysc::detail
