// Output-stationary dataflow, cycle by cycle (docs/systolic.md): each PE keeps one output of an
// mt x nt tile of C. Activation rows enter skewed from the left, weight columns skewed from the
// top; PE(r, c) does step k of tile i in cycle s_i + k + r + c. Single buffering: after the
// last step the tile's rows drain through the column-bottom chunk accumulators, one row per
// cycle, before the next tile starts. Double buffering: each PE's last step writes its result
// into a drain register; the drain registers of a column form an elastic chain down to the
// column-bottom chunk accumulator while the next tile streams.
#pragma once

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "array_core.h"
#include "tile_schedule.h"
#include "write_counts.h"

namespace lbasim::sysc {

template <detail::ProcessingElement Pe>
class OutputStationary final : public Dataflow {
 public:
  OutputStationary(const ArrayConfig& a, Pe pe) : core_(a, std::move(pe)) {
    const std::size_t pes = static_cast<std::size_t>(a.rows) * a.cols;
    act_.assign(2 * pes, Operand{});
    act_tag_.assign(2 * pes, ATag{});
    act_flags_.assign(2 * pes, 0);
    w_at_.assign(pes, 0);
    reg_writes_.reset(pes);
    act_val_.assign(2 * pes, 0.0);
    w_.assign(pes, Operand{});
    wt_.assign(pes, kNone);
    w_val_.assign(pes, 0.0);
    psum_.assign(pes, 0.0);
    chunk_.assign(pes, 0.0);
    op_.assign(pes, 0);
    if (a.buffering == Buffering::double_) {
      drain_.assign(pes, Drain{});
      cap_.assign(pes, Drain{});
      moves_.assign(a.rows, 0);
    }
  }

  void start(const GemmProblem& p) override {
    core_.begin(p);
    const int R = core_.array.rows, C = core_.array.cols;
    const std::int64_t K = core_.pe.steps();
    const GemmDram& d = p.dram;
    tiles_.clear();
    // M tiles outer, N tiles inner: a tile's activation rows are fetched once.
    for (std::int64_t m0 = 0; m0 < p.m; m0 += R)
      for (std::int64_t n0 = 0; n0 < p.n; n0 += C) {
        detail::Tile t;
        t.row0 = m0;
        t.col0 = n0;
        t.rows = static_cast<int>(std::min<std::int64_t>(R, p.m - m0));
        t.cols = static_cast<int>(std::min<std::int64_t>(C, p.n - n0));
        t.read_bytes = (d.a && n0 == 0 ? static_cast<double>(t.rows) * K * d.a_bytes : 0) +
                       (d.w ? static_cast<double>(K) * t.cols * d.w_bytes : 0);
        t.write_bytes = d.c ? static_cast<double>(t.rows) * t.cols * d.c_bytes : 0;
        tiles_.push_back(t);
      }
    core_.stats.tiles = tiles_.size();
    core_.stats.out_buffer.size_words = p.m * p.n;
    clear_registers();
    reg_writes_.reset(static_cast<std::size_t>(R) * C);
    std::fill(drain_.begin(), drain_.end(), Drain{});
    drain_words_ = 0;
    dram_.reset(core_.array.dram_bytes_per_cycle);
    windows_.reset(R);
    next_ = 0;
    started_.clear();
    writes_done_ = 0;
    done_ = false;
  }

  bool step() override {
    if (done_) return false;
    const std::int64_t t = static_cast<std::int64_t>(core_.stats.total_cycles);
    control(t);
    if (next_ == tiles_.size() && started_.empty() && writes_done_ <= t) {
      done_ = true;
      reg_writes_.add_to(core_.stats);
      core_.finish();
      return false;
    }
    ArrayStats& st = core_.stats;
    const bool streaming = windows_.active(t);
    if (streaming) {
      core_.run_cycle(on_pe_events, [&](auto rec) { stream_cycle<decltype(rec)::value>(t); });
    } else {
      clear_registers();
    }
    bool draining = false;
    if (double_buffered()) {
      draining = drain_words_ > 0;
      if (draining || !captured_.empty()) drain_chain(t);
    } else if (const detail::Tile* tile = single_draining(t)) {
      draining = true;
      drain_row(*tile, t);
    }
    if (!streaming) ++(draining && !blocked_ ? st.stall_cycles : st.memory_stall_cycles);
    reg_writes_.end_cycle();
    ++st.total_cycles;
    return true;
  }

