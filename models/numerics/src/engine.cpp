// Engine dispatch: check that the fast path is exact for these operands and formats, pick the
// instruction set, split rows over threads.
#include "lbasim/numerics/engine.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <exception>
#include <thread>
#include <vector>

#include "engine/fast_format.h"
#include "engine/fused_kernel.h"
#include "engine/kernel.h"

namespace lbasim::num {
namespace {

// What the fast path needs to know of an operand matrix.
struct OperandStats {
  bool finite = true;
  bool subnormal = false;  // a subnormal double (the fast path needs normal products)
  int sig_bits = 0;        // most significant bits of any non-zero element
  int min_lsb = 1 << 20;   // lower bound on the exponent of any element's lowest set bit
  int max_binade = -(1 << 20);
};

// One branch-free pass over the bits (it runs on every GEMM, so it must cost little next to
// it): the OR of all significands gives the widest significand exactly (its trailing zeros are
// the fewest any element has); the smallest exponent plus those trailing zeros bounds every
// element's lowest set bit from below, which only makes the fast-path checks stricter.
__attribute__((target_clones("avx512f", "avx2", "default"))) OperandStats stats_of(
    const double* x, std::int64_t count) {
  constexpr std::uint64_t kMant = (std::uint64_t{1} << 52) - 1;
  std::uint64_t mant_or = 0, bad = 0, sub = 0, nonzero = 0;
  std::uint64_t emin = 0x7ff, emax = 0;
  for (std::int64_t i = 0; i < count; ++i) {
    const auto b = std::bit_cast<std::uint64_t>(x[i]);
    const std::uint64_t e = (b >> 52) & 0x7ff;
    const std::uint64_t nz = (b << 1) != 0;
    bad |= e == 0x7ff;
    sub |= (e == 0) & nz;
    nonzero |= nz;
    mant_or |= b & kMant;
    emin = std::min(emin, nz ? e : std::uint64_t{0x7ff});
    emax = std::max(emax, nz ? e : std::uint64_t{0});
  }
  OperandStats s;
  s.finite = bad == 0;
  s.subnormal = sub != 0;
  if (nonzero == 0) return s;
  const int tz = std::countr_zero(mant_or | (std::uint64_t{1} << 52));
  s.sig_bits = 53 - tz;
  s.min_lsb = static_cast<int>(emin) - 1023 - 52 + tz;
  s.max_binade = static_cast<int>(emax) - 1023;
  return s;
}

int min_quantum(const Format& f) { return f.emin() - f.man; }

// Empty when the fast path computes exactly what the golden model does; else the reason.
std::string fast_path_refusal(const AccumConfig& cfg, const OperandStats& sa,
                              const OperandStats& sw) {
  for (const Format* f : {&cfg.product, &cfg.accumulator, &cfg.chunk_accumulator})
    if (!engine::fast_format_ok(*f))
      return fmt::format(
          "format {} is outside the fast path (none policies, M = 0 or > 51, or "
          "range beyond normal doubles)",
          f->to_string());
  if (!sa.finite || !sw.finite) return "non-finite operands";
  if (sa.subnormal || sw.subnormal) return "subnormal double operands";
  // An inf made by one stage can meet an opposite inf and make a NaN, which only formats with
  // specials can hold (the golden model reports it).
  const auto makes_inf = [](const Format& f) {
    return f.overflow == Overflow::inf && f.rounding == Rounding::rne;
  };
  const auto lacks_nan = [](const Format& f) { return f.specials == Specials::none; };
  const std::array stages{&cfg.product, &cfg.accumulator, &cfg.chunk_accumulator};
  if (std::any_of(stages.begin(), stages.end(), [&](auto f) { return makes_inf(*f); }) &&
      std::any_of(stages.begin(), stages.end(), [&](auto f) { return lacks_nan(*f); }))
    return "an inf-producing stage feeds a format without NaN";
  if (sa.sig_bits == 0 || sw.sig_bits == 0) return {};  // all products are zero
  // Products exact and normal in double.
  if (sa.sig_bits + sw.sig_bits > 53) return "operand significands too wide for exact products";
  if (sa.min_lsb + sw.min_lsb < -1022 || sa.max_binade + sw.max_binade > 1021)
    return "operand exponents outside the range of exact normal products";
  if (cfg.product.underflow == Underflow::subnormal &&
      sa.min_lsb + sw.min_lsb < cfg.product.emin() - 52)
    return "products too fine for the subnormal rounding of the product format";
  // Sums exact in double: both addends are multiples of the finer quantum and below 2^(emax+2).
  const auto sum_fits = [](const Format& x, const Format& y) {
    return std::max(x.emax(), y.emax()) + 2 - std::min(min_quantum(x), min_quantum(y)) <= 53;
  };
  if (!sum_fits(cfg.product, cfg.accumulator))
    return "product + accumulator sums may not be exact in double";
  if (!sum_fits(cfg.accumulator, cfg.chunk_accumulator))
    return "chunk sums may not be exact in double";
  return {};
}

engine::KernelFn kernel_for(Isa isa) {
  switch (isa) {
    case Isa::avx512:
      return engine::kernel_avx512;
    case Isa::avx2:
      return engine::kernel_avx2;
    default:
      return engine::kernel_portable;
  }
}

// Runs body(begin, end, counts) over row ranges on `threads` threads, merging counts. An
// exception in any thread (the golden model refusing a value) is rethrown in the caller.
template <typename Body>
void parallel_rows(std::int64_t m, int threads, StageCounts* counts, Body body) {
  const std::int64_t blocks = std::min<std::int64_t>(threads, std::max<std::int64_t>(m, 1));
  std::vector<StageCounts> partial(blocks);
  std::vector<std::exception_ptr> errors(blocks);
  const auto range = [&](std::int64_t t) { return m * t / blocks; };
  const auto guarded = [&](std::int64_t t) {
    try {
      body(range(t), range(t + 1), &partial[t]);
    } catch (...) {
      errors[t] = std::current_exception();
    }
  };
  std::vector<std::thread> pool;
  for (std::int64_t t = 1; t < blocks; ++t) pool.emplace_back(guarded, t);
  guarded(0);
  for (auto& th : pool) th.join();
  for (const auto& e : errors)
    if (e) std::rethrow_exception(e);
  if (counts)
    for (const auto& p : partial) *counts += p;
}

// W [k x n] with its rows padded by zeros to np columns, as the kernels read it.
template <typename T>
std::vector<T> padded_columns(const double* w, std::int64_t k, std::int64_t n, std::int64_t np) {
  std::vector<T> out(static_cast<std::size_t>(k * np), T{0});
  for (std::int64_t kk = 0; kk < k; ++kk)
    std::copy(w + kk * n, w + kk * n + n, out.data() + kk * np);
  return out;
}

// Products per chunk (the whole of k when unchunked).
std::int64_t chunk_length(const AccumConfig& cfg, std::int64_t k) {
  return (cfg.chunk <= 0 || cfg.chunk >= k) ? k : cfg.chunk;
}

bool all_fp32(const AccumConfig& cfg) {
  static const Format ieee32 = parse_format("fp32");
  return cfg.product == ieee32 && cfg.accumulator == ieee32 && cfg.chunk_accumulator == ieee32;
}

// Empty when the IEEE binary32 kernel computes exactly what the golden model does (see
// engine/kernel_fp32.cpp): every stage is the fp32 preset, operands and products are exact
// floats, and no partial sum can come near the float range's end (each is at most k times the
// largest product, plus rounding: one more binade).
std::string fp32_path_refusal(const AccumConfig& cfg, const OperandStats& sa,
                              const OperandStats& sw, std::int64_t k) {
  if (!all_fp32(cfg)) return "not all stages fp32";
  if (!sa.finite || !sw.finite || sa.subnormal || sw.subnormal) return "non-finite operands";
  for (const OperandStats* o : {&sa, &sw})
    if (o->sig_bits > 0 && (o->sig_bits > 24 || o->min_lsb < -149 || o->max_binade > 127))
      return "operands are not exact floats";
  if (sa.sig_bits == 0 || sw.sig_bits == 0) return {};  // all products are zero
  if (sa.sig_bits + sw.sig_bits > 24)
    return "operand significands too wide for exact float products";
  if (sa.min_lsb + sw.min_lsb < -149) return "products below the float quantum";
  const int top = sa.max_binade + sw.max_binade + 2 + std::bit_width(static_cast<std::uint64_t>(k));
  if (top > 126) return "sums may reach the float range's end";
  return {};
}

void run_fp32(const double* a, const double* w, double* c, std::int64_t m, std::int64_t k,
              std::int64_t n, const AccumConfig& cfg, StageCounts* counts, int threads, Isa isa) {
  const engine::Fp32KernelFn fn = isa == Isa::avx512 ? engine::kernel_fp32_avx512
                                  : isa == Isa::avx2 ? engine::kernel_fp32_avx2
                                                     : engine::kernel_fp32_portable;
  const std::int64_t np = (n + 15) / 16 * 16;
  const std::vector<float> af(a, a + m * k), wf = padded_columns<float>(w, k, n, np);
  const engine::Fp32Args args{af.data(), wf.data(), c, k, n, np, chunk_length(cfg, k)};
  parallel_rows(m, threads, counts, [&](std::int64_t i0, std::int64_t i1, StageCounts* sc) {
    fn(args, i0, i1, counts ? sc : nullptr);
  });
}

void add_ops(StageCounts* counts, std::int64_t m, std::int64_t k, std::int64_t n,
             std::int64_t chunks) {
  if (!counts) return;
  const auto macs = static_cast<std::uint64_t>(m * n * k);
  counts->product.ops += macs;
  counts->accumulator.ops += macs;
  counts->chunk.ops += static_cast<std::uint64_t>(m * n * chunks);
}

}  // namespace

Isa best_isa() {
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq")) return Isa::avx512;
  if (__builtin_cpu_supports("avx2")) return Isa::avx2;
  return Isa::portable;
}

std::string to_string(Isa isa) {
  switch (isa) {
    case Isa::automatic:
      return "automatic";
    case Isa::avx512:
      return "avx512";
    case Isa::avx2:
      return "avx2";
    case Isa::portable:
      return "portable";
  }
  return "?";
}

EngineReport gemm(const double* a, const double* w, double* c, std::int64_t m, std::int64_t k,
                  std::int64_t n, const AccumConfig& cfg, StageCounts* counts,
                  const EngineOptions& options, const OperandFloors& floors) {
  EngineReport report;
  report.threads = options.threads > 0
                       ? options.threads
                       : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  if (m == 0 || n == 0) return report;
  const std::int64_t chunks = k > 0 ? (k + chunk_length(cfg, k) - 1) / chunk_length(cfg, k) : 0;

  bool fp32 = false;
  if (options.force_golden) {
    report.reason = "golden path forced";
  } else if (cfg.fused) {
    if (k > 0) {  // the fused kernel (engine/fused_path.cpp), or the reason it does not apply
      const engine::FusedPlan plan =
          engine::plan_fused(a, w, c, m, k, n, cfg, floors, counts != nullptr);
      if (plan.reason.empty()) {
        const Isa isa = options.isa == Isa::automatic ? best_isa() : options.isa;
        const engine::FusedKernelFn fn = engine::fused_kernel_for(isa);
        report.fast = true;
        report.isa = "fused-" + to_string(isa);
        parallel_rows(
            m, report.threads, counts,
            [&](std::int64_t i0, std::int64_t i1, StageCounts* sc) { fn(plan.args, i0, i1, sc); });
        engine::add_fused_ops(counts, m, k, n, cfg);
        return report;
      }
      report.reason = plan.reason;
    }
  } else {
    const OperandStats sa = stats_of(a, m * k), sw = stats_of(w, k * n);
    const std::string fp32_reason = fp32_path_refusal(cfg, sa, sw, k);
    fp32 = fp32_reason.empty();
    report.reason = fp32 ? std::string() : fast_path_refusal(cfg, sa, sw);
    // Say why neither fast path applies (the fp32 reason when the stages are IEEE binary32).
    if (!fp32 && !report.reason.empty() && all_fp32(cfg)) report.reason = fp32_reason;
  }

  if (!report.reason.empty() || k == 0) {
    report.isa = "golden";
    parallel_rows(m, report.threads, counts,
                  [&](std::int64_t i0, std::int64_t i1, StageCounts* sc) {
                    gemm_reference(a + i0 * k, w, c + i0 * n, i1 - i0, k, n, cfg, sc, floors);
                  });
    return report;
  }

  const Isa isa = options.isa == Isa::automatic ? best_isa() : options.isa;
  if (fp32) {
    report.fast = true;
    report.isa = "fp32-" + to_string(isa);
    run_fp32(a, w, c, m, k, n, cfg, counts, report.threads, isa);
    add_ops(counts, m, k, n, chunks);
    return report;
  }

  report.fast = true;
  report.isa = to_string(isa);
  engine::KernelArgs args{};
  const std::int64_t np = (n + 7) / 8 * 8;
  const std::vector<double> wpad = padded_columns<double>(w, k, n, np);
  args.a = a;
  args.w = wpad.data();
  args.c = c;
  args.k = k;
  args.n = n;
  args.np = np;
  args.ldw = np;
  args.ldc = n;
  args.chunk = chunk_length(cfg, k);
  args.prod = engine::make_fast_format(cfg.product);
  args.acc = engine::make_fast_format(cfg.accumulator);
  args.cacc = engine::make_fast_format(cfg.chunk_accumulator);
  args.count = counts != nullptr;
  engine::KernelFn fn = kernel_for(isa);
  if (isa == Isa::avx512 && options.specialize)
    if (const engine::KernelFn sat = engine::kernel_avx512_saturating(args)) {
      fn = sat;
      report.isa = "avx512-sat";
    }
  parallel_rows(m, report.threads, counts,
                [&](std::int64_t i0, std::int64_t i1, StageCounts* sc) { fn(args, i0, i1, sc); });
  add_ops(counts, m, k, n, chunks);
  return report;
}

}  // namespace lbasim::num
