// What every dataflow shares around its register moves: the PE kind and its one step, the
// GEMM, the statistics, the event counts and the optional per-PE event record. A dataflow
// keeps only its skew, its tiling and its registers; every MAC goes through mac() and every
// column-bottom result through result().
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <type_traits>
#include <vector>

#include "../pe/processing_element.h"
#include "lbasim/numerics/events.h"
#include "lbasim/numerics/fast_fmaq.h"
#include "lbasim/systemc/dataflow.h"

namespace lbasim::sysc::detail {

inline std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }

// Throws InputError for null operands or a non-positive dimension.
void check_problem(const GemmProblem& p);

// Event counts kept as a histogram of event bit patterns (one increment per quantization),
// expanded into EventCounts once per GEMM.
struct EventHistogram {
  std::array<std::uint64_t, 16> bins{};
  void add(std::uint8_t events, std::uint64_t times = 1) { bins[events & 15] += times; }
  num::EventCounts counts() const;
};

// A PE kind whose steps can run a row at a time on the fast arithmetic (the fmaq PE).
template <class Pe>
concept RowStepping = requires(const Pe& pe, const typename Pe::Operand& op) {
  { pe.fast() } -> std::same_as<const num::FastFmaq*>;
  { Pe::value(op) } -> std::same_as<double>;
};

template <ProcessingElement Pe>
class ArrayCore {
 public:
  using Operand = typename Pe::Operand;

  ArrayCore(const ArrayConfig& a, Pe pe) : array(a), pe(std::move(pe)) {}

  // A new GEMM: checks and binds it, zeroes the statistics and the events. The whole A and W
  // are staged on chip (docs/systolic.md), in both dataflows.
  void begin(const GemmProblem& gemm) {
    check_problem(gemm);
    p = gemm;
    stats = ArrayStats{};
    stats.array = array;
    stats.m = p.m;
    stats.k = p.k;
    stats.n = p.n;
    stats.pe.assign(static_cast<std::size_t>(array.rows) * array.cols, PeCounters{});
    stats.column_chunk_adds.assign(array.cols, 0);
    stats.act_buffer.size_words = stats.act_buffer.writes = p.m * p.k;
    stats.weight_buffer.size_words = stats.weight_buffer.writes = p.k * p.n;
    pe.bind(p);
    stats.arith = pe.arith();
    prod_events_ = acc_events_ = chunk_events_ = {};
    row_tally_ = {};
    row_mac_total_ = 0;
    if (row_stepping()) {
      row_macs_.assign(stats.pe.size(), 0);
      row_chunk_adds_.assign(stats.pe.size(), 0);
      row_zero_operand_.assign(stats.pe.size(), 0);
    }
    align_inexact_ = cut_ = 0;
  }

  // PE i (row-major) does step `s` of a dot product; counted, and recorded when kRecord.
  template <bool kRecord>
  Lanes mac(int i, std::int64_t s, Lanes in, bool restart, const Operand& a, const Operand& w) {
    PeStepEvents ev;
    const Lanes out = pe.step(in, restart, a, w, ev);
    PeCounters& c = stats.pe[i];
    const int products = pe.products(s);
    c.macs += products;
    c.zero_operand += Pe::zero_operands(a, w);
    stats.macs += products;
    ++stats.pe_steps;
    prod_events_.add(ev.product, static_cast<std::uint64_t>(products));  // one per product
    acc_events_.add(ev.accumulator);
    align_inexact_ += ev.align_inexact;
    cut_ += ev.cut;
    if (ev.done & PeStepEvents::kChunkAdd) {
      ++c.chunk_adds;
      chunk_events_.add(ev.chunk);
    }
    if constexpr (kRecord) record_[i] = ev;
    return out;
  }

  // True when this GEMM's steps run a row at a time (mac_row): an fmaq PE on the fast
  // arithmetic. Otherwise every step goes through mac().
  bool row_stepping() const {
    if constexpr (RowStepping<Pe>)
      return pe.fast() != nullptr;
    else
      return false;
  }

  // Queues a step of PEs i0 .. i0 + n - 1 of one array row for run_rows(): each does what
  // op[c] says (FastFmaq::Row: 0 idle, kMac, kMac | kRestart) on a[c], w[c] and its lanes
  // psum[c], chunk[c], in place; `macs` lanes step. The pointers must stay valid until then.
  void add_row(int i0, int n, std::uint64_t macs, const std::uint8_t* op, const double* a,
               const double* w, double* psum, double* chunk) {
    if (queued_ == rows_.size()) {
      rows_.emplace_back();
      row_first_.emplace_back();
    }
    num::FastFmaq::Row& row = rows_[queued_];
    row.n = n;
    row.op = op;
    row.a = a;
    row.w = w;
    row.psum = psum;
    row.chunk = chunk;
    row.macs = &row_macs_[i0];
    row.chunk_adds = &row_chunk_adds_[i0];
    row.zero_operand = &row_zero_operand_[i0];
    row.prod_events = row.acc_events = row.chunk_events = nullptr;  // run_rows sets them
    row_first_[queued_++] = i0;
    stats.macs += macs;
    stats.pe_steps += macs;
    row_mac_total_ += macs;
  }