  const ArrayStats& stats() const override { return core_.stats; }

 private:
  using Operand = typename Pe::Operand;
  static constexpr std::int32_t kNone = -1;
  // What travels with an activation: its tile, its step k, and whether k is the first step, a
  // chunk start or the last step.
  struct ATag {
    std::int32_t tile = kNone;
    std::uint8_t flags = 0;
    std::int64_t k = 0;
  };
  // kPresent: the register holds an activation (or, in w_at_, a weight).
  enum : std::uint8_t { kFirst = 1, kRestart = 2, kLast = 4, kPresent = 8 };
  static_assert(kRestart == num::FastFmaq::kRestart);
  // The moving registers are indexed so that a cycle moves nothing (as in WS,
  // weight_stationary.h): PE(r, c)'s activation entered row r c cycles ago (a ring of C
  // entries per row by entry cycle, each written twice, at q and q + C), its weight entered
  // column c's top r cycles ago (R slots of C weights by entry cycle; row r in cycle t reads
  // slot (t - r) mod R).
  int ring_base(std::int64_t t) const {
    const int C = core_.array.cols;
    return static_cast<int>((C - t % C) % C);
  }
  std::size_t slot(std::int64_t t) const {
    return static_cast<std::size_t>(t % core_.array.rows) * core_.array.cols;
  }

  // A drain register (double buffering): a finished output of a tile's row, on its way down.
  struct Drain {
    std::int32_t tile = kNone;
    int row = 0;
    detail::Lanes lanes;
  };

  bool double_buffered() const { return core_.array.buffering == Buffering::double_; }

  // PE i's stationary output: psum and chunk lane.
  detail::Lanes lanes(int i) const { return {psum_[i], chunk_[i]}; }

  void clear_registers() {
    std::fill(act_tag_.begin(), act_tag_.end(), ATag{});
    std::fill(wt_.begin(), wt_.end(), kNone);
    std::fill(act_flags_.begin(), act_flags_.end(), 0);
    std::fill(w_at_.begin(), w_at_.end(), 0);
  }

  // Cycles from a tile's stream start: its last MAC (window end), and its end.
  std::int64_t window(const detail::Tile& t) const {
    return core_.pe.steps() + t.rows + t.cols - 2;
  }
  std::int64_t length(const detail::Tile& t) const {
    return window(t) + (double_buffered() ? core_.array.rows : t.rows);
  }

  // The tiling controller of cycle t: DRAM transfers, then the next tile's start.
  void control(std::int64_t t) {
    ArrayStats& st = core_.stats;
    for (auto it = started_.begin(); it != started_.end();) {
      const detail::Tile& tile = tiles_[*it];
      if (tile.end > t) {
        ++it;
        continue;
      }
      writes_done_ = std::max(writes_done_, dram_.issue(t, tile.write_bytes));
      st.dram_write_bytes += tile.write_bytes;
      it = started_.erase(it);
    }
    issue_reads(t);
    blocked_ = false;
    if (next_ == tiles_.size()) return;
    detail::Tile& tile = tiles_[next_];
    const detail::Tile* prev = next_ > 0 ? &tiles_[next_ - 1] : nullptr;
    std::int64_t bound = 0;
    if (prev && double_buffered())  // the ports stream K steps; a drain register frees per row
      bound = prev->stream + std::max<std::int64_t>(core_.pe.steps(), prev->rows);
    else if (prev)
      bound = prev->end;
    const bool ready = tile.reads_ready != detail::kUnset && tile.reads_ready <= t;
    blocked_ = t >= bound && !ready;  // the tile could stream by now were its data there
    if (t >= bound && ready) {
      tile.stream = t;
      tile.end = t + length(tile);
      windows_.open(t + window(tile), tile.rows, tile.cols);
      started_.push_back(static_cast<std::int32_t>(next_++));
      issue_reads(t);
    }
  }

