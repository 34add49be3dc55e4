#include "lbasim/traces/lowering.h"

namespace lbasim::traces {

Tensor zeros(std::vector<std::int64_t> shape) {
  Tensor t;
  std::int64_t n = 1;
  for (auto d : shape) n *= d;
  t.shape = std::move(shape);
  t.data.assign(static_cast<std::size_t>(n), 0.0);
  return t;
}

std::vector<std::int64_t> batch_shape(std::int64_t batch, const std::vector<std::int64_t>& shape) {
  std::vector<std::int64_t> s{batch};
  s.insert(s.end(), shape.begin(), shape.end());
  return s;
}

std::int64_t gemm_m(const Op& op, std::int64_t batch) {
  return op.kind == OpKind::linear ? batch : batch * op.shape[1] * op.shape[2];
}

std::vector<double> lower_input(const Op& op, const Tensor& x, std::int64_t g) {
  const std::int64_t batch = x.batch();
  if (op.kind == OpKind::linear) return x.data;  // [batch x in] already
  const Window& w = op.window;
  const std::int64_t h = x.shape[2], wd = x.shape[3], oh = op.shape[1], ow = op.shape[2];
  const std::int64_t cg = op.in_channels / op.groups, k = op.gemm_k();
  std::vector<double> a(static_cast<std::size_t>(batch * oh * ow * k), 0.0);
  std::size_t row = 0;
  for (std::int64_t b = 0; b < batch; ++b)
    for (std::int64_t y = 0; y < oh; ++y)
      for (std::int64_t xo = 0; xo < ow; ++xo, ++row) {
        double* dst = a.data() + row * static_cast<std::size_t>(k);
        for (std::int64_t c = 0; c < cg; ++c) {
          const double* plane = x.data.data() + ((b * op.in_channels + g * cg + c) * h) * wd;
          for (std::int64_t i = 0; i < w.kh; ++i) {
            const std::int64_t yi = y * w.stride_h - w.pad_h + i * w.dil_h;
            for (std::int64_t j = 0; j < w.kw; ++j, ++dst) {
              const std::int64_t xi = xo * w.stride_w - w.pad_w + j * w.dil_w;
              if (yi >= 0 && yi < h && xi >= 0 && xi < wd) *dst = plane[yi * wd + xi];
            }
          }
        }
      }
  return a;
}

std::vector<double> lower_weight(const Op& op, const std::vector<double>& weight, std::int64_t g) {
  const std::int64_t k = op.gemm_k(), n = op.gemm_n();
  std::vector<double> wm(static_cast<std::size_t>(k * n));
  // weight rows (output channels) are [C_out][K] with K already in (c_in, kh, kw) order.
  for (std::int64_t co = 0; co < n; ++co)
    for (std::int64_t kk = 0; kk < k; ++kk) wm[kk * n + co] = weight[(g * n + co) * k + kk];
  return wm;
}

void scatter_output(const Op& op, const std::vector<double>& c, std::int64_t g, Tensor& y) {
  const std::int64_t n = op.gemm_n(), batch = y.batch();
  if (op.kind == OpKind::linear) {
    y.data = c;
    return;
  }
  const std::int64_t pixels = op.shape[1] * op.shape[2];
  for (std::int64_t b = 0; b < batch; ++b)
    for (std::int64_t p = 0; p < pixels; ++p)
      for (std::int64_t co = 0; co < n; ++co)
        y.data[(b * op.out_channels + g * n + co) * pixels + p] = c[(b * pixels + p) * n + co];
}

void matmul_operands(const Op& op, const Tensor& a, const Tensor& b, std::int64_t i,
                     std::vector<double>& a_mat, std::vector<double>& b_mat) {
  // Output leading axes (per sample) and each operand's, right-aligned; the image is axis 0.
  const std::vector<std::int64_t> lead(op.shape.begin(), op.shape.end() - 2);
  const auto offset_of = [&](const Tensor& t, std::int64_t image, std::int64_t l) {
    const std::size_t rank = t.shape.size() - 3;  // the operand's leading axes
    const std::int64_t matrix = t.shape[rank + 1] * t.shape[rank + 2];
    std::int64_t off = 0, stride = matrix;
    for (std::size_t d = lead.size(); d-- > 0;) {
      const std::int64_t coord = l % lead[d];
      l /= lead[d];
      if (d + rank < lead.size()) continue;  // an axis the operand lacks: broadcast
      const std::int64_t size = t.shape[1 + d + rank - lead.size()];
      off += (size == 1 ? 0 : coord) * stride;
      stride *= size;
    }
    return image * t.per_sample() + off;
  };
  const std::int64_t per_image = op.gemm_count(), image = i / per_image, l = i % per_image;
  const std::int64_t mk = op.gemm_m() * op.gemm_k(), kn = op.gemm_k() * op.gemm_n();
  const double* pa = a.data.data() + offset_of(a, image, l);
  const double* pb = b.data.data() + offset_of(b, image, l);
  a_mat.assign(pa, pa + mk);
  b_mat.assign(pb, pb + kn);
}

}  // namespace lbasim::traces
