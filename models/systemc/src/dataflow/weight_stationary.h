// Weight-stationary dataflow (TPU style), cycle by cycle (docs/systolic.md): tile i's kt x nt
// weights are loaded one row per cycle from cycle L_i; activation row m enters array row r in
// cycle s_i + m + r and moves right, PE(r, c) works on it in cycle s_i + m + r + c, partial-sum
// pairs move down and the column's pair leaves the bottom in cycle s_i + m + R + c. Single
// buffering loads into the weight registers between tiles; double buffering loads into shadow
// registers while the previous tile streams, and each PE copies shadow to active when the
// tile's first activation reaches it.
#pragma once

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <utility>
#include <vector>

#include "array_core.h"
#include "tile_schedule.h"
#include "write_counts.h"

namespace lbasim::sysc {

template <detail::ProcessingElement Pe>
class WeightStationary final : public Dataflow {
 public:
  WeightStationary(const ArrayConfig& a, Pe pe) : core_(a, std::move(pe)) {
    const std::size_t pes = static_cast<std::size_t>(a.rows) * a.cols;
    act_.assign(2 * pes, Operand{});
    act_tile_.assign(2 * pes, kNone);
    act_flags_.assign(2 * pes, 0);
    psum_.assign(pes, 0.0);
    chunk_.assign(pes, 0.0);
    pt_.assign(pes, kNone);
    pair_at_.assign(pes, 0);
    op_.assign(pes, 0);
    act_val_.assign(2 * pes, 0.0);
    w_val_.assign(pes, 0.0);
    reg_writes_.reset(pes);
    w_.assign(pes, Operand{});
    shadow_.assign(a.buffering == Buffering::double_ ? pes : 0, Operand{});
  }

  // Chunk lane 'column': the PEs only carry the psum; the chunk adds happen at the column
  // bottoms where a K tile ends a chunk (make_dataflow checks that chunks end with K tiles).
  bool column_lane() const { return core_.array.chunk_lane == ChunkLane::column; }

  void start(const GemmProblem& p) override {
    core_.begin(p);
    const int R = core_.array.rows, C = core_.array.cols;
    const std::int64_t K = core_.pe.steps();
    const GemmDram& d = p.dram;
    tiles_.clear();
    // N tiles outer, K tiles inner: the partial pairs of a column tile stay in the output buffer.
    for (std::int64_t n0 = 0; n0 < p.n; n0 += C)
      for (std::int64_t k0 = 0; k0 < K; k0 += R) {
        detail::Tile t;
        t.row0 = k0;
        t.col0 = n0;
        t.rows = static_cast<int>(std::min<std::int64_t>(R, K - k0));
        t.cols = static_cast<int>(std::min<std::int64_t>(C, p.n - n0));
        t.first_k = k0 == 0;
        t.last_k = k0 + R >= K;
        t.chunk_start = t.first_k || core_.pe.restarts(k0);
        t.chunk_end = t.last_k || core_.pe.restarts(k0 + t.rows);
        t.first_chunk = t.first_k || (tiles_.back().first_chunk && !tiles_.back().chunk_end);
        const double out_words = static_cast<double>(p.m) * t.cols;
        t.read_bytes = (d.w ? static_cast<double>(t.rows) * t.cols * d.w_bytes : 0) +
                       (d.a ? static_cast<double>(p.m) * t.rows * d.a_bytes : 0);
        t.partial_read_bytes = !t.first_k && d.partials ? out_words * d.pair_bytes : 0;
        t.write_bytes = t.last_k ? (d.c ? out_words * d.c_bytes : 0)
                                 : (d.partials ? out_words * d.pair_bytes : 0);
        tiles_.push_back(t);
      }
    core_.stats.tiles = tiles_.size();
    const bool k_tiles = static_cast<std::int64_t>(tiles_.size()) > detail::ceil_div(p.n, C);
    part_.assign(k_tiles ? p.m * C : 0, detail::Lanes{});
    // Partial pairs need two words per output of a tile.
    core_.stats.out_buffer.size_words = p.m * p.n + 2 * part_.size();
    clear_registers();
    reg_writes_.reset(static_cast<std::size_t>(R) * C);
    dram_.reset(core_.array.dram_bytes_per_cycle);
    windows_.reset(R);
    next_load_ = 0;
    loaded_ = kNone;
    started_.clear();
    writes_done_ = 0;
    done_ = false;
  }