  // DRAM reads run one tile ahead: tile i's operands are read once tile i - 1 starts.
  void issue_reads(std::int64_t t) {
    if (next_ == tiles_.size()) return;
    detail::Tile& tile = tiles_[next_];
    if (tile.reads_ready != detail::kUnset ||
        (next_ > 0 && tiles_[next_ - 1].stream == detail::kUnset))
      return;
    tile.reads_ready = dram_.issue(t, tile.read_bytes);
    core_.stats.dram_read_bytes += tile.read_bytes;
  }

  // The streaming tile whose row r (or column c) takes step k = t - s - r in cycle t.
  std::int32_t streaming_at(std::int64_t t, int lane, bool row, std::int64_t& k) const {
    for (std::int32_t i : started_) {
      const detail::Tile& tile = tiles_[i];
      k = t - tile.stream - lane;
      if (k >= 0 && k < core_.pe.steps() && lane < (row ? tile.rows : tile.cols)) return i;
    }
    return kNone;
  }

  template <bool kRecord>
  void stream_cycle(std::int64_t t) {
    const int R = core_.array.rows, C = core_.array.cols;
    const std::int64_t K = core_.pe.steps();
    const bool dbl = double_buffered();
    const bool rows = core_.row_stepping();
    ArrayStats& st = core_.stats;
    std::uint64_t busy = 0;
    const int q = ring_base(t);
    std::size_t sl = slot(t);  // row r's weight slot, slot(t - r): one slot back per row
    for (int r = 0; r < R; ++r, sl = sl == 0 ? wt_.size() - C : sl - C) {
      std::uint64_t macs = 0;  // row stepping: this row's steps, queued after the bookkeeping
      std::int64_t k_left = 0;
      ATag tag_left;
      Operand a_left{};
      tag_left.tile = streaming_at(t, r, true, k_left);
      if (tag_left.tile != kNone) {
        a_left = core_.pe.activation(tiles_[tag_left.tile].row0 + r, k_left);
        tag_left.k = k_left;
        tag_left.flags = (k_left == 0 ? kFirst : 0) | (core_.pe.restarts(k_left) ? kRestart : 0) |
                         (k_left == K - 1 ? kLast : 0);
        st.act_buffer.reads += Pe::words(a_left);
      }
      const std::size_t ring = static_cast<std::size_t>(r) * 2 * C;
      act_tag_[ring + q] = act_tag_[ring + q + C] = tag_left;
      act_flags_[ring + q] = act_flags_[ring + q + C] =
          tag_left.flags | (tag_left.tile != kNone ? kPresent : 0);
      act_[ring + q] = act_[ring + q + C] = a_left;
      if constexpr (detail::RowStepping<Pe>)
        act_val_[ring + q] = act_val_[ring + q + C] = Pe::value(a_left);
      if (r == 0) top_weights(t, sl);
      const ATag* tags = &act_tag_[ring + q];  // tags[c], acts[c]: PE(r, c)'s activation
      const Operand* acts = &act_[ring + q];
      const std::int32_t* wts = &wt_[sl];  // wts[c], ws[c]: its weight
      const Operand* ws = &w_[sl];
      // A MAC where an activation meets a weight: byte operations the compiler vectorizes,
      // the rare cases (a new output, a last step, two tiles in flight) after.
      const std::uint8_t* flags = &act_flags_[ring + q];
      const std::uint8_t* w_at = &w_at_[sl];
      std::uint8_t* ops = &op_[r * C];
      std::uint16_t* writes = reg_writes_.at(r * C);
      std::uint8_t seen = 0;
      for (int c = 0; c < C; ++c) {
        const std::uint8_t fa = flags[c], has_a = fa >> 3, has_w = w_at[c] >> 3;
        const std::uint8_t mac = has_a & has_w;
        // activation, weight; with a MAC the psum, the chunk lane on a new output or a
        // restart, the drain register pair on a last step (double buffering)
        writes[c] += static_cast<std::uint8_t>(
            has_a + has_w + mac * (1 + ((fa & (kFirst | kRestart)) != 0) + (dbl && (fa & kLast))));
        ops[c] = static_cast<std::uint8_t>(mac | (fa & kRestart & -mac));
        macs += mac;
        seen |= fa & -mac;
      }
      busy += macs;
      if (started_.size() > 1) {  // two tiles in flight: they must not meet
        bool clash = false;
        for (int c = 0; c < C; ++c) clash |= (ops[c] != 0) & (tags[c].tile != wts[c]);
        if (clash) throw std::logic_error("OS schedule: two tiles meet in one PE");
      }
      if (seen & kFirst)  // a new output: both lanes start from +0
        for (int c = 0; c < C; ++c)
          if (ops[c] && (flags[c] & kFirst)) psum_[r * C + c] = chunk_[r * C + c] = 0.0;
      if (dbl && (seen & kLast))  // the result goes to the drain register pair
        for (int c = 0; c < C; ++c)
          if (ops[c] && (flags[c] & kLast)) {
            cap_[r * C + c].tile = tags[c].tile;  // its lanes once the step ran
            cap_[r * C + c].row = r;
            captured_.push_back(r * C + c);
          }
      if (!rows) {
        for (int c = 0; c < C; ++c) {
          if (!ops[c]) continue;
          const int i = r * C + c;
          const detail::Lanes out = core_.template mac<kRecord>(
              i, tags[c].k, lanes(i), ops[c] & num::FastFmaq::kRestart, acts[c], ws[c]);
          psum_[i] = out.psum;
          chunk_[i] = out.chunk;
        }
        continue;
      }
      if (macs)
        core_.add_row(r * C, C, macs, &op_[r * C], &act_val_[ring + q], &w_val_[sl], &psum_[r * C],
                      &chunk_[r * C]);
    }
    if (rows) core_.template run_rows<kRecord>();
    for (const int i : captured_) cap_[i].lanes = lanes(i);
    core_.count_stream_cycle(busy, windows_.used_pes(), blocked_);
  }

