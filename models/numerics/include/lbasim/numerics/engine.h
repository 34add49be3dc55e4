// The GEMM engine used by every command: a vectorized, multi-threaded fast path where the
// arithmetic provably fits double, the golden model elsewhere. Bit-exact with gemm_reference,
// event counts included.
#pragma once

#include <cstdint>
#include <string>

#include "lbasim/numerics/accumulate.h"
#include "lbasim/numerics/events.h"

namespace lbasim::num {

enum class Isa : std::uint8_t { automatic, avx512, avx2, portable };

struct EngineOptions {
  int threads = 0;            // 0: all hardware threads
  bool force_golden = false;  // always run gemm_reference (per row block, threaded)
  Isa isa = Isa::automatic;   // instruction set of the fast path (automatic: best the CPU has)
  bool specialize = true;     // kernels specialized for common configurations, where they apply
};

// What a call ran, for reports and benchmarks.
struct EngineReport {
  bool fast = false;    // the vectorized fast path (else golden)
  std::string isa;      // "avx512", "avx2", "portable" or "golden"
  std::string reason;   // why the golden path was taken, when it was
  int threads = 1;
};

// C[M x N] = A[M x K] W[K x N] (row-major), exactly as gemm_reference, events added to *counts.
// `floors`: the operands' exponent floors, used by the fused order only (fused.h).
EngineReport gemm(const double* a, const double* w, double* c, std::int64_t m, std::int64_t k,
                  std::int64_t n, const AccumConfig& cfg, StageCounts* counts,
                  const EngineOptions& options = {}, const OperandFloors& floors = {});

// The best instruction set this CPU supports.
Isa best_isa();
std::string to_string(Isa isa);

}  // namespace lbasim::num
