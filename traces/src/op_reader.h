// Reading the version-3 ops of a manifest (internal to the trace reader): their fields and
// their output shapes (docs/traces.md, "Manifest, version 3").
#pragma once

#include <cstdint>
#include <vector>

#include "lbasim/traces/trace.h"
#include "manifest_field.h"

namespace lbasim::traces::detail {

using Shapes = std::vector<std::vector<std::int64_t>>;

// Largest per-sample tensor a manifest may declare (elements), so that shape arithmetic
// cannot overflow and a hostile manifest cannot ask for absurd allocations.
inline constexpr std::int64_t kMaxElements = std::int64_t{1} << 32;

// The product of `shape`, failing on `f` if it exceeds kMaxElements.
std::int64_t checked_elements(const Field& f, const std::vector<std::int64_t>& shape);

// numpy broadcasting of two per-sample shapes; fails on `f` naming both if they do not
// broadcast.
std::vector<std::int64_t> broadcast_shapes(const Field& f, const std::vector<std::int64_t>& a,
                                           const std::vector<std::int64_t>& b);

// A W/A quantization spec {format, scale_exp}; scale_exp one integer, or (channels > 0) one
// per output channel.
OperandQuant read_operand_quant(const Field& f, std::int64_t channels);

// How many tensor inputs a version-3 op takes: [min, max].
std::pair<std::size_t, std::size_t> v3_arity(OpKind kind, bool has_constant);

// Reads the fields of a version-3 op `op` (kind, name, inputs already set) whose inputs have
// the per-sample shapes `in`; returns its output shape. `declared` is the manifest's `shape`
// (slice and reshape take their output shape from it; the caller checks every other op's).
std::vector<std::int64_t> read_v3_op(const Field& f, Op& op, const Shapes& in,
                                     const std::vector<std::int64_t>& declared,
                                     TensorLoader& loader);

}  // namespace lbasim::traces::detail
