// Shape and dataflow of a systolic array (docs/systolic.md).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace lbasim::sysc {

// weight-stationary: weights preloaded, activations flow right, partial sums flow down.
// output-stationary: activations flow right, weights flow down, each PE keeps one output.
enum class DataflowKind : std::uint8_t { ws, os };

// The processing element's arithmetic (src/pe/). fmaq: the paper's PE, one quantized FMA per
// cycle plus a chunk lane.
enum class PeKind : std::uint8_t { fmaq };

struct ArrayConfig {
  int rows = 16;
  int cols = 16;
  DataflowKind dataflow = DataflowKind::ws;
  PeKind pe = PeKind::fmaq;
};

inline constexpr int kMaxArrayDim = 1024;

// "RxC", e.g. "16x16"; throws InputError naming `what` and the text on anything else.
ArrayConfig parse_array_shape(std::string_view text, const std::string& what);
// "ws" or "os"; throws InputError naming `what` otherwise.
DataflowKind parse_dataflow(std::string_view text, const std::string& what);
std::string_view to_string(DataflowKind d);
// "fmaq"; throws InputError naming `what` otherwise.
PeKind parse_pe_kind(std::string_view text, const std::string& what);
std::string_view to_string(PeKind p);

// Throws InputError if rows or cols are outside 1..kMaxArrayDim.
void validate(const ArrayConfig& a);

}  // namespace lbasim::sysc
