// What one GEMM on the array cost: cycles by kind, buffer traffic, per-PE activity, events.
#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "lbasim/numerics/events.h"
#include "lbasim/systemc/array_config.h"

namespace lbasim::sysc {

// An on-chip SRAM: its size in words (what the GEMM needs staged) and its word accesses.
struct BufferCounters {
  std::uint64_t size_words = 0;
  std::uint64_t reads = 0;
  std::uint64_t writes = 0;
  friend bool operator==(const BufferCounters&, const BufferCounters&) = default;
};

// Activity of one processing element, for the energy model.
struct PeCounters {
  std::uint64_t macs = 0;          // FMAq operations
  std::uint64_t zero_operand = 0;  // MACs with a == 0 or w == 0
  std::uint64_t chunk_adds = 0;    // chunk-accumulator adds done in this PE
  std::uint64_t reg_writes = 0;    // enabled register writes (weight, activation, psum, chunk)
  friend bool operator==(const PeCounters&, const PeCounters&) = default;
};

// Every cycle is exactly one of: stream (some tile's operands are in the array), stall
// (weights loading (WS) or results draining (OS) and nothing streaming) or memory stall
// (waiting for DRAM); a stream cycle is `full` when every PE the streaming tiles use does a
// MAC, else fill/drain.
struct ArrayStats {
  ArrayConfig array;
  std::int64_t m = 0, k = 0, n = 0;
  std::uint64_t tiles = 0;  // passes of the array (weight loads in WS)
  std::uint64_t total_cycles = 0;
  std::uint64_t compute_cycles = 0;       // cycles with at least one MAC
  std::uint64_t full_cycles = 0;          // cycles with every active PE busy
  std::uint64_t fill_drain_cycles = 0;    // stream cycles that are not full
  std::uint64_t stall_cycles = 0;         // weight load (WS) or result drain (OS)
  std::uint64_t memory_stall_cycles = 0;  // nothing to do until DRAM delivers (or takes) data
  double dram_read_bytes = 0, dram_write_bytes = 0;
  std::uint64_t macs = 0;
  std::uint64_t pe_steps = 0;    // busy PE-cycles: one step each (fmaq: = macs; fused: groups)
  std::uint64_t chunk_adds = 0;  // chunk-accumulator adds, in PEs and at column bottoms
  BufferCounters act_buffer, weight_buffer, out_buffer;
  std::vector<PeCounters> pe;                    // row-major, rows x cols
  std::vector<std::uint64_t> column_chunk_adds;  // adds of each column-bottom chunk accumulator
  num::StageCounts events;
  // The arithmetic the PEs ran: "fast", "golden", or "golden (fast refused: <reason>)".
  std::string arith;

  // Busy PE-cycles per PE-cycle over the whole GEMM (fmaq: MACs per PE-cycle; fused: steps of
  // up to g MACs per PE-cycle).
  double utilization() const;
};

// One GEMM of an inference on the array (sysc::simulate_inference), as the cost model takes it.
struct LayerRun {
  std::string name;  // the op's name, "<name>/g<group>" for a grouped conv
  ArrayStats stats;
};

// cycles: total = stall + memory_stall + full + fill_drain; stall is weight_load (WS) or
// drain (OS), both keys present.
nlohmann::json to_json(const ArrayStats& s, bool per_pe = true);
// rows, cols, dataflow, pe, buffering, dram_bytes_per_cycle ("inf" when unlimited).
nlohmann::json to_json(const ArrayConfig& a);
// A readable multi-line summary (no per-PE detail).
std::string format_table(const ArrayStats& s);

}  // namespace lbasim::sysc
