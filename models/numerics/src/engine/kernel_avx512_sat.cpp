// AVX-512 kernel for the common case, written with intrinsics: every stage saturates and all
// three stages share one rounding and underflow policy (the paper's rtz/flush, or rne/subnormal).
// From finite operands such a GEMM can make neither inf nor NaN, so the special-value handling
// of the generic kernel (kernel_impl.inc) drops out, and events become mask-register compares.
// Same arithmetic as the generic kernel, lane for lane; docs/engine.md explains the bit tricks.
// GCC 12 warns on its own _mm512_undefined_* helpers inside the intrinsics (a known false
// positive); nothing in this file reads an undefined value.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include "kernel.h"

namespace lbasim::num::engine {
namespace {

constexpr int kLanes = 8;
constexpr int kRows = 4;

// plain: no events. count: every event. lazy: every event on the assumption that nothing
// overflows, which a running maximum of the rounded magnitudes checks at the end of a block; a
// block where something did overflow is computed again in `count` mode. Overflow is rare, and
// each compare saved is worth it: compares into mask registers bound the counting path.
enum class Mode : std::uint8_t { plain, count, lazy };

// One format's constants, broadcast once per call.
struct Stage {
  __m512i trunc, half_m1, emin_bits, emin_m1, max_bits, tie_one;
  __m512d emin_value;
  unsigned shift;
  explicit Stage(const FastFormat& f)
      : trunc(_mm512_set1_epi64(f.trunc_mask)),
        half_m1(_mm512_set1_epi64(f.half_m1)),
        emin_bits(_mm512_set1_epi64(f.emin_bits)),
        emin_m1(_mm512_set1_epi64(f.emin_bits - 1)),
        max_bits(_mm512_set1_epi64(f.max_bits)),
        tie_one(_mm512_set1_epi64(1)),
        emin_value(_mm512_set1_pd(f.emin_value)),
        shift(static_cast<unsigned>(f.shift)) {}
};

// Per-stage event counters, one 64-bit count per lane: a masked subtract of -1 per event
// kind, kept in registers for a block (a counter behind a pointer would chain every update
// through a store and a load).
struct Counts {
  __m512i ovf = _mm512_setzero_si512(), unf = _mm512_setzero_si512(), inx = _mm512_setzero_si512(),
          swp = _mm512_setzero_si512();
  __m512i rmax = _mm512_setzero_si512();  // lazy mode: largest rounded magnitude
  void add_to(EventCounts& c) const {
    c.overflow += static_cast<std::uint64_t>(_mm512_reduce_add_epi64(ovf));
    c.underflow += static_cast<std::uint64_t>(_mm512_reduce_add_epi64(unf));
    c.inexact += static_cast<std::uint64_t>(_mm512_reduce_add_epi64(inx));
    c.swamped += static_cast<std::uint64_t>(_mm512_reduce_add_epi64(swp));
  }
};

inline void bump(__m512i& c, __mmask8 k) {
  c = _mm512_mask_sub_epi64(c, k, c, _mm512_set1_epi64(-1));
}

// A function, not a global: a global would run an AVX-512 instruction at load time.
inline __m512i abs_mask() { return _mm512_set1_epi64(0x7fffffffffffffff); }

// Rounds magnitudes in the normal range to M bits: truncation, or ties-to-even by adding
// 2^(51-M) - 1 plus the last kept bit (a carry into the exponent is the binade change).
template <bool kRne>
inline __m512i round_mag(__m512i mag, const Stage& f) {
  if constexpr (kRne) {
    const __m512i last = _mm512_and_si512(_mm512_srli_epi64(mag, f.shift), f.tie_one);
    return _mm512_and_si512(_mm512_add_epi64(_mm512_add_epi64(mag, f.half_m1), last), f.trunc);
  } else {
    return _mm512_and_si512(mag, f.trunc);
  }
}

// Lanes of one Q_f that events are made of (counted only when kCount).
struct QuantMasks {
  __mmask8 ovf = 0;  // rounded magnitude above max (saturated)
  __mmask8 inx = 0;  // rounding dropped bits, not an underflow (overflow included, as golden)
};

// Q_f of exact doubles (bits in x) under saturation. Events use as few compares as possible,
// since compares into mask registers are what the counting path is bound by:
// - flush: a non-zero x below 2^emin underflows; 0 < mag < emin is one unsigned compare of
//   mag - 1 (a zero wraps around), and it also serves as the flush mask (a zero needs none);
// - subnormal: the result is zero although x is not.
template <bool kRne, bool kFlush, Mode kMode>
inline __m512i quant(__m512i x, const Stage& f, Counts& c, QuantMasks& q) {
  constexpr bool kCount = kMode != Mode::plain;
  const __m512i mag = _mm512_and_si512(x, abs_mask());
  __m512i r = round_mag<kRne>(mag, f);
  __mmask8 flush = 0, unf = 0;
  if constexpr (kFlush) {
    if constexpr (kCount) {
      unf = _mm512_cmplt_epu64_mask(_mm512_sub_epi64(mag, _mm512_set1_epi64(1)), f.emin_m1);
      flush = unf;
    } else {
      flush = _mm512_cmplt_epi64_mask(mag, f.emin_bits);
    }
  } else {
    // Below 2^emin the quantum is fixed: round |x| + 2^emin in the binade of 2^emin.
    const __mmask8 tiny = _mm512_cmplt_epi64_mask(mag, f.emin_bits);
    const __m512i yb = _mm512_castpd_si512(_mm512_add_pd(_mm512_castsi512_pd(mag), f.emin_value));
    const __m512i yr = round_mag<kRne>(yb, f);
    const __m512d sub = _mm512_sub_pd(_mm512_castsi512_pd(yr), f.emin_value);
    r = _mm512_mask_mov_epi64(r, tiny, _mm512_castpd_si512(sub));
    if constexpr (kCount)
      unf = _mm512_mask_testn_epi64_mask(_mm512_test_epi64_mask(mag, mag), r, r);
  }
  if constexpr (kCount) {
    // Overflow and inexact are decided on the rounded value before saturation (golden model).
    if constexpr (kMode == Mode::count) {
      q.ovf = _mm512_cmpgt_epi64_mask(r, f.max_bits);
      bump(c.ovf, q.ovf);
    } else {
      c.rmax = _mm512_max_epu64(c.rmax, r);
    }
    q.inx = _mm512_mask_cmpneq_epi64_mask(_knot_mask8(unf), r, mag);
    bump(c.unf, unf);
    bump(c.inx, q.inx);
  }
  r = _mm512_min_epi64(r, f.max_bits);
  if constexpr (kFlush) r = _mm512_maskz_mov_epi64(_knot_mask8(flush), r);
  // r | (x & sign): 0xF8 is A | (B & C) for ternary-logic operands A = r, B = x, C = sign bit.
  return _mm512_ternarylogic_epi64(r, x, _mm512_set1_epi64(INT64_MIN), 0xF8);
}

// Q_f(acc + y) and the golden swamping rule (y != 0, acc != 0, result == acc, no overflow),
// counted as: result == acc, inexact, no overflow. The two agree: a swamped add is inexact
// (acc + y != acc = result), and not an underflow (the result is acc, not zero); conversely an
// inexact add had y != 0 (acc alone is on the grid), and result == acc with no underflow means
// acc != 0.
template <bool kRne, bool kFlush, Mode kMode>
inline __m512d add_quant(__m512d acc, __m512d y, const Stage& f, Counts& c) {
  QuantMasks q;
  const __m512i r = quant<kRne, kFlush, kMode>(_mm512_castpd_si512(_mm512_add_pd(acc, y)), f, c, q);
  if constexpr (kMode != Mode::plain)
    bump(c.swp,
         _mm512_mask_cmpeq_epi64_mask(_kandn_mask8(q.ovf, q.inx), r, _mm512_castpd_si512(acc)));
  return _mm512_castsi512_pd(r);
}

struct Stages {
  Stage prod, acc, cacc;
};

// R rows x 8 columns of C. Padding columns hold w = 0, whose products and sums are exact zeros
// and raise no event, so they need no mask. Returns false, having written nothing, when a lazy
// block overflowed.
template <bool kRne, bool kFlush, Mode kMode, int R>
bool block(const KernelArgs& g, const Stages& st, std::int64_t i0, std::int64_t j0,
           Counts total[3]) {
  // Local counters, so they live in registers rather than behind a pointer.
  Counts cnt[3];
  __m512d out[R];
#pragma GCC unroll 4
  for (int r = 0; r < R; ++r) out[r] = _mm512_setzero_pd();
  const double* arow[R];
#pragma GCC unroll 4
  for (int r = 0; r < R; ++r) arow[r] = g.a + (i0 + r) * g.k;
  for (std::int64_t kb = 0; kb < g.k; kb += g.chunk) {
    const std::int64_t ke = kb + g.chunk < g.k ? kb + g.chunk : g.k;
    __m512d s[R];
#pragma GCC unroll 4
    for (int r = 0; r < R; ++r) s[r] = _mm512_setzero_pd();
    for (std::int64_t kk = kb; kk < ke; ++kk) {
      const __m512d wv = _mm512_loadu_pd(g.w + kk * g.np + j0);
#pragma GCC unroll 4
      for (int r = 0; r < R; ++r) {
        QuantMasks q;
        const __m512i p = quant<kRne, kFlush, kMode>(
            _mm512_castpd_si512(_mm512_mul_pd(wv, _mm512_set1_pd(arow[r][kk]))), st.prod, cnt[0],
            q);
        s[r] = add_quant<kRne, kFlush, kMode>(s[r], _mm512_castsi512_pd(p), st.acc, cnt[1]);
      }
    }
#pragma GCC unroll 4
    for (int r = 0; r < R; ++r)
      out[r] = add_quant<kRne, kFlush, kMode>(out[r], s[r], st.cacc, cnt[2]);
  }
  if constexpr (kMode == Mode::lazy) {
    if (_mm512_cmpgt_epu64_mask(cnt[0].rmax, st.prod.max_bits) |
        _mm512_cmpgt_epu64_mask(cnt[1].rmax, st.acc.max_bits) |
        _mm512_cmpgt_epu64_mask(cnt[2].rmax, st.cacc.max_bits))
      return false;
  }
  const std::int64_t left = g.n - j0;
  const auto store = static_cast<__mmask8>(left >= kLanes ? 0xff : (1u << left) - 1);
#pragma GCC unroll 4
  for (int r = 0; r < R; ++r) _mm512_mask_storeu_pd(g.c + (i0 + r) * g.n + j0, store, out[r]);
  for (int s = 0; s < 3; ++s) {
    total[s].ovf = _mm512_add_epi64(total[s].ovf, cnt[s].ovf);
    total[s].unf = _mm512_add_epi64(total[s].unf, cnt[s].unf);
    total[s].inx = _mm512_add_epi64(total[s].inx, cnt[s].inx);
    total[s].swp = _mm512_add_epi64(total[s].swp, cnt[s].swp);
  }
  return true;
}

template <bool kRne, bool kFlush, Mode kMode, int R>
void block_or_retry(const KernelArgs& g, const Stages& st, std::int64_t i0, std::int64_t j0,
                    Counts total[3]) {
  if (!block<kRne, kFlush, kMode, R>(g, st, i0, j0, total))
    block<kRne, kFlush, Mode::count, R>(g, st, i0, j0, total);
}

template <bool kRne, bool kFlush, Mode kMode>
void run(const KernelArgs& g, std::int64_t i_begin, std::int64_t i_end, StageCounts* counts) {
  const Stages st{Stage(g.prod), Stage(g.acc), Stage(g.cacc)};
  Counts cnt[3];
  std::int64_t i = i_begin;
  for (; i + kRows <= i_end; i += kRows)
    for (std::int64_t j = 0; j < g.np; j += kLanes)
      block_or_retry<kRne, kFlush, kMode, kRows>(g, st, i, j, cnt);
  for (; i < i_end; ++i)
    for (std::int64_t j = 0; j < g.np; j += kLanes)
      block_or_retry<kRne, kFlush, kMode, 1>(g, st, i, j, cnt);
  if constexpr (kMode != Mode::plain) {
    cnt[0].add_to(counts->product);
    cnt[1].add_to(counts->accumulator);
    cnt[2].add_to(counts->chunk);
  }
}

template <bool kRne, bool kFlush>
void entry(const KernelArgs& g, std::int64_t i_begin, std::int64_t i_end, StageCounts* counts) {
  if (g.count)
    run<kRne, kFlush, Mode::lazy>(g, i_begin, i_end, counts);
  else
    run<kRne, kFlush, Mode::plain>(g, i_begin, i_end, counts);
}

}  // namespace

KernelFn kernel_avx512_saturating(const KernelArgs& g) {
  const FastFormat* stages[] = {&g.prod, &g.acc, &g.cacc};
  for (const FastFormat* f : stages)
    if (f->ovf_bits != f->max_bits || f->rne != g.prod.rne || f->flush != g.prod.flush)
      return nullptr;
  if (g.prod.rne) return g.prod.flush ? entry<true, true> : entry<true, false>;
  return g.prod.flush ? entry<false, true> : entry<false, false>;
}

}  // namespace lbasim::num::engine