  bool step() override {
    if (done_) return false;
    const std::int64_t t = static_cast<std::int64_t>(core_.stats.total_cycles);
    control(t);
    if (next_load_ == tiles_.size() && loaded_ == kNone && started_.empty() && writes_done_ <= t) {
      done_ = true;
      reg_writes_.add_to(core_.stats);
      core_.finish();
      return false;
    }
    ArrayStats& st = core_.stats;
    if (windows_.active(t)) {
      core_.run_cycle(on_pe_events, [&](auto rec) { stream_cycle<decltype(rec)::value>(t); });
    } else {
      clear_registers();
      ++(!blocked_ && load_cycle_due(t) ? st.stall_cycles : st.memory_stall_cycles);
    }
    load_cycle(t);  // after the PEs: a shadow written in cycle t is seen from cycle t + 1
    reg_writes_.end_cycle();
    ++st.total_cycles;
    return true;
  }

  const ArrayStats& stats() const override { return core_.stats; }

 private:
  using Operand = typename Pe::Operand;
  static constexpr std::int32_t kNone = -1;
  // What travels with an activation: its tile, whether it is row m = 0 (the PE copies its
  // shadow weight) and whether this row's step starts a new chunk.
  struct ATag {
    std::int32_t tile = kNone;
    std::uint8_t flags = 0;
  };
  // kPresent: the register holds an activation (or, in pair_at_, a pair).
  enum : std::uint8_t { kFirst = 1, kRestart = 2, kPresent = 4 };
  static_assert(kRestart == num::FastFmaq::kRestart && num::FastFmaq::kMac == 1);

  bool double_buffered() const { return core_.array.buffering == Buffering::double_; }

  // The registers are indexed so that a cycle moves nothing (docs/systolic.md, "Speed"). The
  // activation register of PE(r, c) holds what entered row r c cycles ago: row r keeps a ring
  // of C entries by entry cycle, each written twice (at q and q + C) so that the row's C
  // registers are C consecutive entries from ring_base(t). The pair register of PE(r, c) holds
  // the pair that entered column c's top r cycles ago: R slots of C pairs by entry cycle, row r
  // in cycle t reading and writing slot (t - r) mod R in place.
  int ring_base(std::int64_t t) const {
    const int C = core_.array.cols;
    return static_cast<int>((C - t % C) % C);
  }
  std::size_t slot(std::int64_t t) const {
    const std::int64_t R = core_.array.rows;
    return static_cast<std::size_t>(((t % R) + R) % R) * core_.array.cols;
  }

  // PE i's weight register (and its value, for mac_row).
  void set_weight(int i, const Operand& w) {
    w_[i] = w;
    if constexpr (detail::RowStepping<Pe>) w_val_[i] = Pe::value(w);
  }

  void clear_registers() {
    std::fill(act_tile_.begin(), act_tile_.end(), kNone);
    std::fill(pt_.begin(), pt_.end(), kNone);
    std::fill(pair_at_.begin(), pair_at_.end(), 0);
    std::fill(act_flags_.begin(), act_flags_.end(), 0);
  }

