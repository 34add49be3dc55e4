// The weight-stationary controller (docs/systolic.md): N tiles outer, K tiles inner. Tile i
// loads its weight rows into the shadow registers in cycles L_i .. L_i + kt_i - 1 and streams
// activation row m in cycle s_i + m; column c's pair (m, c) enters the top in cycle
// s_i + m + c (+0 for the first K tile, else the pair the previous K tile parked in the
// output buffer; each column reads its own pair, de-skewed by address like the bottom) and
// leaves the bottom in s_i + m + R + c.
// Single buffering: L_0 = 0, s_i = L_i + kt_i, and tile i + 1 loads in the cycle after the
// last word of tile i has left the array (the RTL's own timing).
// Double buffering: the schedule of docs/systolic.md, computed here from its formulas:
//   L_0 = 0, s_0 = 1, L_{i+1} = max(L_i + kt_i, s_i + nt_i - 1),
//   s_{i+1} = max(L_{i+1} + 1, s_i + M, s_i + R + 1 if tile i + 1 continues tile i's columns).
// The GEMM ends when the last word has left.
// Chunk lane 'column' (a multiple of R as chunk size, or one chunk): no restart tags; a K tile
// that starts a chunk (the first, or k0 a chunk start) feeds +0 psums at the top, else the
// psums the previous K tile parked; where a K tile ends a chunk (the last, or k0 + kt a chunk
// start) the column bottom adds its words into the running sums, which the controller keeps
// in the output buffer (+0 for the first chunk of the columns), else the psums are parked.
// K counts PE steps (ArrayDriver::steps_): products for the FMAq PE, groups of G products for
// the fused PE, whose weight rows and activations are G codes each (chunk lane 'column': a
// chunk of a multiple of R x G products).
#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "array_driver.h"
#include "lbasim/base/error.h"

namespace lbasim::rtl {
namespace {

class WsArrayDriver final : public ArrayDriver {
 public:
  WsArrayDriver(ArrayDut& dut, const GemmJob& job);
  RtlCycle step() override;

 private:
  struct Tile {
    std::int64_t k0 = 0, n0 = 0;
    int kt = 0, nt = 0;
    std::int64_t load = -1, stream = -1;  // L_i and s_i; -1: not yet known (single)
    std::int64_t words_left = 0;
    // Chunk lane 'column': the tile starts / ends a chunk, and is in its columns' first chunk.
    bool chunk_start = true, chunk_end = true, first_chunk = true;
  };
  // The tile whose pair enters column c's top in cycle t (its row m), searching from tile
  // `lo`; null if none.
  const Tile* top_tile(std::size_t lo, std::int64_t t, int c, std::int64_t& m) const;
  // Reads parked word (m, c) in cycle t.
  std::size_t parked(std::int64_t m, int c, std::int64_t t) const;