  // Input skew of the weights: column c's top takes step t - s - c in cycle t, into `slot`.
  void top_weights(std::int64_t t, std::size_t slot) {
    for (int c = 0; c < core_.array.cols; ++c) {
      std::int64_t k_top = 0;
      const std::int32_t wt = streaming_at(t, c, false, k_top);
      wt_[slot + c] = wt;
      w_at_[slot + c] = wt != kNone ? kPresent : 0;
      if (wt == kNone) continue;
      w_[slot + c] = core_.pe.weight(k_top, tiles_[wt].col0 + c);
      if constexpr (detail::RowStepping<Pe>) w_val_[slot + c] = Pe::value(w_[slot + c]);
      core_.stats.weight_buffer.reads += Pe::words(w_[slot + c]);
    }
  }

  // Single buffering: the tile whose rows drain in cycle t (row t - drain start), or nullptr.
  const detail::Tile* single_draining(std::int64_t t) const {
    for (std::int32_t i : started_) {
      const detail::Tile& tile = tiles_[i];
      const std::int64_t j = t - tile.stream - window(tile);
      if (j >= 0 && j < tile.rows) return &tile;
    }
    return nullptr;
  }

  // Single buffering, drain cycle j: row j of the tile goes to the column-bottom chunk
  // accumulators, which add the last chunk into the chunk lane and write the results.
  void drain_row(const detail::Tile& tile, std::int64_t t) {
    const int r = static_cast<int>(t - tile.stream - window(tile));
    for (int c = 0; c < tile.cols; ++c) emit(tile, r, c, lanes(r * core_.array.cols + c), t);
  }