  // The tiling controller of cycle t: DRAM transfers, then the starts the schedule allows.
  void control(std::int64_t t) {
    ArrayStats& st = core_.stats;
    // Results (or spilled partial pairs) of tiles that ended go to DRAM; a spilled K reduction's
    // next tile reads its pairs back after them.
    for (auto it = started_.begin(); it != started_.end();) {
      detail::Tile& tile = tiles_[*it];
      if (tile.end > t) {
        ++it;
        continue;
      }
      writes_done_ = std::max(writes_done_, dram_.issue(t, tile.write_bytes));
      st.dram_write_bytes += tile.write_bytes;
      if (!tile.last_k) {
        detail::Tile& next = tiles_[*it + 1];
        next.partials_ready = dram_.issue(t, next.partial_read_bytes);
        st.dram_read_bytes += next.partial_read_bytes;
      }
      it = started_.erase(it);
    }
    issue_reads(t);
    // The loaded tile starts streaming.
    if (loaded_ != kNone) {
      detail::Tile& tile = tiles_[loaded_];
      if (t >= stream_bound(loaded_, tile.load) && tile.partials_ready != detail::kUnset &&
          tile.partials_ready <= t) {
        tile.stream = t;
        tile.end = t + core_.p.m + core_.array.rows + tile.cols - 1;
        windows_.open(tile.end, tile.rows, tile.cols);
        started_.push_back(loaded_);
        loaded_ = kNone;
      }
    }
    // The next tile starts loading its weights.
    if (loaded_ == kNone && next_load_ < tiles_.size()) {
      detail::Tile& tile = tiles_[next_load_];
      const std::int64_t bound = load_bound(next_load_);
      if (bound != detail::kUnset && t >= bound && tile.reads_ready != detail::kUnset &&
          tile.reads_ready <= t) {
        tile.load = t;
        loaded_ = static_cast<std::int32_t>(next_load_++);
        issue_reads(t);
      }
    }
    // Waiting for DRAM: the next tile could stream by now were its data there.
    blocked_ = false;
    if (loaded_ != kNone) {
      blocked_ = t >= stream_bound(loaded_, tiles_[loaded_].load);
    } else if (next_load_ < tiles_.size()) {
      const std::int64_t bound = load_bound(next_load_);
      blocked_ = bound != detail::kUnset &&
                 t >= (double_buffered() ? stream_bound(next_load_, bound) : bound);
    }
  }

  // The earliest load of tile j the array allows (kUnset while its predecessor has not started
  // streaming): single buffering after the predecessor ended; double buffering one weight row
  // per cycle, and row r's shadow free once the predecessor's copies are done.
  std::int64_t load_bound(std::size_t j) const {
    if (j == 0) return 0;
    const detail::Tile& prev = tiles_[j - 1];
    if (prev.stream == detail::kUnset) return detail::kUnset;
    if (!double_buffered()) return prev.end;
    return std::max(prev.load + prev.rows, prev.stream + prev.cols - 1);
  }

  // The earliest stream start of tile j loaded from cycle `load`: single buffering after the
  // load; double buffering a cycle after the first shadow row, one tile of M rows per
  // activation port, and (same columns) after the predecessor parked its first pair.
  std::int64_t stream_bound(std::size_t j, std::int64_t load) const {
    const detail::Tile& tile = tiles_[j];
    if (!double_buffered()) return load + tile.rows;
    std::int64_t bound = load + 1;
    if (j > 0) {
      const detail::Tile& prev = tiles_[j - 1];
      bound = std::max(bound, prev.stream + core_.p.m);
      if (!tile.first_k) bound = std::max(bound, prev.stream + core_.array.rows + 1);
    }
    return bound;
  }

  // DRAM reads run one tile ahead: tile i's operands are read once tile i - 1 begins its load.
  void issue_reads(std::int64_t t) {
    if (next_load_ == tiles_.size()) return;
    detail::Tile& tile = tiles_[next_load_];
    const bool gate = next_load_ == 0 || tiles_[next_load_ - 1].load != detail::kUnset;
    if (tile.reads_ready != detail::kUnset || !gate) return;
    tile.reads_ready = dram_.issue(t, tile.read_bytes);
    core_.stats.dram_read_bytes += tile.read_bytes;
    if (tile.first_k || !core_.p.dram.partials) tile.partials_ready = 0;
  }