  std::vector<Tile> tiles_;
  bool column_;  // chunk lane 'column'
  std::size_t load_i_ = 0, stream_i_ = 0, top_lo_ = 0, bottom_lo_ = 0;
  // Parked pairs (m x cols codes) and the cycle from which each is readable; with chunk lane
  // 'column', the psums and the running sums.
  std::vector<std::uint64_t> part_ps_, part_co_;
  std::vector<std::int64_t> part_ready_;
  // Per column: the tile and row m of the next word to leave the bottom.
  std::vector<std::size_t> col_tile_;
  std::vector<std::int64_t> col_m_;
};

WsArrayDriver::WsArrayDriver(ArrayDut& dut, const GemmJob& job)
    : ArrayDriver(dut, job), column_(dut.params().chunk_lane == sysc::ChunkLane::column) {
  if (column_ && job.cfg.chunk > 0 && job.cfg.chunk % (rows_ * terms_) != 0)
    throw InputError(
        fmt::format("chunk {} is not a multiple of the RTL array's {} rows{} (nor 0): its chunk "
                    "accumulators are at the column bottoms (chunk lane 'column')",
                    job.cfg.chunk, rows_, terms_ > 1 ? fmt::format(" x {} terms", terms_) : ""));
  for (const TileSpan& span : tile_spans(n_, cols_, steps_, rows_)) {  // N tiles outer, K inner
    Tile t;
    t.n0 = span.outer0;
    t.k0 = span.inner0;
    t.nt = span.outer_size;
    t.kt = span.inner_size;
    t.words_left = m_ * t.nt;
    t.chunk_start = t.k0 == 0 || restarts(t.k0);
    t.chunk_end = t.k0 + t.kt >= steps_ || restarts(t.k0 + t.kt);
    t.first_chunk = t.k0 == 0 || (tiles_.back().first_chunk && !tiles_.back().chunk_end);
    words_left_ += t.words_left;
    tiles_.push_back(t);
  }
  tiles_[0].load = 0;
  tiles_[0].stream = double_ ? 1 : tiles_[0].kt;
  for (std::size_t i = 0; double_ && i + 1 < tiles_.size(); ++i) {
    const Tile& a = tiles_[i];
    Tile& b = tiles_[i + 1];
    b.load = std::max(a.load + a.kt, a.stream + a.nt - 1);
    b.stream = std::max(b.load + 1, a.stream + m_);
    if (b.n0 == a.n0) b.stream = std::max(b.stream, a.stream + rows_ + 1);
  }
  part_ps_.assign(m_ * cols_, 0);
  part_co_.assign(m_ * cols_, 0);
  part_ready_.assign(m_ * cols_, 0);
  col_tile_.assign(cols_, 0);
  col_m_.assign(cols_, 0);
}

const WsArrayDriver::Tile* WsArrayDriver::top_tile(std::size_t lo, std::int64_t t, int c,
                                                   std::int64_t& m) const {
  for (std::size_t i = lo; i < tiles_.size() && tiles_[i].stream >= 0; ++i) {
    const Tile& tile = tiles_[i];
    if (tile.stream > t - c) break;
    m = t - c - tile.stream;
    if (m < m_) return c < tile.nt ? &tile : nullptr;
  }
  return nullptr;
}

std::size_t WsArrayDriver::parked(std::int64_t m, int c, std::int64_t t) const {
  const std::size_t i = m * cols_ + c;
  if (part_ready_[i] > t)
    throw std::logic_error(
        fmt::format("WS driver: word ({}, {}) read in cycle {} before it is parked", m, c, t));
  return i;
}

RtlCycle WsArrayDriver::step() {
  RtlCycle out;
  if (done_) return out;
  const std::int64_t t = static_cast<std::int64_t>(cycle_);
  ArrayInputs in;
  // Weight load: row t - L of the loading tile into the shadow registers.
  if (load_i_ < tiles_.size() && tiles_[load_i_].load >= 0 && t >= tiles_[load_i_].load) {
    const Tile& tile = tiles_[load_i_];
    const std::int64_t r = t - tile.load;
    in.w_load = true;
    in.w_row = static_cast<int>(r);
    for (int c = 0; c < tile.nt; ++c) w_group(tile.k0 + r, tile.n0 + c, in.w_data);
    if (r + 1 == tile.kt) ++load_i_;
  }
  // Activation row m = t - s of the streaming tile, with its tags.
  if (stream_i_ < tiles_.size() && tiles_[stream_i_].stream >= 0 && t >= tiles_[stream_i_].stream) {
    const Tile& tile = tiles_[stream_i_];
    const std::int64_t m = t - tile.stream;
    in.act_valid.assign(rows_, 0);
    in.act_first = m == 0;
    for (int r = 0; r < tile.kt; ++r) {
      in.act_valid[r] = 1;
      a_group(m, tile.k0 + r, in.act_data);
      if (!column_ && restarts(tile.k0 + r)) in.act_restart |= 1ull << r;
    }
    if (m + 1 == m_) ++stream_i_;
  }
  // Column-top pairs, column c in cycle s + m + c.
  in.top_valid.assign(cols_, 0);
  in.top_psum.assign(cols_, 0);
  in.top_chunk.assign(cols_, 0);
  std::int64_t m = 0;
  for (int c = 0; c < cols_; ++c) {
    const Tile* tile = top_tile(top_lo_, t, c, m);
    if (!tile) continue;
    in.top_valid[c] = 1;
    if (column_ ? !tile->chunk_start : tile->k0 > 0) {
      const std::size_t i = parked(m, c, t);
      in.top_psum[c] = part_ps_[i];
      if (!column_) in.top_chunk[c] = part_co_[i];
    }
  }
  while (top_lo_ < tiles_.size() && tiles_[top_lo_].stream >= 0 &&
         tiles_[top_lo_].stream + m_ + cols_ <= t + 1)
    ++top_lo_;
  // Chunk lane 'column': the word leaving column c's bottom entered its top R cycles ago.
  if (column_) {
    in.bottom_add.assign(cols_, 0);
    in.bottom_chunk.assign(cols_, 0);
    for (int c = 0; c < cols_; ++c) {
      const Tile* tile = top_tile(bottom_lo_, t - rows_, c, m);
      if (!tile || !tile->chunk_end) continue;
      in.bottom_add[c] = 1;
      if (!tile->first_chunk) in.bottom_chunk[c] = part_co_[parked(m, c, t)];
    }
    while (bottom_lo_ < tiles_.size() && tiles_[bottom_lo_].stream >= 0 &&
           tiles_[bottom_lo_].stream + m_ + cols_ + rows_ <= t + 1)
      ++bottom_lo_;
  }

  const ArrayOutputs o = dut_.cycle(in);
  out.pe_events = o.pe_events;
  out.pe_inexact_terms = o.pe_inexact_terms;
  out.pe_cut_terms = o.pe_cut_terms;
  for (int c = 0; c < cols_; ++c) {
    if (!o.valid[c]) continue;
    // The next word of column c belongs to the first remaining tile that uses the column.
    while (col_tile_[c] < tiles_.size() && c >= tiles_[col_tile_[c]].nt) ++col_tile_[c];
    if (col_tile_[c] >= tiles_.size()) {  // an extra word: report it against the last tile
      out.words.push_back(decode(o, c, m_, n_, false));
      continue;
    }
    Tile& tile = tiles_[col_tile_[c]];
    const std::int64_t row = col_m_[c];
    const bool last_k = tile.k0 + tile.kt >= steps_;
    // Where the column-bottom chunk accumulator added: every final word, and with chunk lane
    // 'column' every word of a tile that ends a chunk.
    const bool added = last_k || (column_ && tile.chunk_end);
    out.words.push_back(decode(o, c, row, tile.n0 + c, last_k, added));
    const std::size_t i = row * cols_ + c;
    if (column_ && !tile.chunk_end) {
      part_ps_[i] = o.psum[c];  // the chunk continues in the next K tile
      part_ready_[i] = t + 1;
    } else if (column_ && !last_k) {
      part_co_[i] = o.value[c];  // the running sum
      part_ready_[i] = t + 1;
    } else if (!last_k) {
      part_ps_[i] = o.psum[c];
      part_co_[i] = o.chunk[c];
      part_ready_[i] = t + 1;
    }
    if (++col_m_[c] == m_) {
      col_m_[c] = 0;
      ++col_tile_[c];
    }
    --words_left_;
    if (--tile.words_left == 0 && !double_) {  // single: the next tile loads from t + 1
      const std::size_t next = static_cast<std::size_t>(&tile - tiles_.data()) + 1;
      if (next < tiles_.size()) {
        tiles_[next].load = t + 1;
        tiles_[next].stream = t + 1 + tiles_[next].kt;
      }
    }
  }
  ++cycle_;
  if (words_left_ <= 0) done_ = true;
  return out;
}

}  // namespace

std::unique_ptr<ArrayDriver> make_ws_array_driver(ArrayDut& dut, const GemmJob& job) {
  return std::make_unique<WsArrayDriver>(dut, job);
}

}  // namespace lbasim::rtl
