// The weight-stationary controller (docs/systolic.md): N tiles outer, K tiles inner; per tile
// the config and one weight row per cycle, then activation rows with the column-top pairs
// (+0 for the first K tile, else the pairs the previous K tile parked).
#include <algorithm>

#include "array_driver.h"

namespace lbasim::rtl {
namespace {

class WsArrayDriver final : public ArrayDriver {
 public:
  WsArrayDriver(ArrayDut& dut, const GemmJob& job);
  RtlCycle step() override;

 private:
  void begin_tile();

  std::vector<std::uint64_t> part_ps_, part_co_;  // parked pairs, m x cols codes
  std::vector<std::int64_t> col_words_;           // words received per column in this tile
  std::int64_t words_left_ = 0;
  std::int64_t k0_ = 0, n0_ = 0;
  int kt_ = 0, nt_ = 0;
  bool loading_ = false;
  std::int64_t t_ = 0;
};

WsArrayDriver::WsArrayDriver(ArrayDut& dut, const GemmJob& job) : ArrayDriver(dut, job) {
  part_ps_.assign(m_ * cols_, 0);
  part_co_.assign(m_ * cols_, 0);
  col_words_.assign(cols_, 0);
  begin_tile();
}

void WsArrayDriver::begin_tile() {
  kt_ = static_cast<int>(std::min<std::int64_t>(rows_, k_ - k0_));
  nt_ = static_cast<int>(std::min<std::int64_t>(cols_, n_ - n0_));
  std::fill(col_words_.begin(), col_words_.end(), 0);
  words_left_ = m_ * nt_;
  loading_ = true;
  t_ = 0;
}

RtlCycle WsArrayDriver::step() {
  RtlCycle out;
  if (done_) return out;
  ArrayInputs in;
  if (loading_) {
    in.cfg_en = t_ == 0;
    in.cfg_rows = kt_;
    in.cfg_cols = nt_;
    for (int r = 0; r < kt_; ++r)
      if (restarts(k0_ + r)) in.cfg_restart |= 1ull << r;
    in.w_load = true;
    in.w_row = static_cast<int>(t_);
    in.w_data.assign(cols_, 0);
    for (int c = 0; c < nt_; ++c) in.w_data[c] = w_codes_[(k0_ + t_) * n_ + n0_ + c];
  } else if (t_ < m_) {  // activation row m = t_ and its column-top pairs, unskewed
    in.act_valid.assign(rows_, 0);
    in.act_data.assign(rows_, 0);
    for (int r = 0; r < kt_; ++r) {
      in.act_valid[r] = 1;
      in.act_data[r] = a_codes_[t_ * k_ + k0_ + r];
    }
    in.top_valid.assign(cols_, 0);
    in.top_psum.assign(cols_, 0);
    in.top_chunk.assign(cols_, 0);
    for (int c = 0; c < nt_; ++c) {
      in.top_valid[c] = 1;
      if (k0_ > 0) {
        in.top_psum[c] = part_ps_[t_ * cols_ + c];
        in.top_chunk[c] = part_co_[t_ * cols_ + c];
      }
    }
  }
  const ArrayOutputs o = dut_.cycle(in);
  out.pe_events = o.pe_events;
  const bool last_k = k0_ + kt_ >= k_;
  for (int c = 0; c < cols_; ++c) {
    if (!o.valid[c]) continue;
    const std::int64_t m = col_words_[c]++;
    RtlWord w = decode(o, c, m, n0_ + c, last_k);
    if (!last_k && m < m_) {
      part_ps_[m * cols_ + c] = o.psum[c];
      part_co_[m * cols_ + c] = o.chunk[c];
    }
    --words_left_;
    out.words.push_back(w);
  }
  ++cycle_;
  ++t_;
  if (loading_) {
    if (t_ == kt_) {
      loading_ = false;
      t_ = 0;
    }
  } else if (words_left_ <= 0) {
    if (next_tile(k0_, rows_, k_, n0_, cols_, n_))  // K tiles inner, N tiles outer
      begin_tile();
    else
      done_ = true;
  }
  return out;
}

}  // namespace

std::unique_ptr<ArrayDriver> make_ws_array_driver(ArrayDut& dut, const GemmJob& job) {
  return std::make_unique<WsArrayDriver>(dut, job);
}

}  // namespace lbasim::rtl
