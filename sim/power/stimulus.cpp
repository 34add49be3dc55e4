#include "stimulus.h"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <random>

#include "lbasim/base/error.h"
#include "lbasim/numerics/encoding.h"
#include "lbasim/numerics/fmaq.h"
#include "lbasim/numerics/fused.h"
#include "lbasim/numerics/quantize.h"
#include "lbasim/traces/executor.h"
#include "lbasim/traces/lowering.h"
#include "lbasim/traces/trace.h"

namespace lbasim::power {
namespace {

struct Pair {
  double ps = 0, co = 0;
};

// G codes of `bits` bits as words of 64, most significant first (code i at bits i * bits, as
// the RTL's G-code ports hold them).
std::vector<std::uint64_t> pack_codes(const std::vector<std::uint64_t>& codes, int bits) {
  const std::size_t total = codes.size() * static_cast<std::size_t>(bits);
  std::vector<std::uint64_t> w((total + 63) / 64, 0);
  for (std::size_t i = 0; i < codes.size(); ++i)
    for (int b = 0; b < bits; ++b)
      if ((codes[i] >> b) & 1) {
        const std::size_t bit = i * static_cast<std::size_t>(bits) + static_cast<std::size_t>(b);
        w[w.size() - 1 - bit / 64] |= std::uint64_t{1} << (bit % 64);
      }
  return w;
}

// Code i of the `bits`-bit codes that pack_codes packed into `words`.
std::uint64_t unpacked_code(const std::vector<std::uint64_t>& words, int i, int bits) {
  std::uint64_t code = 0;
  for (int b = 0; b < bits; ++b) {
    const std::size_t bit =
        static_cast<std::size_t>(i) * static_cast<std::size_t>(bits) + static_cast<std::size_t>(b);
    code |= ((words[words.size() - 1 - bit / 64] >> (bit % 64)) & 1) << b;
  }
  return code;
}

std::size_t words_of(int bits) { return static_cast<std::size_t>((bits + 63) / 64); }

// One tile of the WS schedule (docs/systolic.md): K tiles inner, N tiles outer.
struct Tile {
  std::int64_t k0, n0;
  int kt, nt;
  std::int64_t start;  // global cycle of its first load cycle
  std::int64_t stream_start() const { return start + kt; }
};

class WsPeStreams {
 public:
  WsPeStreams(const std::vector<double>& a, const std::vector<double>& w, std::int64_t m,
              std::int64_t k, std::int64_t n, const num::AccumConfig& cfg, const PeFormats& f,
              int rows, int cols, bool column)
      : a_(a),
        w_(w),
        m_(m),
        k_(k),
        n_(n),
        cfg_(cfg),
        f_(f),
        rows_(rows),
        cols_(cols),
        column_(column),
        terms_(cfg.fused ? cfg.fused->terms : 1),
        floor_a_(num::operand_floor(f.a)),
        floor_w_(num::operand_floor(f.w)) {
    // The array's K is its PE steps (docs/rtl.md "The fused PE and array"): a step is one
    // product (FMAq) or one group of up to g products of a chunk (the fused order, numerics
    // contract section 7); a chunk of n products takes ceil(n / g) steps.
    chunk_products_ = (cfg.chunk <= 0 || cfg.chunk >= k) ? k : cfg.chunk;
    chunk_steps_ = (chunk_products_ + terms_ - 1) / terms_;
    steps_ = k / chunk_products_ * chunk_steps_ + (k % chunk_products_ + terms_ - 1) / terms_;
    std::int64_t g = 0;
    for (std::int64_t n0 = 0; n0 < n; n0 += cols)
      for (std::int64_t k0 = 0; k0 < steps_; k0 += rows) {
        const Tile t{k0, n0, static_cast<int>(std::min<std::int64_t>(rows, steps_ - k0)),
                     static_cast<int>(std::min<std::int64_t>(cols, n - n0)), g};
        tiles_.push_back(t);
        g += t.kt + m + rows + t.nt - 1;
      }
    total_ = g;
  }

  const std::vector<Tile>& tiles() const { return tiles_; }
  std::int64_t total_cycles() const { return total_; }

  // The tile whose schedule holds global cycle g (g in [0, total)).
  const Tile& tile_at(std::int64_t g) const {
    auto it = std::upper_bound(tiles_.begin(), tiles_.end(), g,
                               [](std::int64_t v, const Tile& t) { return v < t.start; });
    return *(it - 1);
  }
  // Stream row injected at global cycle g (-1 if none: load cycle, drain, before the start).
  std::int64_t injected_row(std::int64_t g, const Tile** tile) const {
    if (g < 0 || g >= total_) return -1;
    const Tile& t = tile_at(g);
    *tile = &t;
    const std::int64_t s = g - t.stream_start();
    return (s >= 0 && s < m_) ? s : -1;
  }

  bool restarts(std::int64_t s) const { return s > 0 && s < steps_ && s % chunk_steps_ == 0; }
  // Where the column-bottom chunk accumulator adds (chunk lane 'column'): the tile's last step
  // ends a chunk or K.
  bool chunk_end(const Tile& t) const { return t.k0 + t.kt >= steps_ || restarts(t.k0 + t.kt); }

  // Products [first, end) of step s: chunk s / chunk_steps_, group s % chunk_steps_ of it (as
  // the SystemC FusedPe and the RTL array's driver cut them; FMAq: product s).
  std::pair<std::int64_t, std::int64_t> group(std::int64_t s) const {
    const std::int64_t first = s / chunk_steps_ * chunk_products_ + s % chunk_steps_ * terms_;
    const std::int64_t end =
        std::min({k_, (s / chunk_steps_ + 1) * chunk_products_, first + terms_});
    return {first, end};
  }

