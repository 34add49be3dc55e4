// The output-stationary PE (os_pe: psum and chunk lane held in place, tags per product) and a
// chunk_lane as the column-bottom chunk accumulator, Verilated in chunk_dot_top, against the
// golden add_q and dot_chunked (contract section 3), values and per-stage events.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <memory>
#include <random>
#include <vector>

#include "Vchunk_dot_top.h"
#include "fmaq_check.h"
#include "lbasim/numerics/accumulate.h"
#include "lbasim/numerics/encoding.h"
#include "lbasim/numerics/events.h"
#include "lbasim/numerics/format.h"
#include "lbasim/numerics/quantize.h"
#include "verilated.h"

namespace lbasim::rtl {
namespace {

const num::Format kWa = num::parse_format("M4E3b3:rtz:flush:saturate");
const num::Format kProd = num::parse_format("M7E4b12:rtz:flush:saturate");
const num::Format kAcc = num::parse_format("M7E4b10:rtz:flush:saturate");
const num::Format kCacc = num::parse_format(LBASIM_FMT_CACC);  // the model's CACC_* (CMake)

class ChunkDot : public ::testing::Test {
 protected:
  ChunkDot() : top_(std::make_unique<Vchunk_dot_top>(&context_, "top")) {}
  ~ChunkDot() override { top_->final(); }

  void tick() {
    top_->clk = 0;
    top_->eval();
    top_->clk = 1;
    top_->eval();
  }
  // The chunk lane alone: z = Q_cacc(x + y), x in cacc, y in acc.
  std::uint64_t chunk_add(std::uint64_t x, std::uint64_t y, std::uint8_t* events) {
    top_->x = x;
    top_->y = y;
    top_->eval();
    *events = top_->z_events;
    return top_->z;
  }
  void expect_chunk_add(std::uint64_t x, std::uint64_t y) {
    std::uint8_t got_events = 0;
    const std::uint64_t got = chunk_add(x, y, &got_events);
    const num::Quantized want = num::add_q(num::decode(x, kCacc), num::decode(y, kAcc), kCacc);
    const std::uint64_t want_code = num::encode(want.value, kCacc);
    if (got != want_code || got_events != want.events) {
      ADD_FAILURE() << "chunk accumulator mismatch: x=" << describe_code(x, kCacc)
                    << " y=" << describe_code(y, kAcc) << "\n  expected "
                    << describe_code(want_code, kCacc) << " events " << describe_events(want.events)
                    << "\n  actual   " << describe_code(got, kCacc) << " events "
                    << describe_events(got_events);
      ++failures_;
    }
  }

  VerilatedContext context_;
  std::unique_ptr<Vchunk_dot_top> top_;
  int failures_ = 0;
};

TEST_F(ChunkDot, ChunkAccumulatorEdgesAndRandom) {
  const auto ex = edge_codes(kCacc), ey = edge_codes(kAcc);
  for (auto x : ex)
    for (auto y : ey) expect_chunk_add(x, y);
  std::mt19937_64 rng(7);
  for (int i = 0; i < 1'000'000 && failures_ < 10; ++i) {
    const std::uint64_t y = rng() & 0xfff;
    std::uint64_t x = rng() & 0xffff;
    const double yv = num::decode(y, kAcc);
    if (i % 2 == 0 && yv != 0) {
      // Near -y: cancellation in the mixed-format adder.
      const std::uint64_t c = num::encode(num::quantize(-yv, kCacc).value, kCacc);
      x = c + (rng() % 7) - 3;
    }
    expect_chunk_add(x & 0xffff, y);
  }
  EXPECT_EQ(failures_, 0);
}

TEST_F(ChunkDot, PeAccumulatesChunksLikeDotChunked) {
  std::mt19937_64 rng(11);
  const num::AccumConfig cfg_base{kProd, kAcc, kCacc, 0};
  for (int trial = 0; trial < 3000; ++trial) {
    const std::int64_t k = 1 + static_cast<std::int64_t>(rng() % 70);
    const std::int64_t chunks[] = {0, 1, 4, 16, 1 + static_cast<std::int64_t>(rng() % 40)};
    num::AccumConfig cfg = cfg_base;
    cfg.chunk = chunks[rng() % 5];
    std::vector<std::uint64_t> a(k), w(k);
    std::vector<double> av(k), wv(k);
    for (std::int64_t i = 0; i < k; ++i) {
      a[i] = rng() & 0xff;
      w[i] = rng() & 0xff;
      av[i] = num::decode(a[i], kWa);
      wv[i] = num::decode(w[i], kWa);
    }
    num::StageCounts want_counts;
    const double want = num::dot_chunked(av.data(), 1, wv.data(), 1, k, cfg, &want_counts);

    // The RTL: rst, then one product per valid cycle, tagged with the first product of the
    // output and of each later chunk; the events are those of the cycle's arithmetic.
    const std::int64_t n = (cfg.chunk <= 0 || cfg.chunk >= k) ? k : cfg.chunk;
    num::StageCounts got_counts;
    top_->rst = 1;
    top_->valid = 0;
    tick();
    top_->rst = 0;
    for (std::int64_t i = 0; i < k; ++i) {
      top_->valid = 1;
      top_->a = a[i];
      top_->w = w[i];
      top_->first = i == 0;
      top_->restart = i > 0 && i % n == 0;
      top_->eval();
      const unsigned ev = top_->pe_events;
      ASSERT_EQ(ev & 1u, 1u) << "no MAC reported in a valid cycle";
      ASSERT_EQ((ev >> 1) & 1u, unsigned(i > 0 && i % n == 0)) << "chunk add bit, k=" << i;
      got_counts.product.add((ev >> 2) & 7u);
      got_counts.accumulator.add((ev >> 5) & 15u);
      if (ev & 2u) got_counts.chunk.add((ev >> 9) & 15u);
      tick();
    }
    top_->valid = 0;  // idle: no arithmetic, no events, the output stays
    top_->a = rng() & 0xff;
    top_->restart = 1;
    top_->eval();
    ASSERT_EQ(top_->pe_events, 0u) << "events reported by an idle PE";
    got_counts.chunk.add(top_->value_events);  // the column-bottom Q_cacc(chunk + psum)
    const std::uint64_t out = top_->value;
    const std::uint64_t want_code = num::encode(want, kCacc);
    ASSERT_EQ(out, want_code) << "k=" << k << " chunk=" << cfg.chunk << " expected "
                              << describe_code(want_code, kCacc) << " actual "
                              << describe_code(out, kCacc);
    ASSERT_EQ(got_counts, want_counts) << "event counts differ, k=" << k;
  }
}

}  // namespace
}  // namespace lbasim::rtl