  // Double buffering, one cycle of every column's drain chain (docs/systolic.md): the bottom
  // register's word goes to the chunk accumulator; a word moves down when the register below
  // is free or moving and its PE is not capturing a result this cycle; captures land.
  void drain_chain(std::int64_t t) {
    const int R = core_.array.rows, C = core_.array.cols;
    for (int c = 0; c < C; ++c) {
      for (int r = R - 1; r >= 0; --r) {
        const Drain& d = drain_[r * C + c];
        if (r == R - 1) {
          moves_[r] = d.tile != kNone;
        } else {
          const bool below_free = drain_[(r + 1) * C + c].tile == kNone || moves_[r + 1];
          moves_[r] = d.tile != kNone && below_free && cap_[(r + 1) * C + c].tile == kNone;
        }
      }
      if (moves_[R - 1]) {
        const Drain& d = drain_[(R - 1) * C + c];
        emit(tiles_[d.tile], d.row, c, d.lanes, t);
        --drain_words_;
      }
      for (int r = R - 1; r >= 0; --r) {
        const int i = r * C + c;
        if (cap_[i].tile != kNone) {
          if (drain_[i].tile != kNone && !moves_[r])
            throw std::logic_error("OS schedule: a drain register is overwritten");
          drain_words_ += drain_[i].tile == kNone || moves_[r];
          drain_[i] = cap_[i];
          cap_[i].tile = kNone;
        } else if (r > 0 && moves_[r - 1]) {
          drain_[i] = drain_[i - C];
          core_.stats.pe[i].reg_writes += 2;
        } else if (moves_[r]) {
          drain_[i].tile = kNone;
        }
      }
    }
    captured_.clear();
  }

  // The column-bottom chunk accumulator finishes output (tile row r, column c) in cycle t.
  void emit(const detail::Tile& tile, int r, int c, const detail::Lanes& lanes, std::int64_t t) {
    OutputWord word;
    word.cycle = static_cast<std::uint64_t>(t);
    word.column = c;
    word.m = tile.row0 + r;
    word.n = tile.col0 + c;
    word.psum = lanes.psum;
    word.chunk = lanes.chunk;
    core_.result(word);
    ++core_.stats.out_buffer.writes;
    if (on_output) on_output(word);
  }

  detail::ArrayCore<Pe> core_;
  std::vector<Operand> act_;             // R rings of 2C activation registers
  std::vector<ATag> act_tag_;            // their tags (tile kNone: no activation)
  std::vector<std::uint8_t> act_flags_;  // their flags, with kPresent
  std::vector<std::uint8_t> w_at_;       // kPresent where wt_ is not kNone
  detail::WriteCounts reg_writes_;       // per PE, into the statistics when the GEMM ends
  std::vector<double> act_val_;          // their values (RowStepping PEs)
  std::vector<Operand> w_;               // R slots of C weight registers
  std::vector<std::int32_t> wt_;         // their tiles (kNone: no weight)
  std::vector<double> w_val_;            // their values (RowStepping PEs)
  std::vector<double> psum_, chunk_;     // stationary: the output's psum and chunk lane, per PE
  std::vector<std::uint8_t> op_;         // row stepping: this cycle's steps per PE (FastFmaq::Row)
  std::vector<Drain> drain_, cap_;       // double buffering: drain registers, this cycle's captures
  std::vector<int> captured_;            // PEs with a capture this cycle
  std::vector<std::uint8_t> moves_;      // per row of the column being drained: the word moves
  std::int64_t drain_words_ = 0;
  std::vector<detail::Tile> tiles_;
  std::size_t next_ = 0;               // the next tile to start
  std::vector<std::int32_t> started_;  // tiles streaming or draining, not ended
  detail::DramChannel dram_;
  detail::StreamWindows windows_;
  std::int64_t writes_done_ = 0;
  bool blocked_ = false;  // this cycle the next tile waits for DRAM
  bool done_ = true;
};

}  // namespace lbasim::sysc