  // The (psum, chunk) pair of output (m, n) after the steps < s, in the PE chain's order.
  Pair state(std::int64_t m, std::int64_t n, std::int64_t s) {
    auto [it, fresh] = states_.try_emplace({m, n});
    std::vector<Pair>& st = it->second;
    if (fresh) {
      st.resize(static_cast<std::size_t>(steps_ + 1));
      Pair p;
      for (std::int64_t j = 0; j < steps_; ++j) {
        st[j] = p;
        p = step(p, m, j, n, restarts(j));
      }
      st[steps_] = p;
    }
    return st[s];
  }

  // The PE rule (docs/systolic.md), golden arithmetic: step s of output (m, n).
  Pair step(const Pair& in, std::int64_t m, std::int64_t s, std::int64_t n, bool restart) const {
    Pair out;
    out.co = restart ? num::add_q(in.co, in.ps, cfg_.chunk_accumulator).value : in.co;
    const double ps = restart ? 0.0 : in.ps;
    const auto [first, end] = group(s);
    out.ps =
        cfg_.fused
            ? num::fused_step(ps, &a_[m * k_ + first], 1, &w_[first * n_ + n], n_,
                              static_cast<int>(end - first), *cfg_.fused, cfg_.product,
                              cfg_.accumulator, floor_a_, floor_w_)
                  .sum
            : num::fmaq(ps, a_[m * k_ + s], w_[s * n_ + n], cfg_.product, cfg_.accumulator).acc;
    return out;
  }

  // The G codes (one for FMAq) of step s's activations of row m / weights of column n as the
  // port's words; zero codes past a short group's end.
  std::vector<std::uint64_t> a_words(std::int64_t m, std::int64_t s) const {
    return codes(
        s, [&](std::int64_t kk) { return num::encode(a_[m * k_ + kk], f_.a); }, f_.a.width());
  }
  std::vector<std::uint64_t> w_words(std::int64_t s, std::int64_t n) const {
    return codes(
        s, [&](std::int64_t kk) { return num::encode(w_[kk * n_ + n], f_.w); }, f_.w.width());
  }
  std::vector<std::uint64_t> zero_words(int bits) const {
    return std::vector<std::uint64_t>(words_of(terms_ * bits), 0);
  }

  // Inputs of PE(r, c) in global cycle g, in ws_pe_design's port order. The schedule is
  // single-buffered (each tile's weights load into the shadow registers before its stream;
  // the tile's first activation row copies them to the active ones): the same hardware as
  // the double-buffered one, which overlaps the load with the previous tile's stream.
  std::vector<std::uint64_t> inputs(int r, int c, std::int64_t g) {
    const Tile& now = tile_at(g);
    const std::int64_t load_t = g - now.start;
    const bool w_load = load_t < now.kt && load_t == r;
    std::vector<std::uint64_t> w_in = zero_words(f_.w.width());
    if (load_t < now.kt && c < now.nt) w_in = w_words(now.k0 + load_t, now.n0 + c);
    // Activations with their tags: injected unskewed, r cycles of skew and c PEs to the left.
    const Tile* at = nullptr;
    const std::int64_t ma = injected_row(g - r - c, &at);
    const bool av = ma >= 0 && r < at->kt;
    const bool first = av && ma == 0;
    const bool restart = av && !column_ && restarts(at->k0 + r);  // 'column': no tag
    const std::vector<std::uint64_t> a_in = av ? a_words(ma, at->k0 + r) : zero_words(f_.a.width());
    // Partial pairs: injected at the column top, c cycles of skew, r rows above.
    const std::int64_t mp = injected_row(g - c - r, &at);
    const bool pv = mp >= 0 && c < at->nt;
    Pair pin;
    if (pv) {
      pin = state(mp, at->n0 + c, at->k0 + std::min(r, at->kt));
      // 'column': a chunk's psum enters the column top as +0 (the running sum is the column
      // bottom's, read from the output buffer).
      if (column_ && r == 0 && restarts(at->k0)) pin.ps = 0;
    } else if (r > 0) {  // the PE above holds its last valid pair
      for (std::int64_t h = g - c - r - 1; h >= 0; --h) {
        const std::int64_t mh = injected_row(h, &at);
        if (mh >= 0 && c < at->nt) {
          pin = state(mh, at->n0 + c, at->k0 + std::min(r, at->kt));
          break;
        }
      }
    }
    std::vector<std::uint64_t> in{0, w_load};
    in.insert(in.end(), w_in.begin(), w_in.end());
    in.insert(in.end(), {av, first, restart});
    in.insert(in.end(), a_in.begin(), a_in.end());
    in.insert(in.end(), {pv, num::encode(pin.ps, f_.accumulator),
                         column_ ? 0 : num::encode(pin.co, f_.chunk_accumulator)});
    return in;
  }

