// The fast engine's exact-and-round arithmetic one step at a time, for models that step
// quantized FMAs one by one (the SystemC array's PEs): the same code as the engine's kernels
// (src/engine/lane_arith.inc), so bit-exact with mul_q and add_q, events included, on the
// formats and operands FastFmaq::plan accepts (the engine's conditions, docs/engine.md).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "lbasim/numerics/accumulate.h"
#include "lbasim/numerics/engine.h"
#include "lbasim/numerics/events.h"
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

  // One cycle of rows of PEs, 8 lanes at a time on the engine's vector arithmetic (the array
  // model): for each row and each lane i < n with op[i] & kMac, in place,
  //   if op[i] & kRestart: chunk[i] = Q_cacc(chunk[i] + psum[i]), psum[i] = +0;
  //   psum[i] = Q_acc(Q_prod(a[i] w[i]) + psum[i])
  // (the same steps as product, accumulate and chunk_accumulate). Lanes with op 0 are left
  // as they are (eight of them in a block cost one test). Every stage's events but `ops` go to
  // `tally` (ops: one product and one accumulator op per kMac lane, one chunk op per kRestart
  // lane); with prod_events set, each stepping lane's event bits too (chunk: 0 without a restart;
  // idle lanes' bytes are left as they are); with macs set, per-lane counts of steps, chunk adds
  // and steps with a zero operand (a or w is 0).
  static constexpr std::uint8_t kMac = 1, kRestart = 2;  // kRestart only with kMac
  struct Row {
    int n = 0;
    const std::uint8_t* op = nullptr;
    const double* a = nullptr;
    const double* w = nullptr;
    double* psum = nullptr;
    double* chunk = nullptr;
    std::uint8_t* prod_events = nullptr;  // optional, with the next two
    std::uint8_t* acc_events = nullptr;
    std::uint8_t* chunk_events = nullptr;
    std::uint64_t* macs = nullptr;  // optional, with the next two: incremented per lane
    std::uint64_t* chunk_adds = nullptr;
    std::uint64_t* zero_operand = nullptr;
  };
  // Event counts of row steps per lane position (a step adds vectors); counts() with the ops
  // given.
  struct Tally {
    alignas(64) std::int64_t v[3][4][8] = {};  // stage x (overflow, underflow, swamped, inexact)
    StageCounts counts(std::uint64_t macs, std::uint64_t chunk_adds) const;
  };
  void step_rows(const Row* rows, int count, Tally& tally) const;
  // The row step's instruction set: best_isa() from plan(); tests force each (automatic: best).
  void set_row_isa(Isa isa) { row_isa_ = isa == Isa::automatic ? best_isa() : isa; }
  Isa row_isa() const { return row_isa_; }

 private:
  FastFmaq() = default;
  engine::FastFormat prod_{}, acc_{}, cacc_{};
  bool prod_exact_ = false, prod_odd_ = false, sum_odd_ = false;
  Isa row_isa_ = Isa::portable;
};

}  // namespace lbasim::num
