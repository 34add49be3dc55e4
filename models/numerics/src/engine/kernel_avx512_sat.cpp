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

// One format's constants, broadcast once per call.
struct Stage {
  __m512i trunc, half_m1, emin_bits, max_bits, tie_one;
  __m512d emin_value;
  unsigned shift;
  explicit Stage(const FastFormat& f)
      : trunc(_mm512_set1_epi64(f.trunc_mask)),
        half_m1(_mm512_set1_epi64(f.half_m1)),
        emin_bits(_mm512_set1_epi64(f.emin_bits)),
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

// Q_f of exact doubles (bits in x) under saturation; returns the bits, overflow lanes in *ovf.
template <bool kRne, bool kFlush, bool kCount>
inline __m512i quant(__m512i x, const Stage& f, Counts& c, __mmask8* ovf) {
  const __m512i mag = _mm512_and_si512(x, abs_mask());
  __m512i r = round_mag<kRne>(mag, f);
  const __mmask8 tiny = _mm512_cmplt_epi64_mask(mag, f.emin_bits);
  if constexpr (!kFlush) {
    // Below 2^emin the quantum is fixed: round |x| + 2^emin in the binade of 2^emin.
    const __m512i yb = _mm512_castpd_si512(_mm512_add_pd(_mm512_castsi512_pd(mag), f.emin_value));
    const __m512i yr = round_mag<kRne>(yb, f);
    const __m512d sub = _mm512_sub_pd(_mm512_castsi512_pd(yr), f.emin_value);
    r = _mm512_mask_mov_epi64(r, tiny, _mm512_castpd_si512(sub));
  }
  if constexpr (kCount) {
    // Inexact: the rounding dropped bits (before saturation, as in the golden model).
    *ovf = _mm512_cmpgt_epi64_mask(r, f.max_bits);
    const __mmask8 unf = kFlush
                             ? _mm512_mask_test_epi64_mask(tiny, mag, mag)
                             : _mm512_mask_testn_epi64_mask(_mm512_test_epi64_mask(mag, mag), r, r);
    bump(c.ovf, *ovf);
    bump(c.unf, unf);
    bump(c.inx, _mm512_mask_cmpneq_epi64_mask(_knot_mask8(unf), r, mag));
  }
  r = _mm512_min_epi64(r, f.max_bits);
  if constexpr (kFlush) r = _mm512_maskz_mov_epi64(_knot_mask8(tiny), r);
  // r | (x & sign): 0xF8 is A | (B & C) for ternary-logic operands A = r, B = x, C = sign bit.
  return _mm512_ternarylogic_epi64(r, x, _mm512_set1_epi64(INT64_MIN), 0xF8);
}

// Q_f(acc + y) and the golden swamping rule: y != 0, acc != 0, result == acc, no overflow.
template <bool kRne, bool kFlush, bool kCount>
inline __m512d add_quant(__m512d acc, __m512d y, const Stage& f, Counts& c) {
  __mmask8 ovf = 0;
  const __m512i r =
      quant<kRne, kFlush, kCount>(_mm512_castpd_si512(_mm512_add_pd(acc, y)), f, c, &ovf);
  if constexpr (kCount) {
    const __m512i ab = _mm512_castpd_si512(acc);
    const __mmask8 both = _mm512_mask_test_epi64_mask(
        _mm512_test_epi64_mask(_mm512_castpd_si512(y), abs_mask()), ab, abs_mask());
    bump(c.swp, _mm512_mask_cmpeq_epi64_mask(_kandn_mask8(ovf, both), r, ab));
  }
  return _mm512_castsi512_pd(r);
}

struct Stages {
  Stage prod, acc, cacc;
};

// R rows x 8 columns of C. Padding columns hold w = 0, whose products and sums are exact zeros
// and raise no event, so they need no mask.
template <bool kRne, bool kFlush, bool kCount, int R>
void block(const KernelArgs& g, const Stages& st, std::int64_t i0, std::int64_t j0,
           Counts total[3]) {
  // Local copies, so the counters live in registers rather than behind a pointer.
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
        __mmask8 ovf = 0;
        const __m512i p = quant<kRne, kFlush, kCount>(
            _mm512_castpd_si512(_mm512_mul_pd(wv, _mm512_set1_pd(arow[r][kk]))), st.prod, cnt[0],
            &ovf);
        s[r] = add_quant<kRne, kFlush, kCount>(s[r], _mm512_castsi512_pd(p), st.acc, cnt[1]);
      }
    }
#pragma GCC unroll 4
    for (int r = 0; r < R; ++r)
      out[r] = add_quant<kRne, kFlush, kCount>(out[r], s[r], st.cacc, cnt[2]);
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
}

template <bool kRne, bool kFlush, bool kCount>
void run(const KernelArgs& g, std::int64_t i_begin, std::int64_t i_end, StageCounts* counts) {
  const Stages st{Stage(g.prod), Stage(g.acc), Stage(g.cacc)};
  Counts cnt[3];
  std::int64_t i = i_begin;
  for (; i + kRows <= i_end; i += kRows)
    for (std::int64_t j = 0; j < g.np; j += kLanes)
      block<kRne, kFlush, kCount, kRows>(g, st, i, j, cnt);
  for (; i < i_end; ++i)
    for (std::int64_t j = 0; j < g.np; j += kLanes)
      block<kRne, kFlush, kCount, 1>(g, st, i, j, cnt);
  if constexpr (kCount) {
    cnt[0].add_to(counts->product);
    cnt[1].add_to(counts->accumulator);
    cnt[2].add_to(counts->chunk);
  }
}

template <bool kRne, bool kFlush>
void entry(const KernelArgs& g, std::int64_t i_begin, std::int64_t i_end, StageCounts* counts) {
  if (g.count)
    run<kRne, kFlush, true>(g, i_begin, i_end, counts);
  else
    run<kRne, kFlush, false>(g, i_begin, i_end, counts);
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
