// Shape and dataflow of a systolic array (docs/systolic.md).
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

namespace lbasim::sysc {

// weight-stationary: weights preloaded, activations flow right, partial sums flow down.
// output-stationary: activations flow right, weights flow down, each PE keeps one output.
enum class DataflowKind : std::uint8_t { ws, os };

// The processing element's arithmetic (src/pe/). fmaq: the paper's PE, one quantized FMA per
// cycle plus a chunk lane. fused: a tensor-core dot-product unit, g products and the psum per
// cycle in the config's fused order (numerics contract section 7), plus the same chunk lane.
enum class PeKind : std::uint8_t { fmaq, fused };

// How the PEs round: fast, the engine's exact-and-round arithmetic (num::FastFmaq) wherever it
// is exact for the GEMM's formats and operands, else the golden model; golden, num::mul_q and
// num::add_q always (to check the fast one against).
enum class PeArith : std::uint8_t { fast, golden };

// single: a tile's weight load (WS) or result drain (OS) stalls the array. double: WS preloads
// the next tile's weights into shadow registers while a tile streams; OS drains finished
// results down the columns while the next tile streams (docs/systolic.md).
enum class Buffering : std::uint8_t { single, double_ };

// Where the chunk accumulators are (docs/systolic.md): pe, a chunk adder in every PE (any chunk
// size); column, one per column at the column bottom (Gemmini-style), WS only, for a chunk size
// that is a multiple of the array's rows or 0.
enum class ChunkLane : std::uint8_t { pe, column };

struct ArrayConfig {
  int rows = 16;
  int cols = 16;
  DataflowKind dataflow = DataflowKind::ws;
  PeKind pe = PeKind::fmaq;
  Buffering buffering = Buffering::double_;
  // The DRAM port (docs/systolic.md, "Memory bandwidth"); infinity: operands never stall.
  double dram_bytes_per_cycle = std::numeric_limits<double>::infinity();
  ChunkLane chunk_lane = ChunkLane::pe;
  PeArith arith = PeArith::fast;
};

inline constexpr int kMaxArrayDim = 1024;

// "RxC", e.g. "16x16"; throws InputError naming `what` and the text on anything else.
ArrayConfig parse_array_shape(std::string_view text, const std::string& what);
// "ws" or "os"; throws InputError naming `what` otherwise.
DataflowKind parse_dataflow(std::string_view text, const std::string& what);
std::string_view to_string(DataflowKind d);
// "fmaq" or "fused"; throws InputError naming `what` otherwise.
PeKind parse_pe_kind(std::string_view text, const std::string& what);
std::string_view to_string(PeKind p);
// "fast" or "golden"; throws InputError naming `what` otherwise.
PeArith parse_pe_arith(std::string_view text, const std::string& what);
std::string_view to_string(PeArith a);
// "single" or "double"; throws InputError naming `what` otherwise.
Buffering parse_buffering(std::string_view text, const std::string& what);
std::string_view to_string(Buffering b);
// "pe" or "column"; throws InputError naming `what` otherwise.
ChunkLane parse_chunk_lane(std::string_view text, const std::string& what);
std::string_view to_string(ChunkLane c);
// A bandwidth in bytes per cycle: a number > 0 or "inf"; throws InputError naming `what`.
double parse_bandwidth(std::string_view text, const std::string& what);

// Throws InputError if rows or cols are outside 1..kMaxArrayDim or the DRAM bandwidth is not
// > 0.
void validate(const ArrayConfig& a);

}  // namespace lbasim::sysc
