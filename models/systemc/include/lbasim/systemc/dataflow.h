// One interface for every dataflow of the array: a cycle-by-cycle engine that owns the PE
// register arrays, the input skew, the output de-skew and the tiling controller. The
// implementations are sibling files in src/dataflow/ (weight_stationary, output_stationary).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

#include "lbasim/numerics/accumulate.h"
#include "lbasim/systemc/array_config.h"
#include "lbasim/systemc/array_stats.h"

namespace lbasim::sysc {

// C[m x n] = A[m x k] W[k x n], row-major. The buffers must outlive the run.
struct GemmProblem {
  const double* a = nullptr;
  const double* w = nullptr;
  double* c = nullptr;
  std::int64_t m = 0, k = 0, n = 0;
};

// A word leaving the array through the bottom unit of a column (WS: every (m, column) of
// every tile; OS: every output at drain). `final` words are results written to C; the others
// are the partial pair (psum, chunk) parked in the output buffer until the next K tile.
struct OutputWord {
  std::uint64_t cycle = 0;  // cycle of the GEMM (0-based) in which the word leaves
  int column = 0;
  std::int64_t m = 0, n = 0;  // output coordinates in C
  bool final = false;
  double psum = 0, chunk = 0;  // the column's two lanes as they leave the array
  double value = 0;            // Q_cacc(psum + chunk) when final
};

class Dataflow {
 public:
  virtual ~Dataflow() = default;
  // Binds a GEMM and resets registers and counters. Throws InputError on a bad shape.
  virtual void start(const GemmProblem& p) = 0;
  // Advances one clock cycle. Returns false, without spending a cycle, once the GEMM is done.
  virtual bool step() = 0;
  virtual const ArrayStats& stats() const = 0;
  // Called for every word leaving the array (co-simulation, tracing); may be empty.
  std::function<void(const OutputWord&)> on_output;
};

// The implementation named by a.dataflow. Throws InputError for an invalid array or config.
std::unique_ptr<Dataflow> make_dataflow(const ArrayConfig& a, const num::AccumConfig& cfg);

}  // namespace lbasim::sysc
