// One interface for every dataflow of the array: a cycle-by-cycle engine that owns the PE
// register arrays, the input skew, the output de-skew and the tiling controller. The
// implementations are sibling files in src/dataflow/ (weight_stationary, output_stationary),
// templates over the PE kind (src/pe/), whose one step both dataflows share.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>

#include "lbasim/numerics/accumulate.h"
#include "lbasim/systemc/array_config.h"
#include "lbasim/systemc/array_stats.h"

namespace lbasim::sysc {

// Which of a GEMM's operands go through the DRAM port, and their sizes in bytes (per element;
// per pair for the WS partial sums). The residency rule that decides it is models/memory's
// (docs/memory.md); by default everything is on chip and the port is idle.
struct GemmDram {
  bool a = false;         // A is read from DRAM: WS once per N tile, OS once
  bool w = false;         // W is read from DRAM: WS once, OS once per M tile
  bool c = false;         // C is written to DRAM
  bool partials = false;  // WS partial-sum pairs between K tiles go to DRAM and back
  double a_bytes = 1, w_bytes = 1, c_bytes = 2, pair_bytes = 4;
};

// C[m x n] = A[m x k] W[k x n], row-major. The buffers must outlive the run.
struct GemmProblem {
  const double* a = nullptr;
  const double* w = nullptr;
  double* c = nullptr;
  std::int64_t m = 0, k = 0, n = 0;
  GemmDram dram{};
  // The operands' exponent floors (the fused PE aligns by them, numerics contract section 7;
  // num::gemm_reference takes the same); unused by the fmaq PE.
  num::OperandFloors floors{};
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
  double value = 0;            // Q_cacc(psum + chunk) where chunk_add
  // The column-bottom chunk accumulator added psum into chunk (always for final words; with
  // chunk lane 'column' also where a chunk ends), with these events.
  bool chunk_add = false;
  std::uint8_t events = 0;
};

// What one PE did in one cycle, in the event encodings of rtl/fmaq/fmaq.v (= num::Event):
// bit 0 overflow, 1 underflow, 2 inexact, 3 swamped (accumulator and chunk stages only).
struct PeStepEvents {
  enum : std::uint8_t { kMac = 1, kChunkAdd = 2 };
  std::uint8_t done = 0;         // kMac: product and accumulator stages ran; kChunkAdd: chunk
  std::uint8_t product = 0;      // events of Q_prod(a w) (fused PE: exact products, none)
  std::uint8_t accumulator = 0;  // events of Q_acc(product + psum)
  std::uint8_t chunk = 0;        // events of the chunk lane's Q_cacc(psum + chunk)
  // Fused PE only (section 7): terms of the step whose alignment dropped bits, and non-zero
  // terms cut to zero (swamped); `accumulator` holds the events of the one Q_acc.
  std::uint16_t align_inexact = 0, cut = 0;
  friend bool operator==(const PeStepEvents&, const PeStepEvents&) = default;
};

// The per-PE event record of one cycle: the arithmetic each PE did in `cycle`, whose results
// its registers hold from the next cycle on. Idle PEs have done == 0 and no events.
struct CycleEvents {
  std::uint64_t cycle = 0;
  int rows = 0, cols = 0;
  std::span<const PeStepEvents> pe;  // rows x cols, row-major
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
  // Called after every cycle with the per-PE event record (co-simulation of the events). When
  // empty the record is not kept at all: the PE loops are compiled without it.
  std::function<void(const CycleEvents&)> on_pe_events;
};

// The implementation named by a.dataflow and a.pe. Throws InputError for an invalid array or
// config.
std::unique_ptr<Dataflow> make_dataflow(const ArrayConfig& a, const num::AccumConfig& cfg);

}  // namespace lbasim::sysc