  // Inputs of the column-bottom chunk_lane of column c in global cycle g (chunk lane
  // 'column', rtl/array/systolic_ws.v): the last row's psum register (it holds its last valid
  // word), and where that word's K tile ends a chunk `add` with the output's running sum
  // (read from the output buffer; +0 before the first chunk), else 0 as the driver gives it.
  // In chunk_lane's port order: add, psum, chunk_in.
  std::vector<std::uint64_t> lane_inputs(int c, std::int64_t g) {
    const Tile* at = nullptr;
    for (std::int64_t h = g - c - rows_; h >= 0; --h) {  // the last word out of row R - 1
      const std::int64_t m = injected_row(h, &at);
      if (m < 0 || c >= at->nt) continue;
      const Pair p = state(m, at->n0 + c, at->k0 + at->kt);
      const bool add = h == g - c - rows_ && chunk_end(*at);
      return {add, num::encode(p.ps, f_.accumulator),
              add ? num::encode(p.co, f_.chunk_accumulator) : 0};
    }
    return {0, 0, 0};
  }

 private:
  const std::vector<double>& a_;
  const std::vector<double>& w_;
  std::int64_t m_, k_, n_;
  num::AccumConfig cfg_;
  PeFormats f_;
  int rows_, cols_;
  bool column_ = false;
  int terms_ = 1;  // products per step: 1 (FMAq) or the fused order's g
  int floor_a_, floor_w_;
  std::int64_t chunk_products_ = 1, chunk_steps_ = 1, steps_ = 0;
  std::vector<Tile> tiles_;
  std::int64_t total_ = 0;
  std::map<std::pair<std::int64_t, std::int64_t>, std::vector<Pair>> states_;

  template <typename Code>
  std::vector<std::uint64_t> codes(std::int64_t s, Code&& code, int bits) const {
    const auto [first, end] = group(s);
    std::vector<std::uint64_t> c(static_cast<std::size_t>(terms_), 0);
    for (std::int64_t kk = first; kk < end; ++kk)
      c[static_cast<std::size_t>(kk - first)] = code(kk);
    return pack_codes(c, bits);
  }
};

// The registers both WS PEs have (ws_pe, fused_ws_pe) as their always blocks update them: the
// shadow and active weights (the first activation row copies shadow to active), the activation
// moving right with its tags, the valid bits. Word: one code (ws_pe) or the G codes' port words
// (fused_ws_pe); nullopt / empty until written (X).
template <typename Word>
struct WsRegisters {
  Word shadow, active, a;
  std::optional<std::uint64_t> first, restart, av, pv;

  void clock(bool rst, bool w_load, const Word& w_in, bool copy, const Word& a_in, bool first_in,
             bool restart_in, bool av_in, bool pv_in) {
    if (copy) active = shadow;
    if (w_load) shadow = w_in;
    a = a_in;
    first = first_in;
    restart = restart_in;
    av = rst ? 0 : av_in;
    pv = rst ? 0 : pv_in;
  }
};

// The ws_pe registers (rtl/pe/ws_pe.v), golden: what the outputs become at the end of a
// cycle. A MAC is a cycle with a valid pair and a valid activation; one tagged `first` uses
// and activates the shadow weight. `column` (CHUNK_COLUMN = 1): no chunk lane, the restart tag
// and co_in are ignored, restart_out and co_out are 0. `stages` 2 (STAGES = 2): the activation
// (with the weight it meets and its restart tag) is taken in its cycle, and the MAC happens
// in the next cycle if a pair arrives then; the first activation copies shadow to active in
// its own cycle.
class WsPeModel {
 public:
  WsPeModel(const PeFormats& f, const num::AccumConfig& cfg, bool column, int stages)
      : f_(f), cfg_(cfg), column_(column), stages_(stages) {}

  std::vector<std::optional<std::uint64_t>> clock(const std::vector<std::uint64_t>& in) {
    const bool rst = in[0], w_load = in[1], av = in[3], first = in[4], pv = in[7];
    const bool restart_tag = !column_ && in[5];
    const std::uint64_t w_in = in[2], a_in = in[6], ps_in = in[8], co_in = in[9];
    const bool copy = (stages_ == 1 ? pv : true) && av && first;
    const std::optional<std::uint64_t>& wcode = copy ? regs_.shadow : regs_.active;
    // The accumulator stage's operands: this cycle's, or those registered a cycle ago.
    Operands now{av, restart_tag, a_in, wcode};
    const Operands& acc = stages_ == 1 ? now : held_;
    const bool mac = pv && acc.valid;
    if (pv) {
      if (mac) {
        if (!acc.w) throw std::logic_error("power stimulus: MAC before the weight was loaded");
        const double a = num::decode(acc.a, f_.a), w = num::decode(*acc.w, f_.w);
        const double ps = num::decode(ps_in, f_.accumulator);
        const double co = num::decode(co_in, f_.chunk_accumulator);
        ps_ =
            num::encode(num::fmaq(acc.restart ? 0.0 : ps, a, w, cfg_.product, cfg_.accumulator).acc,
                        f_.accumulator);
        co_ = acc.restart ? num::encode(num::add_q(co, ps, cfg_.chunk_accumulator).value,
                                        f_.chunk_accumulator)
                          : co_in;
      } else {
        ps_ = ps_in;
        co_ = co_in;
      }
    }
    if (stages_ == 2) {  // the product register takes a valid activation's product
      if (av) {
        held_.a = a_in;
        held_.w = wcode;
      }
      held_.restart = restart_tag;
      held_.valid = !rst && av;
    }
    if (column_) co_ = 0;  // a constant, from the first cycle
    regs_.clock(rst, w_load, w_in, copy, a_in, first, restart_tag, av, pv);
    return {regs_.av, regs_.first, regs_.restart, regs_.a, regs_.pv, ps_, co_};
  }

