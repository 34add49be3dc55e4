// The output-stationary controller (docs/systolic.md): M tiles outer, N tiles inner; per tile
// K + mt + nt - 2 stream cycles (activation column k and weight row k in cycle k, tagged),
// then mt drain cycles, one row of results per cycle; the last one clears the operands in
// flight.
#include <algorithm>

#include "array_driver.h"

namespace lbasim::rtl {
namespace {

class OsArrayDriver final : public ArrayDriver {
 public:
  OsArrayDriver(ArrayDut& dut, const GemmJob& job);
  RtlCycle step() override;

 private:
  void begin_tile();

  std::int64_t m0_ = 0, n0_ = 0;
  int mt_ = 0, nt_ = 0;
  std::int64_t stream_len_ = 0;
  bool draining_ = false;
  std::int64_t t_ = 0;
};

OsArrayDriver::OsArrayDriver(ArrayDut& dut, const GemmJob& job) : ArrayDriver(dut, job) {
  begin_tile();
}

void OsArrayDriver::begin_tile() {
  mt_ = static_cast<int>(std::min<std::int64_t>(rows_, m_ - m0_));
  nt_ = static_cast<int>(std::min<std::int64_t>(cols_, n_ - n0_));
  // The last product, of PE(mt-1, nt-1), happens in stream cycle K-1 + mt-1 + nt-1.
  stream_len_ = k_ + mt_ + nt_ - 2;
  draining_ = false;
  t_ = 0;
}

RtlCycle OsArrayDriver::step() {
  RtlCycle out;
  if (done_) return out;
  ArrayInputs in;
  if (!draining_) {
    in.cfg_en = t_ == 0;
    in.cfg_cols = nt_;
    if (t_ < k_) {  // activation column k = t_ and weight row k, unskewed
      in.act_first = t_ == 0;
      in.act_restart = restarts(t_);
      in.act_valid.assign(rows_, 0);
      in.act_data.assign(rows_, 0);
      for (int r = 0; r < mt_; ++r) {
        in.act_valid[r] = 1;
        in.act_data[r] = a_codes_[(m0_ + r) * k_ + t_];
      }
      in.w_valid.assign(cols_, 0);
      in.w_data.assign(cols_, 0);
      for (int c = 0; c < nt_; ++c) {
        in.w_valid[c] = 1;
        in.w_data[c] = w_codes_[t_ * n_ + n0_ + c];
      }
    }
  } else {
    in.drain_en = true;
    in.drain_row = static_cast<int>(t_);
    in.clear = t_ == mt_ - 1;
  }
  const ArrayOutputs o = dut_.cycle(in);
  out.pe_events = o.pe_events;
  for (int c = 0; c < cols_; ++c)
    if (o.valid[c]) out.words.push_back(decode(o, c, m0_ + (draining_ ? t_ : -1), n0_ + c, true));
  ++cycle_;
  ++t_;
  if (!draining_) {
    if (t_ == stream_len_) {
      draining_ = true;
      t_ = 0;
    }
  } else if (t_ == mt_) {
    if (next_tile(n0_, cols_, n_, m0_, rows_, m_))  // N tiles inner, M tiles outer
      begin_tile();
    else
      done_ = true;
  }
  return out;
}

}  // namespace

std::unique_ptr<ArrayDriver> make_os_array_driver(ArrayDut& dut, const GemmJob& job) {
  return std::make_unique<OsArrayDriver>(dut, job);
}

}  // namespace lbasim::rtl
