// AVX-512 kernel for the common case, written with intrinsics: every stage saturates (or
// overflows to inf, guarded: see Mode), each stage with its own rounding and underflow policy.
// From finite operands such a GEMM can make neither inf nor NaN, so the special-value handling
// of the generic kernel (kernel_impl.inc) drops out, and events become mask-register compares.
// Same arithmetic as the generic kernel, lane for lane; docs/engine.md explains the bit tricks.
// GCC 12 warns on its own _mm512_undefined_* helpers inside the intrinsics (a known false
// positive); nothing in this file reads an undefined value.
#ifndef __clang__  // clang (the fuzzing build) has no such warning group
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#pragma GCC diagnostic ignored "-Wuninitialized"
#include <immintrin.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <utility>

#include "kernel.h"

namespace lbasim::num::engine {
namespace {

constexpr int kLanes = 8;
constexpr int kRows = 4;

// plain: no events. count: every event. lazy: every event on the assumption that nothing
// overflows, which a running maximum of the rounded magnitudes checks at the end of a block; a
// block where something did overflow is computed again in `count` mode. Overflow is rare, and
// each compare saved is worth it: compares into mask registers bound the counting path.
// guarded: no events, but the running maximum all the same, for formats that overflow to inf:
// a block where anything overflows is computed again by the generic kernel, which handles inf
// and NaN (this kernel saturates).
enum class Mode : std::uint8_t { plain, count, lazy, guarded };

// How one stage rounds, a compile-time choice (flush or subnormal is data, except for trunc):
// skip: the product format holds every product (product stage only); trunc: rtz with flush, a
// mask; rz, rn: toward zero or to nearest-even on the FP adder (round_mag).
enum class Kind : std::uint8_t { skip, trunc, rz, rn };

Kind kind_of(const FastFormat& f) {
  if (f.rne) return Kind::rn;
  return f.flush ? Kind::trunc : Kind::rz;
}

// The kinds of the three stages, and whether sums are rounded to odd first (they may not be
// exact doubles).
template <Kind kP, Kind kA, Kind kC, bool kOdd>
struct Kinds {
  static constexpr Kind p = kP, a = kA, c = kC;
  static constexpr bool odd = kOdd;
};

// One format's constants, broadcast once per call.
struct Stage {
  __m512i trunc_abs, dropped, c_shift, emin_bits, zero_below, unf_m1, max_bits;
  explicit Stage(const FastFormat& f)
      : trunc_abs(_mm512_set1_epi64(f.trunc_mask & INT64_MAX)),
        dropped(_mm512_set1_epi64(~f.trunc_mask)),
        c_shift(_mm512_set1_epi64(f.shift << 52)),
        emin_bits(_mm512_set1_epi64(f.emin_bits)),
        zero_below(_mm512_set1_epi64(f.flush ? f.emin_bits : 0)),
        unf_m1(_mm512_set1_epi64(underflow_bound(f))),
        max_bits(_mm512_set1_epi64(f.max_bits)) {}

