// The fast engine's exact-and-round arithmetic one step at a time, for models that step
// quantized FMAs one by one (the SystemC array's PEs): the same code as the engine's kernels
// (src/engine/lane_arith.inc), so bit-exact with mul_q and add_q, events included, on the
// formats and operands FastFmaq::plan accepts (the engine's conditions, docs/engine.md).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "lbasim/numerics/accumulate.h"
#include "lbasim/numerics/fast_format.h"
#include "lbasim/numerics/quantize.h"

namespace lbasim::num {

class FastFmaq {
 public:
  // The fast arithmetic for cfg's stages on products of A's and W's values (na and nw of them:
  // a GEMM's operands, or any superset of the values it multiplies). nullopt, with the reason in
  // *reason when given, where it would not be exact: the caller uses mul_q and add_q.
  static std::optional<FastFmaq> plan(const AccumConfig& cfg, const double* a, std::int64_t na,
                                      const double* w, std::int64_t nw,
                                      std::string* reason = nullptr);

  // Q_prod(a w), as mul_q(a, w, cfg.product).
  Quantized product(double a, double w) const;
  // Q_acc(acc + y), as add_q(acc, y, cfg.accumulator).
  Quantized accumulate(double acc, double y) const;
  // Q_cacc(acc + y), as add_q(acc, y, cfg.chunk_accumulator).
  Quantized chunk_accumulate(double acc, double y) const;

 private:
  FastFmaq() = default;
  engine::FastFormat prod_{}, acc_{}, cacc_{};
  bool prod_exact_ = false, prod_odd_ = false, sum_odd_ = false;
};

}  // namespace lbasim::num
