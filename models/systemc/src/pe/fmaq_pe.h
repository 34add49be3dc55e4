// The paper's PE (docs/systolic.md, "The PE and the chunk lane"): one quantized FMA per cycle,
// fmaq = Q_acc(Q_prod(a w) + psum), and a chunk adder Q_cacc(psum + chunk) used where a chunk
// starts. The arithmetic of the array lives here and only here, in fmaq's order: the engine's
// exact-and-round steps (num::FastFmaq) where they are exact for the GEMM (PeArith::fast), else
// num::mul_q (through the product table) and num::add_q, the golden model.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "chunk_lane.h"
#include "lbasim/numerics/accumulate.h"
#include "lbasim/numerics/fast_fmaq.h"
#include "lbasim/numerics/quantize.h"
#include "processing_element.h"
#include "product_table.h"

namespace lbasim::sysc::detail {

class FmaqPe {
 public:
  // A value and its index in the product table.
  struct Operand {
    double value = 0.0;
    std::int32_t index = 0;
  };

  FmaqPe(const num::AccumConfig& cfg, PeArith arith) : cfg_(cfg), arith_(arith) {}

  void bind(const GemmProblem& p);
  std::int64_t steps() const { return p_.k; }
  bool restarts(std::int64_t k) const { return chunk_ > 0 && k > 0 && k % chunk_ == 0; }
  static int products(std::int64_t) { return 1; }
  Operand activation(std::int64_t m, std::int64_t k) const {
    const std::int64_t j = m * p_.k + k;
    return {p_.a[j], table_.a_index(j)};
  }
  Operand weight(std::int64_t k, std::int64_t n) const {
    const std::int64_t j = k * p_.n + n;
    return {p_.w[j], table_.w_index(j)};
  }
  static int zero_operands(const Operand& a, const Operand& w) {
    return a.value == 0.0 || w.value == 0.0;
  }
  static int words(const Operand&) { return 1; }

  Lanes step(Lanes in, bool restart, const Operand& a, const Operand& w, PeStepEvents& ev) const {
    ev.done = PeStepEvents::kMac;
    if (restart)
      in = restart_chunk(
          in, [this](double c, double p) { return chunk_add(c, p); }, ev);
    // FMAq: the product (table of mul_q, or computed), then one rounded add (contract section 2).
    const num::Quantized prod = table_.enabled()
                                    ? table_.product(a.value, a.index, w.value, w.index)
                                    : (fast_ ? fast_->product(a.value, w.value)
                                             : num::mul_q(a.value, w.value, cfg_.product));
    const num::Quantized sum = fast_ ? fast_->accumulate(in.psum, prod.value)
                                     : num::add_q(in.psum, prod.value, cfg_.accumulator);
    ev.product = prod.events;
    ev.accumulator = sum.events;
    return {sum.value, in.chunk};
  }

  double result(Lanes in, std::uint8_t& events) const {
    return chunk_result(
        in, [this](double c, double p) { return chunk_add(c, p); }, events);
  }

  // What bind() chose: "fast", "golden", or "golden (fast refused: <reason>)".
  const std::string& arith() const { return arith_name_; }

  // The fast arithmetic bind() chose, or nullptr (golden): with it the dataflows step whole
  // rows of PEs at once (FastFmaq::step_row, ArrayCore::mac_row), the same steps as step().
  const num::FastFmaq* fast() const { return fast_ ? &*fast_ : nullptr; }
  static double value(const Operand& op) { return op.value; }

 private:
  // Q_cacc(chunk + psum) in the chosen arithmetic.
  num::Quantized chunk_add(double chunk, double psum) const {
    return fast_ ? fast_->chunk_accumulate(chunk, psum)
                 : num::add_q(chunk, psum, cfg_.chunk_accumulator);
  }

  num::AccumConfig cfg_;
  PeArith arith_;
  std::optional<num::FastFmaq> fast_;  // the fast arithmetic, when chosen and exact
  std::string arith_name_;
  GemmProblem p_;
  std::int64_t chunk_ = 0;  // 0: one chunk
  ProductTable table_;
};

static_assert(ProcessingElement<FmaqPe>);

}  // namespace lbasim::sysc::detail