  // x underflows (a non-zero value becomes zero) iff 0 < mag < bound, tested as one unsigned
  // compare mag - 1 < bound - 1 (a zero wraps around). flush: bound = 2^emin. subnormal: x
  // rounds to zero iff mag <= q/2 (rne) or mag < q (rtz), q = 2^(emin - M) the subnormal
  // quantum.
  static std::int64_t underflow_bound(const FastFormat& f) {
    if (f.flush) return f.emin_bits - 1;
    const double q = std::ldexp(f.emin_value, -(52 - static_cast<int>(f.shift)));
    return f.rne ? std::bit_cast<std::int64_t>(q / 2) : std::bit_cast<std::int64_t>(q) - 1;
  }
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

// Rounds magnitudes to M bits at the quantum of their binade, or of 2^emin below it, on the FP
// adder: with c = 2^(E + 52 - M) for the binade 2^E, E = max(e, emin), mag + c lands in c's
// binade, whose ulp is the quantum 2^(E - M); the add rounds there (to nearest-even, or to zero
// by embedded rounding) and (mag + c) - c is exact. A carry into the next binade comes out
// right. Under flush, values below 2^emin are rounded at 2^emin's quantum too, then zeroed.
template <bool kRne>
inline __m512i round_mag(__m512i mag, const Stage& f) {
  __m512i e = _mm512_and_si512(mag, _mm512_set1_epi64(0x7ff0000000000000));
  e = _mm512_max_epu64(e, f.emin_bits);
  const __m512d c = _mm512_castsi512_pd(_mm512_add_epi64(e, f.c_shift));
  constexpr int kMode = (kRne ? _MM_FROUND_TO_NEAREST_INT : _MM_FROUND_TO_ZERO) | _MM_FROUND_NO_EXC;
  const __m512d sum = _mm512_add_round_pd(_mm512_castsi512_pd(mag), c, kMode);
  return _mm512_castpd_si512(_mm512_sub_pd(sum, c));
}

// Lanes of one Q_f that events are made of (counted only when kCount).
struct QuantMasks {
  __mmask8 ovf = 0;  // rounded magnitude above max (saturated)
  __mmask8 inx = 0;  // rounding dropped bits, not an underflow (overflow included, as golden)
};

// Q_f under saturation of the value with magnitude bits `mag` (an exact double, or one rounded
// to odd from the exact value) and the sign of `sgn`; for kK = trunc, mag may still carry the
// sign bit (the truncation mask and the dropped-bits test ignore it). Events use as few
// compares as possible, since compares into mask registers are what the counting path is
// bound by: an underflow is one unsigned compare (Stage::underflow_bound), and under flush it
// is also the mask of the lanes to zero (under subnormal those lanes are zero already).
// trunc works on r alone: truncation keeps a normal value's binade, so r < emin iff mag < emin,
// r != 0 iff mag != 0, and r != mag iff mag has dropped bits.
template <Kind kK, Mode kMode>
inline __m512i quant(__m512i mag, __m512i sgn, const Stage& f, Counts& c, QuantMasks& q) {
  constexpr bool kCount = kMode == Mode::count || kMode == Mode::lazy;
  constexpr bool kTrunc = kK == Kind::trunc;
  __m512i r = kTrunc ? _mm512_and_si512(mag, f.trunc_abs) : round_mag<kK == Kind::rn>(mag, f);
  const __m512i m = kTrunc ? r : mag;  // compares against the underflow bound
  __mmask8 zero = 0, unf = 0;
  if constexpr (kCount) {
    unf = _mm512_cmplt_epu64_mask(_mm512_sub_epi64(m, _mm512_set1_epi64(1)), f.unf_m1);
    zero = unf;
  } else {
    zero = _mm512_cmplt_epi64_mask(m, f.zero_below);
  }
  if constexpr (kCount) {
    // Overflow and inexact are decided on the rounded value before saturation (golden model).
    if constexpr (kMode == Mode::count) {
      q.ovf = _mm512_cmpgt_epi64_mask(r, f.max_bits);
      bump(c.ovf, q.ovf);
    } else {
      c.rmax = _mm512_max_epu64(c.rmax, r);
    }
    q.inx = kTrunc ? _mm512_mask_test_epi64_mask(_knot_mask8(unf), mag, f.dropped)
                   : _mm512_mask_cmpneq_epi64_mask(_knot_mask8(unf), r, mag);
    bump(c.unf, unf);
    bump(c.inx, q.inx);
  }
  if constexpr (kMode == Mode::guarded) c.rmax = _mm512_max_epu64(c.rmax, r);
  // Saturation and the zeroed lanes (sign kept below) in one instruction.
  r = _mm512_maskz_min_epi64(_knot_mask8(zero), r, f.max_bits);
  // r | (sgn & sign): 0xF8 is A | (B & C) for ternary-logic operands A = r, B = sgn, C = sign bit.
  return _mm512_ternarylogic_epi64(r, sgn, _mm512_set1_epi64(INT64_MIN), 0xF8);
}

// a + b as Q_f's input: its bits (magnitude for kK != trunc) and sign, or (kOdd) the sum
// rounded to odd: the sums rounded down and up are equal iff the sum is exact, the one nearer
// zero is its truncation, and round to odd is the truncation with its last bit set when
// inexact (docs/engine.md). The sum rounded up has the sign of the exact sum, zero included
// (+0 unless both are -0, as the golden model).
template <Kind kK, bool kOdd>
inline void sum_bits(__m512d a, __m512d b, __m512i& mag, __m512i& sgn) {
  if constexpr (kOdd) {
    const __m512d lo = _mm512_add_round_pd(a, b, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
    const __m512d hi = _mm512_add_round_pd(a, b, _MM_FROUND_TO_POS_INF | _MM_FROUND_NO_EXC);
    const __m512i mlo = _mm512_and_si512(_mm512_castpd_si512(lo), abs_mask());
    const __m512i mhi = _mm512_and_si512(_mm512_castpd_si512(hi), abs_mask());
    const __mmask8 inexact = _mm512_cmpneq_epi64_mask(mlo, mhi);
    const __m512i t = _mm512_min_epu64(mlo, mhi);
    mag = _mm512_mask_or_epi64(t, inexact, t, _mm512_set1_epi64(1));
    sgn = _mm512_castpd_si512(hi);
  } else {
    sgn = _mm512_castpd_si512(_mm512_add_pd(a, b));
    mag = kK == Kind::trunc ? sgn : _mm512_and_si512(sgn, abs_mask());
  }
}

// Q_f(acc + y) and the golden swamping rule (y != 0, acc != 0, result == acc, no overflow),
// counted as: result == acc, inexact, no overflow. The two agree: a swamped add is inexact
// (acc + y != acc = result), and not an underflow (the result is acc, not zero); conversely an
// inexact add had y != 0 (acc alone is on the grid), and result == acc with no underflow means
// acc != 0.
template <Kind kK, bool kOdd, Mode kMode>
inline __m512d add_quant(__m512d acc, __m512d y, const Stage& f, Counts& c) {
  QuantMasks q;
  __m512i mag, sgn;
  sum_bits<kK, kOdd>(acc, y, mag, sgn);
  const __m512i r = quant<kK, kMode>(mag, sgn, f, c, q);
  if constexpr (kMode == Mode::count || kMode == Mode::lazy)
    bump(c.swp,
         _mm512_mask_cmpeq_epi64_mask(_kandn_mask8(q.ovf, q.inx), r, _mm512_castpd_si512(acc)));
  return _mm512_castsi512_pd(r);
}

struct Stages {
  Stage prod, acc, cacc;
};

// 4 rows x 8 columns of C. Padding columns hold w = 0, whose products and sums are exact zeros
// and raise no event, so they need no mask. Returns false, having written nothing, when a lazy
// or guarded block overflowed.
template <typename K, Mode kMode>
bool block(const KernelArgs& g, const Stages& st, std::int64_t i0, std::int64_t j0,
           Counts total[3]) {
  constexpr int R = kRows;
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
      const __m512d wv = _mm512_loadu_pd(g.w + kk * g.ldw + j0);
#pragma GCC unroll 4
      for (int r = 0; r < R; ++r) {
        __m512d p = _mm512_mul_pd(wv, _mm512_set1_pd(arow[r][kk]));
        if constexpr (K::p != Kind::skip) {
          QuantMasks q;
          const __m512i x = _mm512_castpd_si512(p);
          const __m512i mag = K::p == Kind::trunc ? x : _mm512_and_si512(x, abs_mask());
          p = _mm512_castsi512_pd(quant<K::p, kMode>(mag, x, st.prod, cnt[0], q));
        }
        s[r] = add_quant<K::a, K::odd, kMode>(s[r], p, st.acc, cnt[1]);
      }
    }
#pragma GCC unroll 4
    for (int r = 0; r < R; ++r)
      out[r] = add_quant<K::c, K::odd, kMode>(out[r], s[r], st.cacc, cnt[2]);
  }
  if constexpr (kMode == Mode::lazy || kMode == Mode::guarded) {
    if (_mm512_cmpgt_epu64_mask(cnt[0].rmax, st.prod.max_bits) |
        _mm512_cmpgt_epu64_mask(cnt[1].rmax, st.acc.max_bits) |
        _mm512_cmpgt_epu64_mask(cnt[2].rmax, st.cacc.max_bits))
      return false;
  }
  const std::int64_t left = g.n - j0;
  const auto store = static_cast<__mmask8>(left >= kLanes ? 0xff : (1u << left) - 1);
#pragma GCC unroll 4
  for (int r = 0; r < R; ++r) _mm512_mask_storeu_pd(g.c + (i0 + r) * g.ldc + j0, store, out[r]);
  for (int s = 0; s < 3; ++s) {
    total[s].ovf = _mm512_add_epi64(total[s].ovf, cnt[s].ovf);
    total[s].unf = _mm512_add_epi64(total[s].unf, cnt[s].unf);
    total[s].inx = _mm512_add_epi64(total[s].inx, cnt[s].inx);
    total[s].swp = _mm512_add_epi64(total[s].swp, cnt[s].swp);
  }
  return true;
}

// Rows [i0, i0 + kRows) x columns [j0, j0 + 8) by the generic AVX-512 kernel.
void generic_block(const KernelArgs& g, std::int64_t i0, std::int64_t j0, StageCounts* counts) {
  KernelArgs sub = g;
  sub.a = g.a + i0 * g.k;
  sub.w = g.w + j0;
  sub.c = g.c + i0 * g.ldc + j0;
  sub.n = std::min<std::int64_t>(kLanes, g.n - j0);
  sub.np = kLanes;
  kernel_avx512(sub, 0, kRows, counts);
}

template <typename K, Mode kMode, bool kGuard>
void block_or_retry(const KernelArgs& g, const Stages& st, std::int64_t i0, std::int64_t j0,
                    Counts total[3], StageCounts* counts) {
  if (block<K, kMode>(g, st, i0, j0, total)) return;
  if constexpr (kGuard)
    generic_block(g, i0, j0, counts);
  else
    block<K, Mode::count>(g, st, i0, j0, total);
}

// Blocks of 4 rows here; the last rows (fewer than 4) by the generic kernel, which keeps this
// kernel's instantiations to one block shape.
template <typename K, Mode kMode, bool kGuard>
void run(const KernelArgs& g, std::int64_t i_begin, std::int64_t i_end, StageCounts* counts) {
  const Stages st{Stage(g.prod), Stage(g.acc), Stage(g.cacc)};
  Counts cnt[3];
  std::int64_t i = i_begin;
  for (; i + kRows <= i_end; i += kRows)
    for (std::int64_t j = 0; j < g.np; j += kLanes)
      block_or_retry<K, kMode, kGuard>(g, st, i, j, cnt, counts);
  if (i < i_end) kernel_avx512(g, i, i_end, counts);
  if constexpr (kMode == Mode::lazy) {
    cnt[0].add_to(counts->product);
    cnt[1].add_to(counts->accumulator);
    cnt[2].add_to(counts->chunk);
  }
}

template <typename K, bool kGuard>
void entry(const KernelArgs& g, std::int64_t i_begin, std::int64_t i_end, StageCounts* counts) {
  if (g.count)
    run<K, Mode::lazy, kGuard>(g, i_begin, i_end, counts);
  else
    run<K, kGuard ? Mode::guarded : Mode::plain, kGuard>(g, i_begin, i_end, counts);
}

// The entry for stage kinds (p, a, c), sums rounded to odd or not, guarded or not: a table over
// every combination, indexed as below.
constexpr int kKinds = 4;
constexpr int index_of(int p, int a, int c, int odd, int guard) {
  return (((p * kKinds + a) * kKinds + c) * 2 + odd) * 2 + guard;
}
template <int I>
constexpr KernelFn entry_at() {
  constexpr int c = I / 4 % kKinds, a = I / 16 % kKinds;
  // skip is for the product stage only: other stages' slots hold nullptr.
  if constexpr (a == 0 || c == 0) {
    return nullptr;
  } else {
    using K = Kinds<Kind(I / 64), Kind(a), Kind(c), I / 2 % 2 != 0>;
    return entry<K, I % 2 != 0>;
  }
}
template <int... I>
constexpr auto make_table(std::integer_sequence<int, I...>) {
  return std::array<KernelFn, sizeof...(I)>{entry_at<I>()...};
}
constexpr auto kEntries =
    make_table(std::make_integer_sequence<int, kKinds * kKinds * kKinds * 4>{});

}  // namespace

KernelFn kernel_avx512_saturating(const KernelArgs& g) {
  if (g.prod_odd) return nullptr;  // products rounded to odd: the generic kernel
  const FastFormat* stages[] = {&g.prod, &g.acc, &g.cacc};
  bool guard = false;  // some stage overflows to inf
  for (const FastFormat* f : stages) {
    // round_mag's c = 2^(E + 52 - M), E up to emax + 1, and mag + c must stay finite.
    const std::int64_t emax = (f->max_bits >> 52) - 1023;
    if (emax + 2 + f->shift > 1022) return nullptr;
    guard |= f->ovf_bits != f->max_bits;
  }
  const int p = g.prod_exact ? 0 : static_cast<int>(kind_of(g.prod));
  return kEntries[static_cast<std::size_t>(index_of(
      p, static_cast<int>(kind_of(g.acc)), static_cast<int>(kind_of(g.cacc)), g.sum_odd, guard))];
}

}  // namespace lbasim::num::engine