 private:
  struct Operands {
    bool valid = false, restart = false;
    std::uint64_t a = 0;
    std::optional<std::uint64_t> w;
  };
  PeFormats f_;
  num::AccumConfig cfg_;
  bool column_;
  int stages_;
  Operands held_;
  WsRegisters<std::optional<std::uint64_t>> regs_;
  std::optional<std::uint64_t> ps_, co_;
};

// The column-bottom chunk_lane (rtl/pe/chunk_lane.v), golden: combinational,
// chunk_out = add ? Q_cacc(chunk_in + psum) : chunk_in.
std::vector<std::optional<std::uint64_t>> lane_model(const std::vector<std::uint64_t>& in,
                                                     const PeFormats& f,
                                                     const num::AccumConfig& cfg) {
  if (!in[0]) return {in[2]};
  const double sum = num::add_q(num::decode(in[2], f.chunk_accumulator),
                                num::decode(in[1], f.accumulator), cfg.chunk_accumulator)
                         .value;
  return {num::encode(sum, f.chunk_accumulator)};
}

// The fused_ws_pe registers (rtl/pe/fused_ws_pe.v, chunk lane pe), golden: ws_pe's registers
// (1 stage) on G-code words, a MAC being one step of the fused order on all G slots (zero codes
// take no part): ps_out = fused_step(restart ? +0 : ps_in, a, w), co_out = restart ?
// Q_cacc(co_in + ps_in) : co_in. Inputs in fused_ws_pe_design's port order, G-code ports as
// pack_codes words.
class FusedWsPeModel {
 public:
  FusedWsPeModel(const PeFormats& f, const num::AccumConfig& cfg)
      : f_(f),
        cfg_(cfg),
        g_(cfg.fused->terms),
        aw_(words_of(g_ * f.a.width())),
        ww_(words_of(g_ * f.w.width())),
        floor_a_(num::operand_floor(f.a)),
        floor_w_(num::operand_floor(f.w)) {}

  // Word positions of the 1-bit ports av_in and pv_in (for the MAC flag).
  std::size_t av_index() const { return 2 + ww_; }
  std::size_t pv_index() const { return 2 + ww_ + 3 + aw_; }

  std::vector<std::optional<std::uint64_t>> clock(const std::vector<std::uint64_t>& in) {
    const auto at = [&](std::size_t i, std::size_t n) {
      return std::vector<std::uint64_t>(in.begin() + static_cast<std::ptrdiff_t>(i),
                                        in.begin() + static_cast<std::ptrdiff_t>(i + n));
    };
    const std::size_t av_i = av_index(), pv_i = pv_index();
    const bool rst = in[0], w_load = in[1], av = in[av_i], first = in[av_i + 1],
               restart = in[av_i + 2], pv = in[pv_i];
    const std::vector<std::uint64_t> w_in = at(2, ww_), a_in = at(av_i + 3, aw_);
    const std::uint64_t ps_in = in[pv_i + 1], co_in = in[pv_i + 2];
    const bool mac = pv && av, copy = mac && first;
    if (pv) {
      ps_ = ps_in;
      co_ = co_in;
      if (mac) {
        const auto& w = copy ? regs_.shadow : regs_.active;
        if (w.empty()) throw std::logic_error("power stimulus: MAC before the weight was loaded");
        const double ps = num::decode(ps_in, f_.accumulator);
        const std::vector<double> a = values(a_in, f_.a), wv = values(w, f_.w);
        ps_ = num::encode(
            num::fused_step(restart ? 0.0 : ps, a.data(), 1, wv.data(), 1, g_, *cfg_.fused,
                            cfg_.product, cfg_.accumulator, floor_a_, floor_w_)
                .sum,
            f_.accumulator);
        if (restart)
          co_ = num::encode(
              num::add_q(num::decode(co_in, f_.chunk_accumulator), ps, cfg_.chunk_accumulator)
                  .value,
              f_.chunk_accumulator);
      }
    }
    regs_.clock(rst, w_load, w_in, copy, a_in, first, restart, av, pv);
    std::vector<std::optional<std::uint64_t>> out{regs_.av, regs_.first, regs_.restart};
    for (std::size_t i = 0; i < aw_; ++i)
      out.push_back(regs_.a.empty() ? std::nullopt : std::optional<std::uint64_t>(regs_.a[i]));
    out.insert(out.end(), {regs_.pv, ps_, co_});
    return out;
  }

 private:
  std::vector<double> values(const std::vector<std::uint64_t>& words, const num::Format& f) const {
    std::vector<double> v(static_cast<std::size_t>(g_));
    for (int i = 0; i < g_; ++i)
      v[static_cast<std::size_t>(i)] = num::decode(unpacked_code(words, i, f.width()), f);
    return v;
  }

