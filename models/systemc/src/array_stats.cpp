#include "lbasim/systemc/array_stats.h"

#include <fmt/format.h>

#include <cmath>
#include <nlohmann/json.hpp>

namespace lbasim::sysc {

double ArrayStats::utilization() const {
  const double pe_cycles = static_cast<double>(total_cycles) * array.rows * array.cols;
  return pe_cycles > 0 ? static_cast<double>(pe_steps) / pe_cycles : 0.0;
}

namespace {

nlohmann::json buffer_json(const BufferCounters& b) {
  return {{"size_words", b.size_words}, {"reads", b.reads}, {"writes", b.writes}};
}

// JSON has no infinity: an unlimited port is "inf".
nlohmann::json bandwidth_json(double b) {
  return std::isinf(b) ? nlohmann::json("inf") : nlohmann::json(b);
}

}  // namespace

nlohmann::json to_json(const ArrayConfig& a) {
  return {{"rows", a.rows},
          {"cols", a.cols},
          {"dataflow", std::string(to_string(a.dataflow))},
          {"pe", std::string(to_string(a.pe))},
          {"buffering", std::string(to_string(a.buffering))},
          {"chunk_lane", std::string(to_string(a.chunk_lane))},
          {"dram_bytes_per_cycle", bandwidth_json(a.dram_bytes_per_cycle)},
          {"arith", std::string(to_string(a.arith))}};
}

nlohmann::json to_json(const ArrayStats& s, bool per_pe) {
  const bool ws = s.array.dataflow == DataflowKind::ws;
  nlohmann::json j = {
      {"array", to_json(s.array)},
      {"gemm", {{"m", s.m}, {"k", s.k}, {"n", s.n}}},
      {"tiles", s.tiles},
      {"cycles",
       {{"total", s.total_cycles},
        {"compute", s.compute_cycles},
        {"full", s.full_cycles},
        {"fill_drain", s.fill_drain_cycles},
        {"stall", s.stall_cycles},
        {"weight_load", ws ? s.stall_cycles : 0},
        {"drain", ws ? 0 : s.stall_cycles},
        {"memory_stall", s.memory_stall_cycles}}},
      {"dram", {{"read_bytes", s.dram_read_bytes}, {"write_bytes", s.dram_write_bytes}}},
      {"macs", s.macs},
      {"pe_steps", s.pe_steps},
      {"chunk_adds", s.chunk_adds},
      {"utilization", s.utilization()},
      {"buffers",
       {{"activation", buffer_json(s.act_buffer)},
        {"weight", buffer_json(s.weight_buffer)},
        {"output", buffer_json(s.out_buffer)}}},
      {"events", num::to_json(s.events)},
      {"arith", s.arith},
  };
  if (per_pe) {
    // One list per counter, row-major like the array.
    nlohmann::json macs = nlohmann::json::array(), zeros = nlohmann::json::array(),
                   chunks = nlohmann::json::array(), writes = nlohmann::json::array();
    for (const PeCounters& p : s.pe) {
      macs.push_back(p.macs);
      zeros.push_back(p.zero_operand);
      chunks.push_back(p.chunk_adds);
      writes.push_back(p.reg_writes);
    }
    j["columns"] = {{"chunk_adds", s.column_chunk_adds}};
    j["pe"] = {{"layout", "row-major rows x cols"},
               {"macs", macs},
               {"zero_operand", zeros},
               {"chunk_adds", chunks},
               {"reg_writes", writes}};
  }
  return j;
}

std::string format_table(const ArrayStats& s) {
  std::string out;
  auto line = [&out](std::string_view name, auto value) {
    out += fmt::format("  {:<22} {}\n", name, value);
  };
  out += fmt::format("GEMM {}x{}x{} (M,K,N) on a {}x{} {} array of {} PEs, {} buffered\n", s.m, s.k,
                     s.n, s.array.rows, s.array.cols, to_string(s.array.dataflow),
                     to_string(s.array.pe), to_string(s.array.buffering));
  line("tiles", s.tiles);
  line("total cycles", s.total_cycles);
  line("compute cycles", s.compute_cycles);
  line("full cycles", s.full_cycles);
  line("fill/drain cycles", s.fill_drain_cycles);
  line(s.array.dataflow == DataflowKind::ws ? "stall (weight load)" : "stall (drain)",
       s.stall_cycles);
  line("memory stall cycles", s.memory_stall_cycles);
  line("PE arithmetic", s.arith);
  line("MACs", s.macs);
  if (s.pe_steps != s.macs) line("PE steps", s.pe_steps);
  line("chunk adds", s.chunk_adds);
  line("utilization", fmt::format("{:.4f}", s.utilization()));
  line("DRAM", fmt::format("{} B/cycle: {} B read, {} B written",
                           bandwidth_json(s.array.dram_bytes_per_cycle).dump(), s.dram_read_bytes,
                           s.dram_write_bytes));
  auto buf = [&](std::string_view name, const BufferCounters& b) {
    line(name, fmt::format("{} words, {} reads, {} writes", b.size_words, b.reads, b.writes));
  };
  buf("activation buffer", s.act_buffer);
  buf("weight buffer", s.weight_buffer);
  buf("output buffer", s.out_buffer);
  auto ev = [&](std::string_view name, const num::EventCounts& e) {
    line(name, fmt::format("{} ops, {} overflow, {} underflow, {} swamped, {} inexact", e.ops,
                           e.overflow, e.underflow, e.swamped, e.inexact));
  };
  ev("product events", s.events.product);
  ev("accumulator events", s.events.accumulator);
  ev("chunk events", s.events.chunk);
  return out;
}

}  // namespace lbasim::sysc
