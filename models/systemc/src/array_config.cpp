#include "lbasim/systemc/array_config.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <limits>

#include "lbasim/base/error.h"

namespace lbasim::sysc {
namespace {

bool parse_int(std::string_view s, int& out) {
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size() && !s.empty();
}

}  // namespace

ArrayConfig parse_array_shape(std::string_view text, const std::string& what) {
  const std::size_t x = text.find_first_of("xX");
  ArrayConfig a;
  if (x == std::string_view::npos || !parse_int(text.substr(0, x), a.rows) ||
      !parse_int(text.substr(x + 1), a.cols))
    throw InputError(
        fmt::format("{}: '{}' is not an array shape; expected ROWSxCOLS, e.g. 16x16", what, text));
  try {
    validate(a);
  } catch (const InputError& e) {
    rethrow_with_context(what, e);
  }
  return a;
}

DataflowKind parse_dataflow(std::string_view text, const std::string& what) {
  if (text == "ws") return DataflowKind::ws;
  if (text == "os") return DataflowKind::os;
  throw InputError(
      fmt::format("{}: '{}' is not a dataflow; expected ws (weight-stationary) or "
                  "os (output-stationary)",
                  what, text));
}

std::string_view to_string(DataflowKind d) { return d == DataflowKind::ws ? "ws" : "os"; }

PeKind parse_pe_kind(std::string_view text, const std::string& what) {
  if (text == "fmaq") return PeKind::fmaq;
  if (text == "fused") return PeKind::fused;
  throw InputError(
      fmt::format("{}: '{}' is not a PE kind; expected fmaq (quantized FMA with a chunk lane) or "
                  "fused (g-term dot-product unit, the config's \"fused\" order)",
                  what, text));
}

std::string_view to_string(PeKind p) {
  switch (p) {
    case PeKind::fmaq:
      return "fmaq";
    case PeKind::fused:
      return "fused";
  }
  return "?";
}

PeArith parse_pe_arith(std::string_view text, const std::string& what) {
  if (text == "fast") return PeArith::fast;
  if (text == "golden") return PeArith::golden;
  throw InputError(fmt::format(
      "{}: '{}' is not a PE arithmetic; expected fast (the engine's, where exact) or golden", what,
      text));
}

std::string_view to_string(PeArith a) { return a == PeArith::fast ? "fast" : "golden"; }

Buffering parse_buffering(std::string_view text, const std::string& what) {
  if (text == "single") return Buffering::single;
  if (text == "double") return Buffering::double_;
  throw InputError(
      fmt::format("{}: '{}' is not a buffering mode; expected single or double", what, text));
}

std::string_view to_string(Buffering b) { return b == Buffering::single ? "single" : "double"; }

ChunkLane parse_chunk_lane(std::string_view text, const std::string& what) {
  if (text == "pe") return ChunkLane::pe;
  if (text == "column") return ChunkLane::column;
  throw InputError(fmt::format(
      "{}: '{}' is not a chunk lane; expected pe (a chunk adder in every PE) or column (one at "
      "each column bottom)",
      what, text));
}

std::string_view to_string(ChunkLane c) { return c == ChunkLane::pe ? "pe" : "column"; }

double parse_bandwidth(std::string_view text, const std::string& what) {
  if (text == "inf") return std::numeric_limits<double>::infinity();
  double v = 0;
  const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size() || text.empty() || !(v > 0) ||
      !std::isfinite(v))
    throw InputError(fmt::format(
        "{}: '{}' is not a bandwidth; expected bytes per cycle > 0, or inf", what, text));
  return v;
}

void validate(const ArrayConfig& a) {
  if (a.rows < 1 || a.rows > kMaxArrayDim || a.cols < 1 || a.cols > kMaxArrayDim)
    throw InputError(fmt::format("array {}x{}: rows and columns must be in 1..{}", a.rows, a.cols,
                                 kMaxArrayDim));
  if (!(a.dram_bytes_per_cycle > 0))
    throw InputError(fmt::format("DRAM bandwidth {} bytes per cycle: expected a number > 0",
                                 a.dram_bytes_per_cycle));
}

}  // namespace lbasim::sysc