  PeFormats f_;
  num::AccumConfig cfg_;
  int g_;
  std::size_t aw_, ww_;
  int floor_a_, floor_w_;
  WsRegisters<std::vector<std::uint64_t>> regs_;
  std::optional<std::uint64_t> ps_, co_;
};

// The output-stationary schedule (docs/systolic.md), single-buffered: per output tile (M
// tiles inner, N tiles outer) the activations A[m0 + r][k] and weights W[k][n0 + c] stream
// with their skew, PE(r, c) doing product k in cycle start + k + r + c, then the R result
// rows drain through the column bottoms' row select (the PEs wait).
struct OsTile {
  std::int64_t m0, n0;
  int mt, nt;
  std::int64_t start;
};

class OsPeStreams {
 public:
  OsPeStreams(const std::vector<double>& a, const std::vector<double>& w, std::int64_t m,
              std::int64_t k, std::int64_t n, const num::AccumConfig& cfg, const PeFormats& f,
              int rows, int cols)
      : a_(a), w_(w), k_(k), n_(n), f_(f) {
    chunk_ = (cfg.chunk <= 0 || cfg.chunk >= k) ? 0 : cfg.chunk;
    std::int64_t g = 0;
    for (std::int64_t n0 = 0; n0 < n; n0 += cols)
      for (std::int64_t m0 = 0; m0 < m; m0 += rows) {
        tiles_.push_back({m0, n0, static_cast<int>(std::min<std::int64_t>(rows, m - m0)),
                          static_cast<int>(std::min<std::int64_t>(cols, n - n0)), g});
        g += k + rows + cols - 1 + rows;  // stream with its skew, then the drain
      }
    total_ = g;
  }
  const std::vector<OsTile>& tiles() const { return tiles_; }
  std::int64_t total_cycles() const { return total_; }

  // Inputs of PE(r, c) in global cycle g, in os_pe_design's port order: rst, chain, av_in,
  // first_in, restart_in, last_in, a_in, wv_in, w_in, up_valid, up_ps, up_co, down_takes.
  // Single buffering: chain 0, no drain-chain words, the register below always takes.
  std::vector<std::uint64_t> inputs(int r, int c, std::int64_t g) const {
    std::vector<std::uint64_t> in(13, 0);
    in[12] = 1;
    auto it = std::upper_bound(tiles_.begin(), tiles_.end(), g,
                               [](std::int64_t v, const OsTile& t) { return v < t.start; });
    const OsTile& t = *(it - 1);
    const std::int64_t kk = g - t.start - r - c;
    if (kk < 0 || kk >= k_) return in;
    const bool av = r < t.mt, wv = c < t.nt;
    if (av) {
      in[2] = 1;
      in[3] = kk == 0;
      in[4] = chunk_ > 0 && kk > 0 && kk % chunk_ == 0;
      in[5] = kk == k_ - 1;
      in[6] = num::encode(a_[(t.m0 + r) * k_ + kk], f_.a);
    }
    if (wv) {
      in[7] = 1;
      in[8] = num::encode(w_[kk * n_ + t.n0 + c], f_.w);
    }
    return in;
  }

 private:
  const std::vector<double>& a_;
  const std::vector<double>& w_;
  std::int64_t k_, n_;
  PeFormats f_;
  std::int64_t chunk_ = 0;
  std::vector<OsTile> tiles_;
  std::int64_t total_ = 0;
};

// The os_pe registers (rtl/pe/os_pe.v) with chain = 0, golden: a MAC (both operands valid)
//   first:   ps = Q_acc(Q_prod(a*w) + 0),  co = +0
//   restart: ps = Q_acc(Q_prod(a*w) + 0),  co = Q_cacc(co + ps)
//   else:    ps = Q_acc(Q_prod(a*w) + ps), co = co
// the operands and tags move on, the drain register stays empty.
class OsPeModel {
 public:
  OsPeModel(const PeFormats& f, const num::AccumConfig& cfg) : f_(f), cfg_(cfg) {}

  std::vector<std::optional<std::uint64_t>> clock(const std::vector<std::uint64_t>& in) {
    const bool rst = in[0], av = in[2], first = in[3], restart = in[4], wv = in[7];
    if (av && wv) {
      const double a = num::decode(in[6], f_.a), w = num::decode(in[8], f_.w);
      if (!first && !ps_) throw std::logic_error("power stimulus: OS MAC without a first product");
      const double ps = ps_ ? num::decode(*ps_, f_.accumulator) : 0.0;
      const double co = co_ ? num::decode(*co_, f_.chunk_accumulator) : 0.0;
      if (first) {
        co_ = 0;
      } else if (restart) {
        co_ = num::encode(num::add_q(co, ps, cfg_.chunk_accumulator).value, f_.chunk_accumulator);
      }
      ps_ = num::encode(
          num::fmaq(first || restart ? 0.0 : ps, a, w, cfg_.product, cfg_.accumulator).acc,
          f_.accumulator);
    }
    a_ = in[6];
    first_ = in[3];
    restart_ = in[4];
    last_ = in[5];
    w_ = in[8];
    av_ = rst ? 0 : av;
    wv_ = rst ? 0 : wv;
    d_valid_ = 0;  // chain 0 and nothing above: the drain register never fills
    return {av_, first_, restart_, last_, a_, wv_, w_, ps_, co_, d_valid_};
  }

