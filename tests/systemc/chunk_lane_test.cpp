// Chunk lane 'column' (docs/systolic.md): the chunk accumulators at the column bottoms of a WS
// array, for chunks that are multiples of the array's rows. Values and events bit-exact with the
// golden GEMM on odd shapes, counters that say where the adds happen, and the refusals.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <numeric>
#include <string>
#include <vector>

#include "array_runs.h"
#include "lbasim/base/error.h"
#include "lbasim/numerics/accumulate.h"
#include "lbasim/numerics/format.h"
#include "lbasim/systemc/random_operands.h"
#include "lbasim/systemc/run_gemm.h"

namespace lbasim::sysc {
namespace {

using test::narrow;

ArrayConfig column(int rows, int cols, Buffering b) {
  ArrayConfig a{rows, cols, DataflowKind::ws, PeKind::fmaq, b};
  a.chunk_lane = ChunkLane::column;
  return a;
}

std::uint64_t pe_chunk_adds(const ArrayStats& s) {
  std::uint64_t n = 0;
  for (const PeCounters& p : s.pe) n += p.chunk_adds;
  return n;
}

std::uint64_t column_chunk_adds(const ArrayStats& s) {
  return std::accumulate(s.column_chunk_adds.begin(), s.column_chunk_adds.end(), std::uint64_t{0});
}

TEST(ChunkLaneColumn, BitExactWithGoldenOnOddShapes) {
  const num::Format wa = num::parse_format("M4E3");
  std::uint64_t seed = 300;
  for (const auto& [m, k, n] : {std::tuple{7, 13, 5}, {5, 31, 9}, {1, 17, 3}, {9, 6, 11}}) {
    const std::vector<double> a = random_operand(m * k, wa, seed++, 1.5);
    const std::vector<double> w = random_operand(k * n, wa, seed++, 1.5);
    for (Buffering b : {Buffering::single, Buffering::double_})
      for (const auto& [rows, cols] : {std::pair{1, 1}, {3, 5}, {4, 4}, {5, 3}, {2, 7}})
        for (int mult : {0, 1, 2, 3}) {
          const num::AccumConfig cfg = narrow(mult * rows);
          const std::string where = fmt::format("{}x{} {} GEMM {},{},{} chunk {}", rows, cols,
                                                to_string(b), m, k, n, cfg.chunk);
          std::vector<double> want(m * n), got(m * n, -1.0), pe_got(m * n);
          num::StageCounts want_events;
          num::gemm_reference(a.data(), w.data(), want.data(), m, k, n, cfg, &want_events);
          const ArrayStats st =
              run_gemm({a.data(), w.data(), got.data(), m, k, n}, column(rows, cols, b), cfg);
          for (std::size_t i = 0; i < got.size(); ++i)
            ASSERT_EQ(std::bit_cast<std::uint64_t>(got[i]), std::bit_cast<std::uint64_t>(want[i]))
                << where << " C[" << i << "]";
          EXPECT_EQ(num::to_json(st.events).dump(), num::to_json(want_events).dump()) << where;
          // Every chunk add at a column bottom, none in the PEs.
          EXPECT_EQ(pe_chunk_adds(st), 0u) << where;
          EXPECT_EQ(column_chunk_adds(st), want_events.chunk.ops) << where;
          EXPECT_EQ(st.chunk_adds, want_events.chunk.ops) << where;
          // The same GEMM with a chunk adder in every PE: the same numbers and cycles, the
          // adds split between the PEs and the column bottoms (one final add per output).
          ArrayConfig in_pe = column(rows, cols, b);
          in_pe.chunk_lane = ChunkLane::pe;
          const ArrayStats pe = run_gemm({a.data(), w.data(), pe_got.data(), m, k, n}, in_pe, cfg);
          EXPECT_EQ(pe.total_cycles, st.total_cycles) << where;
          EXPECT_EQ(column_chunk_adds(pe), static_cast<std::uint64_t>(m * n)) << where;
          EXPECT_EQ(pe_chunk_adds(pe) + column_chunk_adds(pe), want_events.chunk.ops) << where;
        }
  }
}

TEST(ChunkLaneColumn, BufferTrafficAndRegisterWritesByHand) {
  // 2x2 WS, GEMM M=3 K=6 N=2, chunk 2: three K tiles of 2 rows, each ends a chunk, so each
  // output gets 3 column-bottom adds: 9 per column. Output buffer, per word (m, c) of a tile:
  // tile 0 writes the running sum (1), tile 1 reads it and writes it (1 + 1), tile 2 reads it
  // and writes the result (1 + 1): 12 reads, 18 writes (with a chunk adder per PE: pairs of 2
  // words, 24 reads and 30 writes). Each PE moves only a psum: 3 tiles x 3 rows m = 9 writes,
  // plus 3 weights and 9 activations.
  const num::Format wa = num::parse_format("M4E3");
  const std::vector<double> a = random_operand(3 * 6, wa, 1), w = random_operand(6 * 2, wa, 2);
  std::vector<double> c(3 * 2);
  const ArrayStats st =
      run_gemm({a.data(), w.data(), c.data(), 3, 6, 2}, column(2, 2, Buffering::single), narrow(2));
  EXPECT_EQ(st.column_chunk_adds, (std::vector<std::uint64_t>{9, 9}));
  EXPECT_EQ(st.out_buffer.reads, 12u);
  EXPECT_EQ(st.out_buffer.writes, 18u);
  for (const PeCounters& p : st.pe) {
    EXPECT_EQ(p.chunk_adds, 0u);
    EXPECT_EQ(p.reg_writes, 21u);
  }
  ArrayConfig in_pe = column(2, 2, Buffering::single);
  in_pe.chunk_lane = ChunkLane::pe;
  const ArrayStats pe = run_gemm({a.data(), w.data(), c.data(), 3, 6, 2}, in_pe, narrow(2));
  EXPECT_EQ(pe.out_buffer.reads, 24u);
  EXPECT_EQ(pe.out_buffer.writes, 30u);
}

TEST(ChunkLaneColumn, UnmappableRequestsAreRefused) {
  const auto message = [](const ArrayConfig& ac, std::int64_t chunk) -> std::string {
    std::vector<double> x(16, 1.0), c(16);
    try {
      run_gemm({x.data(), x.data(), c.data(), 4, 4, 4}, ac, narrow(chunk));
    } catch (const InputError& e) {
      return e.what();
    }
    return "(no error)";
  };
  const std::string ragged = message(column(4, 4, Buffering::double_), 6);
  EXPECT_NE(ragged.find("chunk 6"), std::string::npos) << ragged;
  EXPECT_NE(ragged.find("4 rows"), std::string::npos) << ragged;
  ArrayConfig os = column(4, 4, Buffering::double_);
  os.dataflow = DataflowKind::os;
  EXPECT_NE(message(os, 4).find("output-stationary"), std::string::npos);
  EXPECT_EQ(message(column(4, 4, Buffering::double_), 8), "(no error)");
  EXPECT_EQ(parse_chunk_lane("column", "--chunk-lane"), ChunkLane::column);
  const std::string bad = [] {
    try {
      parse_chunk_lane("row", "--chunk-lane");
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  }();
  EXPECT_NE(bad.find("--chunk-lane: 'row'"), std::string::npos) << bad;
}

}  // namespace
}  // namespace lbasim::sysc
