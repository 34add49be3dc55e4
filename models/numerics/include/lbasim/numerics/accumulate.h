// Chunked dot product and the reference GEMM (numerics contract, section 3).
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>

#include "lbasim/numerics/events.h"
#include "lbasim/numerics/format.h"
#include "lbasim/numerics/fused.h"

namespace lbasim {
class JsonField;
}  // namespace lbasim

namespace lbasim::num {

// How one output is accumulated: formats of the three stages, the chunk size, and the order
// inside a chunk (the FMAq chain of section 3, or the fused groups of section 7).
struct AccumConfig {
  Format product;  // unused when fused->exact_product
  Format accumulator;
  Format chunk_accumulator;
  std::int64_t chunk = 0;                          // 0: one chunk
  std::optional<FusedOrder> fused = std::nullopt;  // absent: the FMAq chain

  friend bool operator==(const AccumConfig&, const AccumConfig&) = default;
};

// The config JSON {"product", "accumulator", "chunk", "chunk_accumulator", "fused"}; unknown
// keys, missing required keys and bad values throw InputError naming the key.
// Errors name the document and field (JsonField; the plain-JSON overload names it "config").
AccumConfig accum_config_from_field(const JsonField& f);
AccumConfig accum_config_from_json(const nlohmann::json& j);
nlohmann::json to_json(const AccumConfig& c);
// The product stage as configs spell it: a format, or "exact" (fused order).
std::string product_to_string(const AccumConfig& c);

// Chunked dot product of a[0..k) and w[0..k) with strides, in the contract's order (the fused
// order of section 7 when cfg.fused; floor_a/floor_w are then the operands' exponent floors).
// Adds the events of every quantization to *counts when counts is not null.
double dot_chunked(const double* a, std::ptrdiff_t a_stride, const double* w,
                   std::ptrdiff_t w_stride, std::int64_t k, const AccumConfig& cfg,
                   StageCounts* counts, int floor_a = kNoFloor, int floor_w = kNoFloor);

// Reference GEMM, C[M x N] = A[M x K] W[K x N], all row-major, every output by dot_chunked.
// `floors` only matters to the fused order.
void gemm_reference(const double* a, const double* w, double* c, std::int64_t m, std::int64_t k,
                    std::int64_t n, const AccumConfig& cfg, StageCounts* counts,
                    const OperandFloors& floors = {});

}  // namespace lbasim::num
