#include "ws_array_driver.h"

#include <fmt/format.h>

#include <algorithm>

#include "lbasim/numerics/encoding.h"
#include "lbasim/numerics/error.h"

namespace lbasim::rtl {
namespace {

std::vector<std::uint64_t> encode_all(const double* x, std::int64_t count, const num::Format& f,
                                      const char* what) {
  std::vector<std::uint64_t> codes(count);
  for (std::int64_t i = 0; i < count; ++i) {
    try {
      codes[i] = num::encode(x[i], f);
    } catch (const InputError& e) {
      rethrow_with_context(fmt::format("{} element {}", what, i), e);
    }
  }
  return codes;
}

}  // namespace

WsArrayDriver::WsArrayDriver(WsArrayDut& dut, const double* a, const double* w, std::int64_t m,
                             std::int64_t k, std::int64_t n, const num::AccumConfig& cfg,
                             std::optional<WeightFault> fault)
    : dut_(dut), m_(m), k_(k), n_(n), cfg_(cfg) {
  const WsArrayParams& p = dut.params();
  if (cfg.product != p.product || cfg.accumulator != p.accumulator ||
      cfg.chunk_accumulator != p.chunk_accumulator)
    throw InputError(fmt::format(
        "config: formats {}/{}/{} differ from the RTL array's {}/{}/{} (product/accumulator/"
        "chunk accumulator); the Verilated model is built for one set",
        cfg.product.to_string(), cfg.accumulator.to_string(), cfg.chunk_accumulator.to_string(),
        p.product.to_string(), p.accumulator.to_string(), p.chunk_accumulator.to_string()));
  rows_ = p.rows;
  cols_ = p.cols;
  chunk_ = (cfg.chunk <= 0 || cfg.chunk >= k) ? 0 : cfg.chunk;
  a_codes_ = encode_all(a, m * k, p.a, "A");
  w_codes_ = encode_all(w, k * n, p.w, "W");
  if (fault) {
    if (fault->k < 0 || fault->k >= k || fault->n < 0 || fault->n >= n || fault->bit < 0 ||
        fault->bit >= p.w.width())
      throw InputError(
          fmt::format("fault: W[{}][{}] bit {} is outside the {} x {} weights of "
                      "{}-bit codes",
                      fault->k, fault->n, fault->bit, k, n, p.w.width()));
    w_codes_[fault->k * n + fault->n] ^= 1ull << fault->bit;
  }
  part_ps_.assign(m * cols_, 0);
  part_co_.assign(m * cols_, 0);
  c_.assign(m * n, 0.0);
  col_words_.assign(cols_, 0);
  dut_.reset();
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

std::vector<WsArrayDriver::Word> WsArrayDriver::step() {
  std::vector<Word> words;
  if (done_) return words;
  WsArrayInputs in;
  if (loading_) {
    in.cfg_en = t_ == 0;
    in.cfg_rows = kt_;
    in.cfg_cols = nt_;
    for (int r = 0; r < kt_; ++r)
      if (chunk_ > 0 && k0_ + r > 0 && (k0_ + r) % chunk_ == 0) in.cfg_restart |= 1ull << r;
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
  const WsArrayOutputs out = dut_.cycle(in);
  const WsArrayParams& p = dut_.params();
  const bool last_k = k0_ + kt_ >= k_;
  for (int c = 0; c < cols_; ++c) {
    if (!out.valid[c]) continue;
    Word w;
    w.word.cycle = cycle_;
    w.word.column = c;
    w.word.m = col_words_[c]++;
    w.word.n = n0_ + c;
    w.psum_code = out.psum[c];
    w.chunk_code = out.chunk[c];
    w.word.psum = num::decode(out.psum[c], p.accumulator);
    w.word.chunk = num::decode(out.chunk[c], p.chunk_accumulator);
    if (last_k) {
      w.word.final = true;
      w.value_code = out.value[c];
      w.word.value = num::decode(out.value[c], p.chunk_accumulator);
      if (w.word.m < m_ && w.word.n < n_) c_[w.word.m * n_ + w.word.n] = w.word.value;
    } else if (w.word.m < m_) {
      part_ps_[w.word.m * cols_ + c] = out.psum[c];
      part_co_[w.word.m * cols_ + c] = out.chunk[c];
    }
    --words_left_;
    words.push_back(w);
  }
  ++cycle_;
  ++t_;
  if (loading_) {
    if (t_ == kt_) {
      loading_ = false;
      t_ = 0;
    }
  } else if (words_left_ <= 0) {
    k0_ += rows_;
    if (k0_ >= k_) {
      k0_ = 0;
      n0_ += cols_;
    }
    if (n0_ >= n_)
      done_ = true;
    else
      begin_tile();
  }
  return words;
}

}  // namespace lbasim::rtl
