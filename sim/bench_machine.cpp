#include "bench_machine.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace lbasim::cli {
namespace {

double wall_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

using v8d = double __attribute__((vector_size(64)));

// 16 independent chains of vector adds: bound by the adders' throughput, not their latency,
// and touching no memory, so two threads scale 2x exactly when they run on separate cores.
__attribute__((target_clones("avx512f", "avx2", "default"))) double probe_loop(long iters) {
  const v8d d = v8d{} + 1e-300;
  // Sixteen registers (an array would live in memory), distinct (equal chains would be
  // merged); floating-point adds do not reassociate, so the compiler keeps every one.
  v8d a0 = d * 1, a1 = d * 2, a2 = d * 3, a3 = d * 4, a4 = d * 5, a5 = d * 6, a6 = d * 7;
  v8d a7 = d * 8, a8 = d * 9, a9 = d * 10, a10 = d * 11, a11 = d * 12, a12 = d * 13;
  v8d a13 = d * 14, a14 = d * 15, a15 = d * 16;
  for (long n = 0; n < iters; ++n) {
    a0 += d, a1 += d, a2 += d, a3 += d, a4 += d, a5 += d, a6 += d, a7 += d;
    a8 += d, a9 += d, a10 += d, a11 += d, a12 += d, a13 += d, a14 += d, a15 += d;
  }
  const v8d s = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11 + a12 + a13 + a14 + a15;
  return s[0];
}

constexpr long kProbeIters = 60'000'000;  // 16 x 60 M vector adds: about 0.2 s a thread

}  // namespace

std::optional<double> machine_busy_seconds() {
  std::ifstream f("/proc/stat");
  std::string cpu;
  if (!(f >> cpu) || cpu != "cpu") return std::nullopt;
  // user nice system idle iowait irq softirq steal (guest time is inside user)
  double v[8] = {};
  for (double& x : v)
    if (!(f >> x)) return std::nullopt;
  const double busy = v[0] + v[1] + v[2] + v[5] + v[6] + v[7];
  return busy / static_cast<double>(sysconf(_SC_CLK_TCK));
}

double process_cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  const auto sec = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + t.tv_usec * 1e-6;
  };
  return sec(u.ru_utime) + sec(u.ru_stime);
}

double compute_probe_gadds(int threads) {
  std::vector<std::thread> pool;
  const double t0 = wall_seconds();
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([] {
      volatile double sink = probe_loop(kProbeIters);
      (void)sink;
    });
  for (auto& th : pool) th.join();
  const double adds = 16.0 * 8 * kProbeIters * threads;
  return adds / (wall_seconds() - t0) / 1e9;
}

LoadMeter::LoadMeter()
    : busy0_(machine_busy_seconds()), cpu0_(process_cpu_seconds()), wall0_(wall_seconds()) {}

std::optional<double> LoadMeter::others_share() const {
  const std::optional<double> busy1 = machine_busy_seconds();
  if (!busy0_ || !busy1) return std::nullopt;
  const double others = (*busy1 - *busy0_) - (process_cpu_seconds() - cpu0_);
  const double capacity = (wall_seconds() - wall0_) * std::thread::hardware_concurrency();
  return capacity > 0 ? std::max(0.0, others / capacity) : 0.0;
}

}  // namespace lbasim::cli