  // The tile whose weight rows load in cycle t, or nullptr.
  const detail::Tile* loading(std::int64_t t) const {
    for (std::size_t i = next_load_ > 1 ? next_load_ - 2 : 0; i < next_load_; ++i)
      if (tiles_[i].load <= t && t < tiles_[i].load + tiles_[i].rows) return &tiles_[i];
    return nullptr;
  }
  bool load_cycle_due(std::int64_t t) const { return loading(t) != nullptr; }

  // One weight row per cycle from the weight buffer into the PE row's weight (single) or shadow
  // (double) registers.
  void load_cycle(std::int64_t t) {
    const detail::Tile* tile = loading(t);
    if (!tile) return;
    const int r = static_cast<int>(t - tile->load), C = core_.array.cols;
    for (int c = 0; c < tile->cols; ++c) {
      const Operand w = core_.pe.weight(tile->row0 + r, tile->col0 + c);
      if (double_buffered())
        shadow_[r * C + c] = w;
      else
        set_weight(r * C + c, w);
      ++*reg_writes_.at(r * C + c);
      core_.stats.weight_buffer.reads += Pe::words(w);
    }
  }

  // The streaming tile whose row r (or column c) takes operand row m = t - s - r in cycle t.
  std::int32_t streaming_at(std::int64_t t, int lane, bool row, std::int64_t& m) const {
    for (std::int32_t i : started_) {
      const detail::Tile& tile = tiles_[i];
      m = t - tile.stream - lane;
      if (m >= 0 && m < core_.p.m && lane < (row ? tile.rows : tile.cols)) return i;
    }
    return kNone;
  }