 private:
  PeFormats f_;
  num::AccumConfig cfg_;
  std::optional<std::uint64_t> a_, first_, restart_, last_, w_, av_, wv_, ps_, co_, d_valid_;
};

int scale_of(const traces::OperandQuant& q, const std::string& what) {
  if (q.scale_exp.size() != 1)
    throw InputError(
        fmt::format("{}: per-channel scales; the power flow needs a layer with one "
                    "scale per tensor",
                    what));
  return q.scale_exp[0];
}

}  // namespace

namespace {

// A layer's GEMM operands as the PE sees them, with the formats of its codes.
struct LayerGemm {
  const traces::Op* op;
  std::vector<double> a, w;
  std::int64_t m, k, n;
  int sa, sw;
  PeFormats f;
};

LayerGemm layer_gemm(const traces::Trace& trace, const num::AccumConfig& cfg,
                     const std::string& layer) {
  const traces::Op& op = trace.layer(layer);
  if (!op.quant)
    throw InputError(
        fmt::format("{}: layer '{}' has no W/A quantization; the power flow needs "
                    "FP8 operands",
                    (trace.dir / "manifest.json").string(), layer));
  const auto cap = trace.captures.find(op.name);
  if (cap == trace.captures.end())
    throw InputError(fmt::format("{}: layer '{}' has no captured input (activations)",
                                 (trace.dir / "manifest.json").string(), op.name));
  // The layer's operands as the GEMM sees them (first captured image, group 0).
  traces::GemmSettings settings;
  settings.config = cfg;
  const traces::GraphRunner runner(trace, settings);
  const auto& layers = runner.gemm_layers();
  const std::size_t l =
      static_cast<std::size_t>(std::find(layers.begin(), layers.end(), &op) - layers.begin());
  traces::Tensor x;
  x.shape = cap->second.input_shape;
  x.shape[0] = 1;
  x.data.assign(cap->second.input.begin(), cap->second.input.begin() + x.per_sample());
  LayerGemm g{&op,
              traces::lower_input(op, runner.quantize_input(l, x, nullptr), 0),
              runner.weight_matrix(l, 0),
              op.kind == traces::OpKind::linear ? 1 : op.shape[1] * op.shape[2],
              op.gemm_k(),
              op.gemm_n(),
              scale_of(op.quant->input, "input of " + op.name),
              scale_of(op.quant->weight, "weights of " + op.name),
              {op.quant->input.format, op.quant->weight.format, cfg.product, cfg.accumulator,
               cfg.chunk_accumulator}};
  // The flexible bias: codes of x / 2^s in the W/A format are the codes of x in the format
  // with bias b - s.
  g.f.a.bias -= g.sa;
  g.f.w.bias -= g.sw;
  return g;
}

// The stimulus of one design placed at a few positions (PE row, column) of the array: per
// position consecutive tiles from its own place in the GEMM, after two reset cycles. `cycle`
// gives the design's inputs, expected outputs and MAC flag at (row, column, global cycle).
template <typename Streams, typename Cycle>
Stimulus positioned_stimulus(const traces::Trace& trace, const num::AccumConfig& cfg,
                             const WsStimulusOptions& opt, const LayerGemm& g,
                             const Streams& streams, RtlDesign design, Cycle&& cycle) {
  Stimulus s;
  s.design = std::move(design);
  const auto& tiles = streams.tiles();
  const int positions = std::max(1, opt.positions);
  const std::int64_t budget = std::max<std::int64_t>(1, opt.cycles / positions);
  nlohmann::json pos_json = nlohmann::json::array();
  std::size_t input_words = 0;  // a port wider than 64 bits takes several words
  for (const auto& port : s.design.inputs) input_words += words_of(port.second);
  for (int i = 0; i < 2; ++i) {
    std::vector<std::uint64_t> in(input_words, 0);
    if (s.design.clocked) in[0] = 1;  // rst
    const auto [ins, exp, mac] = cycle(-1, -1, -1, in);
    s.inputs.push_back(ins);
    s.expected.push_back(exp);
    s.mac.push_back(mac);
  }
  for (int p = 0; p < positions; ++p) {
    const int r =
        static_cast<int>((static_cast<std::int64_t>(p) * 5 + 1) * opt.rows / 8 % opt.rows);
    const int c =
        static_cast<int>((static_cast<std::int64_t>(p) * 3 + 2) * opt.cols / 8 % opt.cols);
    std::size_t first =
        tiles.size() * static_cast<std::size_t>(p) / static_cast<std::size_t>(positions);
    std::int64_t used = 0, ntiles = 0;
    for (std::size_t t = first; t < tiles.size() && (used < budget || ntiles == 0); ++t) {
      const std::int64_t end = t + 1 < tiles.size() ? tiles[t + 1].start : streams.total_cycles();
      for (std::int64_t gc = tiles[t].start; gc < end; ++gc) {
        const auto [ins, exp, mac] = cycle(r, c, gc, {});
        s.inputs.push_back(ins);
        s.expected.push_back(exp);
        s.mac.push_back(mac);
      }
      used += end - tiles[t].start;
      ++ntiles;
      if (p == 0 && ntiles == 1) s.warmup = static_cast<std::int64_t>(s.inputs.size());
    }
    pos_json.push_back({{"row", r}, {"col", c}, {"first_tile", first}, {"tiles", ntiles}});
  }
  std::int64_t macs = 0;
  for (std::size_t i = static_cast<std::size_t>(s.warmup); i < s.mac.size(); ++i) macs += s.mac[i];
  s.info = {{"kind", s.design.top},
            {"trace", trace.name},
            {"layer", g.op->name},
            {"gemm", {{"m", g.m}, {"k", g.k}, {"n", g.n}}},
            {"scale_exp", {{"a", g.sa}, {"w", g.sw}}},
            {"array", fmt::format("{}x{}", opt.rows, opt.cols)},
            {"chunk", cfg.chunk},
            {"chunk_lane", opt.column ? "column" : "pe"},
            {"stages", opt.stages},
            {"positions", pos_json},
            {"cycles", s.inputs.size()},
            {"warmup", s.warmup},
            {"mac_cycles", macs},
            {"formats",
             {{"a", g.f.a.to_string()},
              {"w", g.f.w.to_string()},
              {"product", g.f.product.to_string()},
              {"accumulator", g.f.accumulator.to_string()},
              {"chunk_accumulator", g.f.chunk_accumulator.to_string()}}}};
  return s;
}

struct CycleIo {
  std::vector<std::uint64_t> inputs;
  std::vector<std::optional<std::uint64_t>> expected;
  std::uint8_t mac;
};

void check_column(const num::AccumConfig& cfg, const WsStimulusOptions& opt) {
  if (opt.stages != 1 && opt.stages != 2)
    throw InputError(fmt::format("--stages {}: expected 1 or 2", opt.stages));
  if (opt.column && cfg.chunk > 0 && cfg.chunk % opt.rows != 0)
    throw InputError(fmt::format(
        "--chunk-lane column: chunk {} is not a multiple of the array's {} rows (--array)",
        cfg.chunk, opt.rows));
}

}  // namespace

Stimulus ws_pe_stimulus(const traces::Trace& trace, const num::AccumConfig& cfg,
                        const WsStimulusOptions& opt) {
  check_column(cfg, opt);
  const LayerGemm g = layer_gemm(trace, cfg, opt.layer);
  WsPeStreams streams(g.a, g.w, g.m, g.k, g.n, cfg, g.f, opt.rows, opt.cols, opt.column);
  WsPeModel pe(g.f, cfg, opt.column, opt.stages);
  bool held_av = false;  // STAGES = 2: the activation valid of the previous cycle
  return positioned_stimulus(
      trace, cfg, opt, g, streams, ws_pe_design(g.f, opt.column ? "column" : "pe", opt.stages),
      [&](int r, int c, std::int64_t gc, std::vector<std::uint64_t> reset) {
        auto in = r < 0 ? reset : streams.inputs(r, c, gc);
        bool mac = in[7] && in[3];
        if (opt.stages == 2) {
          // The pairs arrive one cycle later than with one stage (the PE above adds a cycle
          // later), the activations at the same time: the MAC is a pair after an activation.
          const auto before = r < 0 || gc == 0 ? std::vector<std::uint64_t>(in.size(), 0)
                                               : streams.inputs(r, c, gc - 1);
          for (std::size_t i = 7; i < 10; ++i) in[i] = before[i];
          mac = in[7] && held_av;
          held_av = !in[0] && in[3];
        }
        return CycleIo{in, pe.clock(in), static_cast<std::uint8_t>(mac)};
      });
}

Stimulus fused_ws_pe_stimulus(const traces::Trace& trace, const num::AccumConfig& cfg,
                              const WsStimulusOptions& opt) {
  if (!cfg.fused)
    throw InputError(
        "--pe fused: the configuration has no key 'fused' (terms, align_bits); the fused PE "
        "computes the fused order only");
  if (opt.column || opt.stages != 1)
    throw InputError("--pe fused: the fused PE is built with chunk lane pe and 1 stage only");
  const LayerGemm g = layer_gemm(trace, cfg, opt.layer);
  WsPeStreams streams(g.a, g.w, g.m, g.k, g.n, cfg, g.f, opt.rows, opt.cols, false);
  FusedWsPeModel pe(g.f, cfg);
  Stimulus s = positioned_stimulus(
      trace, cfg, opt, g, streams, fused_ws_pe_design(g.f, cfg.fused->terms, cfg.fused->align_bits),
      [&](int r, int c, std::int64_t gc, std::vector<std::uint64_t> reset) {
        const auto in = r < 0 ? reset : streams.inputs(r, c, gc);
        const bool mac = in[pe.av_index()] && in[pe.pv_index()];
        return CycleIo{in, pe.clock(in), static_cast<std::uint8_t>(mac)};
      });
  s.info["pe"] = "fused";
  s.info["terms"] = cfg.fused->terms;
  s.info["align_bits"] = cfg.fused->align_bits;
  s.info["formats"]["product"] = "exact";
  return s;
}

Stimulus os_pe_stimulus(const traces::Trace& trace, const num::AccumConfig& cfg,
                        const WsStimulusOptions& opt) {
  if (opt.column || opt.stages != 1)
    throw InputError(
        "--dataflow os: the output-stationary PE is built with chunk lane pe and 1 stage only");
  const LayerGemm g = layer_gemm(trace, cfg, opt.layer);
  const OsPeStreams streams(g.a, g.w, g.m, g.k, g.n, cfg, g.f, opt.rows, opt.cols);
  OsPeModel pe(g.f, cfg);
  Stimulus s = positioned_stimulus(
      trace, cfg, opt, g, streams, os_pe_design(g.f),
      [&](int r, int c, std::int64_t gc, std::vector<std::uint64_t> reset) {
        auto in = r < 0 ? reset : streams.inputs(r, c, gc);
        if (r < 0) in[12] = 1;
        return CycleIo{in, pe.clock(in), static_cast<std::uint8_t>(in[2] && in[7])};
      });
  s.info["dataflow"] = "os";
  return s;
}

Stimulus column_lane_stimulus(const traces::Trace& trace, const num::AccumConfig& cfg,
                              const WsStimulusOptions& opt) {
  check_column(cfg, opt);
  const LayerGemm g = layer_gemm(trace, cfg, opt.layer);
  WsPeStreams streams(g.a, g.w, g.m, g.k, g.n, cfg, g.f, opt.rows, opt.cols, true);
  return positioned_stimulus(
      trace, cfg, opt, g, streams, column_lane_design(g.f),
      [&](int, int c, std::int64_t gc, std::vector<std::uint64_t> reset) {
        const auto in = c < 0 ? reset : streams.lane_inputs(c, gc);
        return CycleIo{in, lane_model(in, g.f, cfg), static_cast<std::uint8_t>(in[0])};
      });
}

Stimulus unit_stimulus(const std::string& op, const num::Format& f, std::int64_t cycles,
                       std::uint64_t seed) {
  Stimulus s;
  s.design = unit_design(op, f);
  std::mt19937_64 gen(seed);
  std::normal_distribution<double> normal;
  for (std::int64_t i = 0; i < cycles; ++i) {
    const double x = num::quantize(normal(gen), f).value;
    const double y = num::quantize(normal(gen), f).value;
    const double z = op == "add" ? num::add_q(x, y, f).value : num::mul_q(x, y, f).value;
    s.inputs.push_back({num::encode(x, f), num::encode(y, f)});
    s.expected.push_back({num::encode(z, f)});
    s.mac.push_back(1);
  }
  s.info = {{"kind", "unit"},   {"op", op},    {"format", f.to_string()},
            {"cycles", cycles}, {"warmup", 0}, {"mac_cycles", cycles},
            {"seed", seed}};
  return s;
}

Stimulus dot_unit_stimulus(const DotUnitFormats& f, std::int64_t k, std::int64_t cycles,
                           std::uint64_t seed) {
  Stimulus s;
  s.design = dot_unit_design(f);
  const int g = f.fused ? f.terms : 1;
  const std::int64_t steps = (k + g - 1) / g;  // per output
  const int aw = f.a.width(), ww = f.w.width();
  if (g * std::max(aw, ww) > 64 * 64)
    throw InputError(
        fmt::format("dot unit stimulus: {} terms of {} bits: ports too wide", g, std::max(aw, ww)));
  std::mt19937_64 gen(seed);
  std::normal_distribution<double> normal;
  const num::FusedOrder order{f.terms, f.align_bits, true};
  const int floor_a = num::operand_floor(f.a), floor_w = num::operand_floor(f.w);
  double acc = 0;
  std::vector<double> a(static_cast<std::size_t>(g)), w(a.size());
  std::vector<std::uint64_t> ac(a.size()), wc(a.size());
  for (std::int64_t t = 0; t < cycles; ++t) {
    const std::int64_t step = t % steps;
    if (step == 0) acc = 0;
    const int count = static_cast<int>(std::min<std::int64_t>(g, k - step * g));
    for (int i = 0; i < g; ++i) {
      a[i] = i < count ? num::quantize(normal(gen), f.a).value : 0.0;
      w[i] = i < count ? num::quantize(normal(gen), f.w).value : 0.0;
      ac[i] = num::encode(a[i], f.a);
      wc[i] = num::encode(w[i], f.w);
    }
    std::vector<std::uint64_t> in = pack_codes(ac, aw);
    const auto win = pack_codes(wc, ww);
    in.insert(in.end(), win.begin(), win.end());
    in.push_back(num::encode(acc, f.accumulator));
    acc = f.fused ? num::fused_step(acc, a.data(), 1, w.data(), 1, count, order, f.product,
                                    f.accumulator, floor_a, floor_w)
                        .sum
                  : num::fmaq(acc, a[0], w[0], f.product, f.accumulator).acc;
    s.inputs.push_back(std::move(in));
    s.expected.push_back({num::encode(acc, f.accumulator)});
    s.mac.push_back(1);
  }
  s.info = {{"kind", f.fused ? "fused_dot" : "fmaq"},
            {"terms", g},
            {"align_bits", f.align_bits},
            {"k", k},
            {"cycles", cycles},
            {"warmup", 0},
            {"mac_cycles", cycles},
            {"macs", cycles * g},
            {"seed", seed},
            {"formats",
             {{"a", f.a.to_string()},
              {"w", f.w.to_string()},
              {"product", f.fused ? "exact" : f.product.to_string()},
              {"accumulator", f.accumulator.to_string()},
              {"chunk_accumulator", f.accumulator.to_string()}}}};
  return s;
}

void write_stimulus(const Stimulus& s, const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  nlohmann::json j = s.info;
  j["design"] = to_json(s.design);
  std::ofstream(dir / "stimulus.json") << j.dump(1) << "\n";
  std::ofstream in(dir / "inputs.hex"), ex(dir / "expected.hex");
  for (std::size_t t = 0; t < s.inputs.size(); ++t) {
    std::size_t word = 0;
    for (const auto& [name, width] : s.design.inputs) {
      const auto n = static_cast<std::size_t>((width + 63) / 64);
      for (std::size_t i = 0; i < n; ++i)
        in << (i ? fmt::format("{:016x}", s.inputs[t].at(word + i))
                 : fmt::format("{:x}", s.inputs[t].at(word + i)));
      in << " ";
      word += n;
    }
    in << static_cast<int>(s.mac[t]) << "\n";
    std::size_t at = 0;
    for (const auto& [name, width] : s.design.outputs) {
      const std::size_t n = words_of(width);
      ex << (at ? " " : "");
      if (!s.expected[t].at(at)) ex << "x";
      for (std::size_t i = 0; i < n && s.expected[t][at]; ++i)
        ex << (i ? fmt::format("{:016x}", *s.expected[t].at(at + i))
                 : fmt::format("{:x}", *s.expected[t].at(at + i)));
      at += n;
    }
    ex << "\n";
  }
  if (!in || !ex) throw InputError(fmt::format("{}: cannot write the stimulus", dir.string()));
}

}  // namespace lbasim::power