  // Runs the queued rows (one cycle's): what mac() does PE by PE, counters, events and record
  // included.
  template <bool kRecord>
  void run_rows() {
    if (queued_ == 0) return;
    if constexpr (RowStepping<Pe>) {
      if constexpr (kRecord) {
        ev_.resize(3 * stats.pe.size());
        for (std::size_t k = 0; k < queued_; ++k) {
          num::FastFmaq::Row& row = rows_[k];
          const std::size_t i0 = row_first_[k];
          row.prod_events = &ev_[3 * i0];
          row.acc_events = &ev_[3 * i0 + row.n];
          row.chunk_events = &ev_[3 * i0 + 2 * row.n];
        }
      }
      pe.fast()->step_rows(rows_.data(), static_cast<int>(queued_), row_tally_);
      if constexpr (kRecord) {
        for (std::size_t k = 0; k < queued_; ++k) {
          const num::FastFmaq::Row& row = rows_[k];
          const int i0 = row_first_[k];
          for (int c = 0; c < row.n; ++c) {
            if (!row.op[c]) continue;
            PeStepEvents& e = record_[i0 + c];
            e.done = PeStepEvents::kMac |
                     ((row.op[c] & num::FastFmaq::kRestart) ? PeStepEvents::kChunkAdd : 0);
            e.product = row.prod_events[c];
            e.accumulator = row.acc_events[c];
            e.chunk = row.chunk_events[c];
          }
        }
      }
    } else {
      throw std::logic_error("run_rows: this PE kind steps one PE at a time");
    }
    queued_ = 0;
  }

  // Column c's bottom chunk accumulator: Q_cacc(psum + chunk), counted, its events to `events`.
  double chunk_add(int c, Lanes in, std::uint8_t& events) {
    const double v = pe.result(in, events);
    chunk_events_.add(events);
    ++stats.column_chunk_adds[c];
    return v;
  }

  // The column-bottom chunk accumulator finishes `word` (psum and chunk set): its value and
  // events, written to C.
  void result(OutputWord& word) {
    word.final = word.chunk_add = true;
    word.value = chunk_add(word.column, {word.psum, word.chunk}, word.events);
    p.c[word.m * p.n + word.n] = word.value;
  }

  // One cycle's PE work: f(std::true_type{}) with the per-PE record, handed to `hook` after,
  // when the hook is set; f(std::false_type{}) otherwise, so the loops carry no record.
  template <class F>
  void run_cycle(const std::function<void(const CycleEvents&)>& hook, F&& f) {
    if (!hook) return f(std::false_type{});
    record_.assign(stats.pe.size(), PeStepEvents{});
    f(std::true_type{});
    hook(CycleEvents{stats.total_cycles, array.rows, array.cols, record_});
  }

  // Classifies a stream cycle in which `busy` PEs did a step, of the `used` PEs the streaming
  // tiles occupy: full when all of them did; else a memory stall if the next tile is waiting
  // for DRAM (`blocked`), else fill/drain.
  void count_stream_cycle(std::uint64_t busy, std::uint64_t used, bool blocked) {
    stats.compute_cycles += busy > 0;
    ++(busy == used ? stats.full_cycles
       : blocked    ? stats.memory_stall_cycles
                    : stats.fill_drain_cycles);
  }

  // The GEMM is done: events into the statistics.
  void finish() {
    stats.events = {prod_events_.counts(), acc_events_.counts(), chunk_events_.counts()};
    if (row_stepping()) {
      std::uint64_t chunk_adds = 0;
      for (std::size_t i = 0; i < stats.pe.size(); ++i) {
        stats.pe[i].macs += row_macs_[i];
        stats.pe[i].chunk_adds += row_chunk_adds_[i];
        stats.pe[i].zero_operand += row_zero_operand_[i];
        chunk_adds += row_chunk_adds_[i];
      }
      stats.events += row_tally_.counts(row_mac_total_, chunk_adds);
    }
    // The fused order's counts (num::add_step): every cut term is swamped.
    stats.events.accumulator.align_inexact = align_inexact_;
    stats.events.accumulator.swamped += cut_;
    stats.chunk_adds = stats.events.chunk.ops;
  }

  const ArrayConfig array;
  Pe pe;
  GemmProblem p;
  ArrayStats stats;

 private:
  EventHistogram prod_events_, acc_events_, chunk_events_;
  std::uint64_t align_inexact_ = 0, cut_ = 0;
  std::vector<PeStepEvents> record_;
  // mac_row's event counts and per-PE counters (into stats at finish), per-lane events when
  // recording.
  num::FastFmaq::Tally row_tally_;
  std::uint64_t row_mac_total_ = 0;
  std::vector<num::FastFmaq::Row> rows_;  // queued by add_row
  std::vector<int> row_first_;            // their first PEs
  std::size_t queued_ = 0;                // rows queued this cycle
  std::vector<std::uint64_t> row_macs_, row_chunk_adds_, row_zero_operand_;
  std::vector<std::uint8_t> ev_;
};

}  // namespace lbasim::sysc::detail
