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
              int rows, int cols)
      : a_(a), w_(w), m_(m), k_(k), n_(n), cfg_(cfg), f_(f), rows_(rows), cols_(cols) {
    chunk_ = (cfg.chunk <= 0 || cfg.chunk >= k) ? 0 : cfg.chunk;
    std::int64_t g = 0;
    for (std::int64_t n0 = 0; n0 < n; n0 += cols)
      for (std::int64_t k0 = 0; k0 < k; k0 += rows) {
        const Tile t{k0, n0, static_cast<int>(std::min<std::int64_t>(rows, k - k0)),
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

  bool restarts(std::int64_t kk) const { return chunk_ > 0 && kk > 0 && kk % chunk_ == 0; }

  // The (psum, chunk) pair of output (m, n) after the products k < kk, in the PE chain's order.
  Pair state(std::int64_t m, std::int64_t n, std::int64_t kk) {
    auto [it, fresh] = states_.try_emplace({m, n});
    std::vector<Pair>& s = it->second;
    if (fresh) {
      s.resize(static_cast<std::size_t>(k_ + 1));
      Pair p;
      for (std::int64_t j = 0; j < k_; ++j) {
        s[j] = p;
        p = step(p, a_[m * k_ + j], w_[j * n_ + n], restarts(j));
      }
      s[k_] = p;
    }
    return s[kk];
  }

  // The PE rule (docs/systolic.md), golden arithmetic.
  Pair step(const Pair& in, double a, double w, bool restart) const {
    Pair out;
    if (restart) {
      out.co = num::add_q(in.co, in.ps, cfg_.chunk_accumulator).value;
      out.ps = num::fmaq(0.0, a, w, cfg_.product, cfg_.accumulator).acc;
    } else {
      out.co = in.co;
      out.ps = num::fmaq(in.ps, a, w, cfg_.product, cfg_.accumulator).acc;
    }
    return out;
  }

  // Inputs of PE(r, c) in global cycle g, in ws_pe_design's port order. The schedule is
  // single-buffered (each tile's weights load into the shadow registers before its stream;
  // the tile's first activation row copies them to the active ones): the same hardware as
  // the double-buffered one, which overlaps the load with the previous tile's stream.
  std::vector<std::uint64_t> inputs(int r, int c, std::int64_t g) {
    const Tile& now = tile_at(g);
    const std::int64_t load_t = g - now.start;
    const bool w_load = load_t < now.kt && load_t == r;
    std::uint64_t w_in = 0;
    if (load_t < now.kt && c < now.nt)
      w_in = num::encode(w_[(now.k0 + load_t) * n_ + now.n0 + c], f_.w);
    // Activations with their tags: injected unskewed, r cycles of skew and c PEs to the left.
    const Tile* at = nullptr;
    const std::int64_t ma = injected_row(g - r - c, &at);
    const bool av = ma >= 0 && r < at->kt;
    const bool first = av && ma == 0;
    const bool restart = av && restarts(at->k0 + r);
    const std::uint64_t a_in = av ? num::encode(a_[ma * k_ + at->k0 + r], f_.a) : 0;
    // Partial pairs: injected at the column top, c cycles of skew, r rows above.
    const std::int64_t mp = injected_row(g - c - r, &at);
    const bool pv = mp >= 0 && c < at->nt;
    Pair pin;
    if (pv) {
      pin = state(mp, at->n0 + c, at->k0 + std::min(r, at->kt));
    } else if (r > 0) {  // the PE above holds its last valid pair
      for (std::int64_t h = g - c - r - 1; h >= 0; --h) {
        const std::int64_t mh = injected_row(h, &at);
        if (mh >= 0 && c < at->nt) {
          pin = state(mh, at->n0 + c, at->k0 + std::min(r, at->kt));
          break;
        }
      }
    }
    return {0,
            w_load,
            w_in,
            av,
            first,
            restart,
            a_in,
            pv,
            num::encode(pin.ps, f_.accumulator),
            num::encode(pin.co, f_.chunk_accumulator)};
  }

 private:
  const std::vector<double>& a_;
  const std::vector<double>& w_;
  std::int64_t m_, k_, n_;
  num::AccumConfig cfg_;
  PeFormats f_;
  int rows_, cols_;
  std::int64_t chunk_ = 0;
  std::vector<Tile> tiles_;
  std::int64_t total_ = 0;
  std::map<std::pair<std::int64_t, std::int64_t>, std::vector<Pair>> states_;
};

// The ws_pe registers (rtl/pe/ws_pe.v), golden: what the outputs become at the end of a
// cycle. A MAC is a cycle with a valid pair and a valid activation; one tagged `first` uses
// and activates the shadow weight.
class WsPeModel {
 public:
  explicit WsPeModel(const PeFormats& f, const num::AccumConfig& cfg) : f_(f), cfg_(cfg) {}

  std::vector<std::optional<std::uint64_t>> clock(const std::vector<std::uint64_t>& in) {
    const bool rst = in[0], w_load = in[1], av = in[3], first = in[4], restart = in[5], pv = in[7];
    const std::uint64_t w_in = in[2], a_in = in[6], ps_in = in[8], co_in = in[9];
    const bool mac = pv && av, copy = mac && first;
    if (pv) {
      if (mac) {
        const std::optional<std::uint64_t>& wcode = copy ? shadow_ : active_;
        if (!wcode) throw std::logic_error("power stimulus: MAC before the weight was loaded");
        const double a = num::decode(a_in, f_.a), w = num::decode(*wcode, f_.w);
        const double ps = num::decode(ps_in, f_.accumulator);
        const double co = num::decode(co_in, f_.chunk_accumulator);
        ps_ = num::encode(num::fmaq(restart ? 0.0 : ps, a, w, cfg_.product, cfg_.accumulator).acc,
                          f_.accumulator);
        co_ = restart ? num::encode(num::add_q(co, ps, cfg_.chunk_accumulator).value,
                                    f_.chunk_accumulator)
                      : co_in;
      } else {
        ps_ = ps_in;
        co_ = co_in;
      }
    }
    if (copy) active_ = shadow_;
    if (w_load) shadow_ = w_in;
    a_ = a_in;
    first_ = first;
    restart_ = restart;
    av_ = rst ? 0 : av;
    pv_ = rst ? 0 : pv;
    return {av_, first_, restart_, a_, pv_, ps_, co_};
  }

 private:
  PeFormats f_;
  num::AccumConfig cfg_;
  std::optional<std::uint64_t> shadow_, active_, a_, first_, restart_, av_, pv_, ps_, co_;
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

Stimulus ws_pe_stimulus(const traces::Trace& trace, const num::AccumConfig& cfg,
                        const WsStimulusOptions& opt) {
  const traces::Op& op = trace.layer(opt.layer);
  if (!op.quant)
    throw InputError(
        fmt::format("{}: layer '{}' has no W/A quantization; the power flow needs "
                    "FP8 operands",
                    (trace.dir / "manifest.json").string(), opt.layer));
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
  const std::vector<double> a = traces::lower_input(op, runner.quantize_input(l, x, nullptr), 0);
  const std::vector<double>& w = runner.weight_matrix(l, 0);
  const std::int64_t m = op.kind == traces::OpKind::linear ? 1 : op.shape[1] * op.shape[2];
  const std::int64_t k = op.gemm_k(), n = op.gemm_n();

  // The flexible bias: codes of x / 2^s in the W/A format are the codes of x in the format
  // with bias b - s.
  PeFormats f{op.quant->input.format, op.quant->weight.format, cfg.product, cfg.accumulator,
              cfg.chunk_accumulator};
  const int sa = scale_of(op.quant->input, "input of " + op.name);
  const int sw = scale_of(op.quant->weight, "weights of " + op.name);
  f.a.bias -= sa;
  f.w.bias -= sw;

  Stimulus s;
  s.design = ws_pe_design(f);
  WsPeStreams streams(a, w, m, k, n, cfg, f, opt.rows, opt.cols);
  WsPeModel pe(f, cfg);
  const auto& tiles = streams.tiles();
  const int positions = std::max(1, opt.positions);
  const std::int64_t budget = std::max<std::int64_t>(1, opt.cycles / positions);
  nlohmann::json pos_json = nlohmann::json::array();
  // Two reset cycles, then each position from its own starting tile.
  for (int i = 0; i < 2; ++i) {
    std::vector<std::uint64_t> in(s.design.inputs.size(), 0);
    in[0] = 1;
    s.inputs.push_back(in);
    s.expected.push_back(pe.clock(in));
    s.mac.push_back(0);
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
      for (std::int64_t g = tiles[t].start; g < end; ++g) {
        const auto in = streams.inputs(r, c, g);
        s.inputs.push_back(in);
        s.expected.push_back(pe.clock(in));
        s.mac.push_back(in[7] && in[3]);  // pv_in && av_in
      }
      used += end - tiles[t].start;
      ++ntiles;
      if (p == 0 && ntiles == 1) s.warmup = static_cast<std::int64_t>(s.inputs.size());
    }
    pos_json.push_back({{"row", r}, {"col", c}, {"first_tile", first}, {"tiles", ntiles}});
  }
  std::int64_t macs = 0;
  for (std::size_t i = static_cast<std::size_t>(s.warmup); i < s.mac.size(); ++i) macs += s.mac[i];
  s.info = {{"kind", "ws_pe"},
            {"trace", trace.name},
            {"layer", op.name},
            {"gemm", {{"m", m}, {"k", k}, {"n", n}}},
            {"scale_exp", {{"a", sa}, {"w", sw}}},
            {"array", fmt::format("{}x{}", opt.rows, opt.cols)},
            {"chunk", cfg.chunk},
            {"positions", pos_json},
            {"cycles", s.inputs.size()},
            {"warmup", s.warmup},
            {"mac_cycles", macs},
            {"formats",
             {{"a", f.a.to_string()},
              {"w", f.w.to_string()},
              {"product", f.product.to_string()},
              {"accumulator", f.accumulator.to_string()},
              {"chunk_accumulator", f.chunk_accumulator.to_string()}}}};
  return s;
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
  // G codes of `bits` bits as words of 64, most significant first.
  const auto words = [](const std::vector<std::uint64_t>& codes, int bits) {
    const std::size_t total = codes.size() * static_cast<std::size_t>(bits);
    std::vector<std::uint64_t> w((total + 63) / 64, 0);
    for (std::size_t i = 0; i < codes.size(); ++i)
      for (int b = 0; b < bits; ++b)
        if ((codes[i] >> b) & 1) {
          const std::size_t bit = i * static_cast<std::size_t>(bits) + static_cast<std::size_t>(b);
          w[w.size() - 1 - bit / 64] |= std::uint64_t{1} << (bit % 64);
        }
    return w;
  };
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
    std::vector<std::uint64_t> in = words(ac, aw);
    const auto win = words(wc, ww);
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
    for (std::size_t i = 0; i < s.expected[t].size(); ++i)
      ex << (i ? " " : "") << (s.expected[t][i] ? fmt::format("{:x}", *s.expected[t][i]) : "x");
    ex << "\n";
  }
  if (!in || !ex) throw InputError(fmt::format("{}: cannot write the stimulus", dir.string()));
}

}  // namespace lbasim::power
