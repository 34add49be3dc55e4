// The output-stationary controller (docs/systolic.md): M tiles outer, N tiles inner. Tile i
// streams activation column k and weight row k in cycle s_i + k (tagged first / restart /
// last); PE(r, c) does product k in s_i + k + r + c.
// Single buffering: s_0 = 0; after the stream (K + mt + nt - 2 cycles) the tile drains one row
// per cycle through drain_row (row 0 first), and the next tile starts in the cycle after.
// Double buffering: results drain down the columns' drain-register chains while the next
// tile streams; s_0 = 0, s_{i+1} = s_i + max(K, mt_i) (docs/systolic.md). A column's words
// leave bottom row first, tile after tile; the GEMM ends when the last word has left.
#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "array_driver.h"

namespace lbasim::rtl {
namespace {

class OsArrayDriver final : public ArrayDriver {
 public:
  OsArrayDriver(ArrayDut& dut, const GemmJob& job);
  RtlCycle step() override;

 private:
  struct Tile {
    std::int64_t m0 = 0, n0 = 0;
    int mt = 0, nt = 0;
    std::int64_t stream = -1;  // s_i; -1: not yet known (single)
  };
  std::vector<Tile> tiles_;
  std::size_t stream_i_ = 0;
  // Single: the tile draining and its next row (-1: streaming).
  std::int64_t drain_row_ = -1;
  // Double: per column, the tile and row of the next word to leave (bottom row first).
  std::vector<std::size_t> col_tile_;
  std::vector<std::int64_t> col_row_;
};

OsArrayDriver::OsArrayDriver(ArrayDut& dut, const GemmJob& job) : ArrayDriver(dut, job) {
  for (const TileSpan& span : tile_spans(m_, rows_, n_, cols_)) {  // M tiles outer, N inner
    Tile t;
    t.m0 = span.outer0;
    t.n0 = span.inner0;
    t.mt = span.outer_size;
    t.nt = span.inner_size;
    words_left_ += static_cast<std::int64_t>(t.mt) * t.nt;
    tiles_.push_back(t);
  }
  tiles_[0].stream = 0;
  for (std::size_t i = 0; double_ && i + 1 < tiles_.size(); ++i)
    tiles_[i + 1].stream = tiles_[i].stream + std::max<std::int64_t>(k_, tiles_[i].mt);
  col_tile_.assign(cols_, 0);
  col_row_.assign(cols_, -1);
}

RtlCycle OsArrayDriver::step() {
  RtlCycle out;
  if (done_) return out;
  const std::int64_t t = static_cast<std::int64_t>(cycle_);
  ArrayInputs in;
  in.chain = double_;
  // Stream: activation column k = t - s and weight row k of the streaming tile, with tags.
  if (stream_i_ < tiles_.size() && tiles_[stream_i_].stream >= 0 && drain_row_ < 0 &&
      t >= tiles_[stream_i_].stream) {
    const Tile& tile = tiles_[stream_i_];
    const std::int64_t k = t - tile.stream;
    in.cfg_en = k == 0;
    in.cfg_cols = tile.nt;
    if (k < k_) {
      in.act_first = k == 0;
      in.act_restart = restarts(k) ? ~0ull : 0;
      in.act_last = k + 1 == k_;
      in.act_valid.assign(rows_, 0);
      in.act_data.assign(rows_, 0);
      for (int r = 0; r < tile.mt; ++r) {
        in.act_valid[r] = 1;
        in.act_data[r] = a_codes_[(tile.m0 + r) * k_ + k];
      }
      in.w_valid.assign(cols_, 0);
      in.w_data.assign(cols_, 0);
      for (int c = 0; c < tile.nt; ++c) {
        in.w_valid[c] = 1;
        in.w_data[c] = w_codes_[k * n_ + tile.n0 + c];
      }
    }
    // Single: the last product is in cycle s + K + mt + nt - 3; then the drain.
    if (!double_ && k + 1 == k_ + tile.mt + tile.nt - 2) drain_row_ = 0;
    if (double_ && k + 1 == k_) ++stream_i_;
  } else if (drain_row_ >= 0) {
    in.drain_en = true;
    in.drain_row = static_cast<int>(drain_row_);
  }
  const ArrayOutputs o = dut_.cycle(in);
  if (o.overrun)
    throw std::logic_error(
        fmt::format("OS driver: a result met a full drain register in cycle {}", t));
  out.pe_events = o.pe_events;
  for (int c = 0; c < cols_; ++c) {
    if (!o.valid[c]) continue;
    if (!double_) {
      const Tile& tile = tiles_[stream_i_];
      out.words.push_back(decode(o, c, tile.m0 + in.drain_row, tile.n0 + c, true));
      --words_left_;
      continue;
    }
    // Double: the next word of column c, bottom row first, of the first tile using the column.
    while (col_tile_[c] < tiles_.size() && c >= tiles_[col_tile_[c]].nt) ++col_tile_[c];
    if (col_tile_[c] >= tiles_.size()) {  // an extra word
      out.words.push_back(decode(o, c, m_, n_, true));
      continue;
    }
    const Tile& tile = tiles_[col_tile_[c]];
    if (col_row_[c] < 0) col_row_[c] = tile.mt - 1;
    out.words.push_back(decode(o, c, tile.m0 + col_row_[c], tile.n0 + c, true));
    if (--col_row_[c] < 0) ++col_tile_[c];
    --words_left_;
  }
  if (in.drain_en && ++drain_row_ == tiles_[stream_i_].mt) {  // single: the next tile
    drain_row_ = -1;
    if (++stream_i_ < tiles_.size()) tiles_[stream_i_].stream = t + 1;
  }
  ++cycle_;
  if (words_left_ <= 0) done_ = true;
  return out;
}

}  // namespace

std::unique_ptr<ArrayDriver> make_os_array_driver(ArrayDut& dut, const GemmJob& job) {
  return std::make_unique<OsArrayDriver>(dut, job);
}

}  // namespace lbasim::rtl
