// The tensor-core PE (numerics contract, section 7; docs/systolic.md, "The fused PE"): a
// dot-product unit that takes g activations and g weights per cycle and adds their exact
// products and the psum in one step of num::fused_step (the golden model's; no copy of the
// arithmetic here). A dot product of K is cut into chunks of n products (the promotion
// interval) and each chunk into groups of g, the last group of a chunk short; one group is one
// PE step. The chunk lane is the fmaq PE's.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "chunk_lane.h"
#include "lbasim/numerics/accumulate.h"
#include "lbasim/numerics/fused.h"
#include "processing_element.h"

namespace lbasim::sysc::detail {

class FusedPe {
 public:
  // A g-wide operand register: the group's values, read in place from the on-chip copy of A or
  // W (they do not change during a GEMM), and the exponent floor their format declares.
  struct Operand {
    const double* v = nullptr;
    std::ptrdiff_t stride = 0;
    int count = 0;  // products of the group (1..g); 0: empty register
    int floor = num::kNoFloor;
  };

  // cfg.fused must be set (make_dataflow checks).
  explicit FusedPe(const num::AccumConfig& cfg) : cfg_(cfg), order_(*cfg.fused) {}

  void bind(const GemmProblem& p);
  std::int64_t steps() const { return steps_; }
  bool restarts(std::int64_t s) const { return s > 0 && s % chunk_steps_ == 0; }
  int products(std::int64_t s) const { return static_cast<int>(group_end(s) - group_start(s)); }
  Operand activation(std::int64_t m, std::int64_t s) const {
    const std::int64_t k = group_start(s);
    return {p_.a + m * p_.k + k, 1, static_cast<int>(group_end(s) - k), p_.floors.a};
  }
  Operand weight(std::int64_t s, std::int64_t n) const {
    const std::int64_t k = group_start(s);
    return {p_.w + k * p_.n + n, static_cast<std::ptrdiff_t>(p_.n),
            static_cast<int>(group_end(s) - k), p_.floors.w_col(n)};
  }
  static int zero_operands(const Operand& a, const Operand& w) {
    int zeros = 0;
    for (int i = 0; i < a.count; ++i) zeros += a.v[i * a.stride] == 0.0 || w.v[i * w.stride] == 0.0;
    return zeros;
  }
  static int words(const Operand& op) { return op.count; }

  Lanes step(Lanes in, bool restart, const Operand& a, const Operand& w, PeStepEvents& ev) const {
    ev.done = PeStepEvents::kMac;
    if (restart) in = restart_chunk(in, golden_chunk_add(cfg_.chunk_accumulator), ev);
    const num::FusedStep f = num::fused_step(in.psum, a.v, a.stride, w.v, w.stride, a.count, order_,
                                             cfg_.product, cfg_.accumulator, a.floor, w.floor);
    ev.accumulator = f.events;
    ev.align_inexact = static_cast<std::uint16_t>(f.align_inexact);
    ev.cut = static_cast<std::uint16_t>(f.cut);
    return {f.sum, in.chunk};
  }

  double result(Lanes in, std::uint8_t& events) const {
    return chunk_result(in, golden_chunk_add(cfg_.chunk_accumulator), events);
  }

  // The fused step has no fast version yet: the golden fused_step runs whatever --arith says.
  const std::string& arith() const {
    static const std::string name = "golden (the fused PE has no fast step)";
    return name;
  }

 private:
  // Products [group_start(s), group_end(s)) of step s: chunk s / chunk_steps_, group
  // s % chunk_steps_ of it.
  std::int64_t group_start(std::int64_t s) const {
    return s / chunk_steps_ * chunk_ + s % chunk_steps_ * order_.terms;
  }
  std::int64_t group_end(std::int64_t s) const;

  num::AccumConfig cfg_;
  num::FusedOrder order_;
  GemmProblem p_;
  std::int64_t chunk_ = 1;        // products per chunk (K: one chunk)
  std::int64_t chunk_steps_ = 1;  // steps per full chunk: ceil(chunk_ / g)
  std::int64_t steps_ = 0;
};

static_assert(ProcessingElement<FusedPe>);

}  // namespace lbasim::sysc::detail
