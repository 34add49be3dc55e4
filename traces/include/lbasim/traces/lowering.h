// conv2d and linear as GEMMs, C[M x N] = A[M x K] W[K x N] (shared/spec/traces.md):
// conv2d: M = batch * out_h * out_w (rows in order b, oh, ow), K = C_in/groups * kh * kw in the
// order (c_in, kh, kw), N = C_out/groups; one GEMM per group. linear: M = batch * the leading
// axes' size (rows in C order), K = in, N = out. matmul: one GEMM per image and leading index.
#pragma once

#include <cstdint>
#include <vector>

#include "lbasim/traces/tensor.h"
#include "lbasim/traces/trace.h"

namespace lbasim::traces {

// M of the op's GEMMs for a batch: batch (linear) or batch * out_h * out_w (conv2d).
std::int64_t gemm_m(const Op& op, std::int64_t batch);

// A [M x K] of group g: the (zero-padded) input windows, one row per output pixel.
std::vector<double> lower_input(const Op& op, const Tensor& x, std::int64_t g);

// W [K x N] of group g from `weight` (the op's weight layout, possibly quantized).
std::vector<double> lower_weight(const Op& op, const std::vector<double>& weight, std::int64_t g);

// Scatters C [M x N] of group g into y [batch, C_out, oh, ow] (or [batch, out] for linear).
void scatter_output(const Op& op, const std::vector<double>& c, std::int64_t g, Tensor& y);

// matmul (version 3): A [M x K] and B [K x N] of GEMM number i = image * gemm_count() + leading
// index (C order over the output's leading axes; A's and B's leading axes broadcast to them).
void matmul_operands(const Op& op, const Tensor& a, const Tensor& b, std::int64_t i,
                     std::vector<double>& a_mat, std::vector<double>& b_mat);

// Output tensor shape for a batch.
std::vector<std::int64_t> batch_shape(std::int64_t batch, const std::vector<std::int64_t>& shape);

}  // namespace lbasim::traces