  template <bool kRecord>
  void stream_cycle(std::int64_t t) {
    const int R = core_.array.rows, C = core_.array.cols;
    const bool dbl = double_buffered();
    const bool rows = core_.row_stepping();
    const std::uint8_t pair_writes = column_lane() ? 1 : 2;
    ArrayStats& st = core_.stats;
    drain_bottom(t);  // reads the bottom row's registers before row 0 reuses their slot
    const int q = ring_base(t);
    std::uint64_t busy = 0;
    std::size_t sl = slot(t);  // row r's pair slot, slot(t - r): one slot back per row
    for (int r = 0; r < R; ++r, sl = sl == 0 ? pt_.size() - C : sl - C) {
      std::int64_t m_left = 0;
      const std::int32_t left = streaming_at(t, r, true, m_left);
      ATag tag_left;
      Operand a_left{};
      if (left != kNone) {
        const detail::Tile& tile = tiles_[left];
        a_left = core_.pe.activation(m_left, tile.row0 + r);
        const bool restart = !column_lane() && core_.pe.restarts(tile.row0 + r);
        tag_left = {
            left, static_cast<std::uint8_t>((m_left == 0 ? kFirst : 0) | (restart ? kRestart : 0))};
        st.act_buffer.reads += Pe::words(a_left);
      }
      const std::size_t ring = static_cast<std::size_t>(r) * 2 * C;
      act_tile_[ring + q] = act_tile_[ring + q + C] = tag_left.tile;
      act_flags_[ring + q] = act_flags_[ring + q + C] =
          tag_left.flags | (tag_left.tile != kNone ? kPresent : 0);
      act_[ring + q] = act_[ring + q + C] = a_left;
      if constexpr (detail::RowStepping<Pe>)
        act_val_[ring + q] = act_val_[ring + q + C] = Pe::value(a_left);
      // PE(r, c)'s activation: tile tiles[c] (kNone: none), flags[c], operand acts[c].
      const std::int32_t* tiles = &act_tile_[ring + q];
      const std::uint8_t* flags = &act_flags_[ring + q];
      const Operand* acts = &act_[ring + q];
      std::int32_t* pt = &pt_[sl];
      const std::uint8_t* pair_at = &pair_at_[sl];
      double* psum = &psum_[sl];
      double* chunk = &chunk_[sl];
      if (r == 0) top_pairs(t, pt, psum, chunk);
      // A MAC where an activation meets a pair (a pair without an activation passes a row the
      // tile does not use): byte operations the compiler vectorizes; the rare cases after.
      std::uint64_t macs = 0;
      std::uint8_t* ops = &op_[r * C];
      std::uint16_t* writes = reg_writes_.at(r * C);
      std::uint8_t first = 0;
      for (int c = 0; c < C; ++c) {
        const std::uint8_t fa = flags[c], has_a = fa >> 2, has_p = pair_at[c] >> 2;
        const std::uint8_t mac = has_a & has_p;
        writes[c] += static_cast<std::uint8_t>(has_a + (pair_writes & -has_p));
        ops[c] = static_cast<std::uint8_t>(mac | (fa & kRestart & -mac));
        macs += mac;
        first |= fa;
      }
      if (started_.size() > 1) {  // two tiles in flight: they must not meet
        bool clash = false;
        for (int c = 0; c < C; ++c) clash |= (ops[c] != 0) & (tiles[c] != pt[c]);
        if (clash) throw std::logic_error("WS schedule: two tiles meet in one PE");
      }
      if (dbl && (first & kFirst))  // a tile's first activation row: weights from the shadows
        for (int c = 0; c < C; ++c)
          if ((flags[c] & kFirst) && tiles[c] != kNone && c < tiles_[tiles[c]].cols) {
            set_weight(r * C + c, shadow_[r * C + c]);
            ++writes[c];
          }
      if (!macs) continue;
      busy += macs;
      if (rows) {
        core_.add_row(r * C, C, macs, ops, &act_val_[ring + q], &w_val_[r * C], psum, chunk);
        continue;
      }
      for (int c = 0; c < C; ++c) {
        if (!ops[c]) continue;
        const int i = r * C + c;
        const detail::Lanes out =
            core_.template mac<kRecord>(i, tiles_[pt[c]].row0 + r, {psum[c], chunk[c]},
                                        ops[c] & num::FastFmaq::kRestart, acts[c], w_[i]);
        psum[c] = out.psum;
        chunk[c] = out.chunk;
      }
    }
    if (rows) core_.template run_rows<kRecord>();  // rows are independent within a cycle
    for (const auto& [at, pair] : parked_) part_[at] = pair;
    parked_.clear();
    core_.count_stream_cycle(busy, windows_.used_pes(), blocked_);
  }

  // The pairs entering the column tops in cycle t: +0, or the pair parked by the previous K
  // tile.
  void top_pairs(std::int64_t t, std::int32_t* pt, double* psum, double* chunk) {
    const int C = core_.array.cols;
    ArrayStats& st = core_.stats;
    for (int c = 0; c < C; ++c) {
      std::int64_t m_top = 0;
      pt[c] = streaming_at(t, c, false, m_top);
      pair_at_[pt - pt_.data() + c] = pt[c] != kNone ? kPresent : 0;
      detail::Lanes in;
      if (pt[c] != kNone && column_lane() && !tiles_[pt[c]].chunk_start) {
        in.psum = part_[m_top * C + c].psum;  // the chunk continues
        ++st.out_buffer.reads;
      } else if (pt[c] != kNone && !column_lane() && !tiles_[pt[c]].first_k) {
        in = part_[m_top * C + c];
        st.out_buffer.reads += 2;
      }
      psum[c] = in.psum;
      chunk[c] = in.chunk;
    }
  }

