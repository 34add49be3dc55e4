// FastFmaq: lane_arith.inc on one lane (a GCC vector of one double), planned by engine/plan.cpp.
#include "lbasim/numerics/fast_fmaq.h"

#include "engine/fmaq_row.h"
#include "engine/plan.h"

namespace lbasim::num {
namespace engine {
namespace {
#include "engine/lane_arith.inc"

using v1d = double __attribute__((vector_size(8)));

std::uint8_t event_bits(const LaneEvents<v1d>& e, bool swamping) {
  return static_cast<std::uint8_t>((e.ovf[0] ? kOverflow : 0) | (e.unf[0] ? kUnderflow : 0) |
                                   (e.inx[0] ? kInexact : 0) |
                                   (swamping && e.swp[0] ? kSwamped : 0));
}

template <bool kOdd>
Quantized add_one(double acc, double y, const FastFormat& f) {
  LaneEvents<v1d> ev;
  const v1d r = add_quant<kOdd>(v1d{acc}, v1d{y}, f, ev);
  return {r[0], event_bits(ev, true)};
}

}  // namespace
}  // namespace engine

std::optional<FastFmaq> FastFmaq::plan(const AccumConfig& cfg, const double* a, std::int64_t na,
                                       const double* w, std::int64_t nw, std::string* reason) {
  engine::FastPlan p;
  const std::string why =
      engine::fast_plan(cfg, engine::stats_of(a, na), engine::stats_of(w, nw), p);
  if (!why.empty()) {
    if (reason) *reason = why;
    return std::nullopt;
  }
  FastFmaq f;
  f.prod_ = engine::make_fast_format(cfg.product);
  f.acc_ = engine::make_fast_format(cfg.accumulator);
  f.cacc_ = engine::make_fast_format(cfg.chunk_accumulator);
  f.prod_exact_ = p.prod_exact;
  f.prod_odd_ = p.prod_odd;
  f.sum_odd_ = p.sum_odd;
  f.row_isa_ = best_isa();
  return f;
}

Quantized FastFmaq::product(double a, double w) const {
  using engine::v1d;
  if (prod_exact_) return {a * w, 0};
  engine::LaneEvents<v1d> ev;
  engine::IntOf<v1d> special;
  const v1d r = prod_odd_
                    ? engine::quant<true>(engine::prod_odd(v1d{a}, v1d{w}), prod_, ev, special)
                    : engine::quant<false>(v1d{a * w}, prod_, ev, special);
  return {r[0], engine::event_bits(ev, false)};
}

Quantized FastFmaq::accumulate(double acc, double y) const {
  return sum_odd_ ? engine::add_one<true>(acc, y, acc_) : engine::add_one<false>(acc, y, acc_);
}

Quantized FastFmaq::chunk_accumulate(double acc, double y) const {
  return sum_odd_ ? engine::add_one<true>(acc, y, cacc_) : engine::add_one<false>(acc, y, cacc_);
}

StageCounts FastFmaq::Tally::counts(std::uint64_t macs, std::uint64_t chunk_adds) const {
  StageCounts c;
  c.product.ops = c.accumulator.ops = macs;
  c.chunk.ops = chunk_adds;
  EventCounts* stage[3] = {&c.product, &c.accumulator, &c.chunk};
  for (int s = 0; s < 3; ++s)
    for (int l = 0; l < 8; ++l) {
      stage[s]->overflow += static_cast<std::uint64_t>(v[s][0][l]);
      stage[s]->underflow += static_cast<std::uint64_t>(v[s][1][l]);
      stage[s]->swamped += static_cast<std::uint64_t>(v[s][2][l]);
      stage[s]->inexact += static_cast<std::uint64_t>(v[s][3][l]);
    }
  return c;
}

void FastFmaq::step_rows(const Row* rows, int count, Tally& counts) const {
  const engine::FmaqRowArgs g{prod_, acc_, cacc_, prod_exact_, prod_odd_, sum_odd_};
  switch (row_isa_) {
    case Isa::avx512:
      return engine::fmaq_row_avx512(g, rows, count, counts);
    case Isa::avx2:
      return engine::fmaq_row_avx2(g, rows, count, counts);
    default:
      return engine::fmaq_row_portable(g, rows, count, counts);
  }
}

}  // namespace lbasim::num
