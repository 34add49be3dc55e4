// Engine dispatch: ask the plan (engine/plan.cpp) whether the fast path is exact for these
// operands and formats, pick the kernel and the instruction set, split rows over threads.
#include "lbasim/numerics/engine.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <cmath>
#include <exception>
#include <thread>
#include <vector>

#include "engine/fused_kernel.h"
#include "engine/kernel.h"
#include "lbasim/numerics/fast_format.h"
#include "engine/plan.h"

namespace lbasim::num {
namespace {

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

// Runs body(begin, end, counts) over row blocks on `threads` threads, merging counts. Threads
// take blocks from a shared counter rather than one fixed share each: on a shared machine a
// thread whose core is also running other work leaves its blocks to the others instead of
// holding up the whole GEMM (docs/engine.md, Threads). Blocks are multiples of the kernels'
// 4 rows, several per thread; event counts are sums of integers, so they do not depend on
// which thread took which block. An exception in any thread (the golden model refusing a
// value) stops the others taking blocks and is rethrown in the caller.
template <typename Body>
void parallel_rows(std::int64_t m, int threads, StageCounts* counts, Body body) {
  const std::int64_t workers = std::min<std::int64_t>(threads, std::max<std::int64_t>(m, 1));
  if (workers <= 1) {
    if (m > 0) body(0, m, counts);
    return;
  }
  constexpr std::int64_t kBlocksPerThread = 8;
  const std::int64_t grain = std::max<std::int64_t>(4, m / (workers * kBlocksPerThread) / 4 * 4);
  std::atomic<std::int64_t> next{0};
  std::atomic<bool> failed{false};
  std::vector<StageCounts> partial(workers);
  std::vector<std::exception_ptr> errors(workers);
  const auto work = [&](std::int64_t t) {
    try {
      for (std::int64_t i0; !failed && (i0 = next.fetch_add(grain)) < m;)
        body(i0, std::min(m, i0 + grain), &partial[t]);
    } catch (...) {
      errors[t] = std::current_exception();
      failed = true;
    }
  };
  std::vector<std::thread> pool;
  for (std::int64_t t = 1; t < workers; ++t) pool.emplace_back(work, t);
  work(0);
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
// engine/kernel_fp32_impl.inc): every stage is the fp32 preset, operands and products are exact
// floats, and no partial sum can come near the float range's end (each is at most k times the
// largest product, plus rounding: one more binade).
std::string fp32_path_refusal(const AccumConfig& cfg, const engine::OperandStats& sa,
                              const engine::OperandStats& sw, std::int64_t k) {
  if (!all_fp32(cfg)) return "not all stages fp32";
  if (!sa.finite || !sw.finite || sa.subnormal || sw.subnormal) return "non-finite operands";
  for (const engine::OperandStats* o : {&sa, &sw})
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
  engine::KernelArgs args{};
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
    const engine::OperandStats sa = engine::stats_of(a, m * k), sw = engine::stats_of(w, k * n);
    const std::string fp32_reason = fp32_path_refusal(cfg, sa, sw, k);
    fp32 = fp32_reason.empty();
    engine::FastPlan plan;
    report.reason = fp32 ? std::string() : engine::fast_plan(cfg, sa, sw, plan);
    args.prod_exact = plan.prod_exact;
    args.prod_odd = plan.prod_odd;
    args.sum_odd = plan.sum_odd;
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
  const std::int64_t np = (n + 7) / 8 * 8;
  // W as it is when its rows are whole vectors, else a padded copy.
  const std::vector<double> wpad =
      np == n ? std::vector<double>() : padded_columns<double>(w, k, n, np);
  args.a = a;
  args.w = np == n ? w : wpad.data();
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