  // Output de-skew: column c's pair for row m leaves the bottom PE in cycle s + m + R + c. After
  // the last K tile the column's chunk accumulator adds the last chunk into the lane.
  void drain_bottom(std::int64_t t) {
    const int R = core_.array.rows, C = core_.array.cols;
    const std::size_t sl = slot(t - R);  // what the bottom row wrote in cycle t - 1
    for (int c = 0; c < C; ++c) {
      const std::int32_t id = pt_[sl + c];
      if (id == kNone) continue;
      const detail::Tile& tile = tiles_[id];
      OutputWord word;
      word.cycle = static_cast<std::uint64_t>(t);
      word.column = c;
      word.m = t - tile.stream - R - c;
      word.n = tile.col0 + c;
      word.psum = psum_[sl + c];
      word.chunk = chunk_[sl + c];
      const std::int64_t at = word.m * C + c;
      if (column_lane()) {
        bottom_column_lane(tile, word, at);
      } else if (tile.last_k) {
        core_.result(word);
        ++core_.stats.out_buffer.writes;
      } else {
        parked_.push_back({at, {word.psum, word.chunk}});  // in the buffer from cycle t + 1
        core_.stats.out_buffer.writes += 2;
      }
      if (on_output) on_output(word);
    }
  }

  // Chunk lane 'column', the column bottom: where the tile ends a chunk, the chunk accumulator
  // adds the finished chunk (the psum) into the output's running sum, read from the output
  // buffer (+0 for the first chunk), and writes the sum back, or to C after the last K tile;
  // elsewhere the psum is parked for the next K tile of the chunk.
  void bottom_column_lane(const detail::Tile& tile, OutputWord& word, std::int64_t at) {
    ArrayStats& st = core_.stats;
    word.chunk = 0.0;
    if (!tile.chunk_end) {
      parked_.push_back({at, {word.psum, part_[at].chunk}});
      ++st.out_buffer.writes;
      return;
    }
    if (!tile.first_chunk) {
      word.chunk = part_[at].chunk;
      ++st.out_buffer.reads;
    }
    ++st.out_buffer.writes;
    if (tile.last_k) return core_.result(word);
    word.chunk_add = true;
    word.value = core_.chunk_add(word.column, {word.psum, word.chunk}, word.events);
    parked_.push_back({at, {0.0, word.value}});
  }

  detail::ArrayCore<Pe> core_;
  std::vector<Operand> act_;             // R rings of 2C activation registers
  std::vector<std::int32_t> act_tile_;   // their tiles (kNone: no activation)
  std::vector<std::uint8_t> act_flags_;  // and tags (kFirst, kRestart)
  std::vector<double> psum_, chunk_;     // R slots of C pairs (psum, chunk lane)
  std::vector<std::uint8_t> pair_at_;    // kPresent where pt_ is not kNone
  std::vector<std::int32_t> pt_;         // their tiles (kNone: no pair)
  std::vector<std::uint8_t> op_;         // one row's steps (FastFmaq::Row::op)
  std::vector<double> act_val_;          // the activations' values (RowStepping PEs), as act_
  std::vector<double> w_val_;            // the weights' values (RowStepping PEs), as w_
  detail::WriteCounts reg_writes_;       // per PE, into the statistics when the GEMM ends
  std::vector<Operand> w_;               // weights the PEs multiply with
  std::vector<Operand> shadow_;          // double buffering: the next tile's weights
  std::vector<detail::Lanes> part_;      // output buffer, partial area: m x cols pairs
  std::vector<std::pair<std::int64_t, detail::Lanes>> parked_;  // written at the cycle's end
  std::vector<detail::Tile> tiles_;                             // in order, with their schedule
  std::size_t next_load_ = 0;                                   // the next tile to load
  std::int32_t loaded_ = kNone;        // a tile loading or loaded, not streaming yet
  std::vector<std::int32_t> started_;  // tiles streaming or draining, not ended
  detail::DramChannel dram_;
  detail::StreamWindows windows_;
  std::int64_t writes_done_ = 0;  // the last DRAM write is over
  bool blocked_ = false;          // this cycle the next tile waits for DRAM
  bool done_ = true;
};

}  // namespace lbasim::sysc
