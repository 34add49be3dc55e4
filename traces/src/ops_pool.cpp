// Pooling ops of a trace graph, in double.
#include <algorithm>
#include <limits>

#include "ops.h"

namespace lbasim::traces::ops {

Tensor pool(const Op& op, const Tensor& x) {
  const bool is_max = op.kind == OpKind::maxpool;
  const Window& w = op.window;
  const std::int64_t batch = x.batch(), ch = x.shape[1], h = x.shape[2], wd = x.shape[3];
  const std::int64_t oh = op.shape[1], ow = op.shape[2];
  Tensor y = zeros({batch, ch, oh, ow});
  double* out = y.data.data();
  for (std::int64_t bc = 0; bc < batch * ch; ++bc) {
    const double* plane = x.data.data() + bc * h * wd;
    for (std::int64_t i = 0; i < oh; ++i)
      for (std::int64_t j = 0; j < ow; ++j, ++out) {
        double acc = is_max ? -std::numeric_limits<double>::infinity() : 0.0;
        std::int64_t inside_count = 0, padded_count = 0;
        for (std::int64_t di = 0; di < w.kh; ++di)
          for (std::int64_t dj = 0; dj < w.kw; ++dj) {
            const std::int64_t yi = i * w.stride_h - w.pad_h + di * w.dil_h;
            const std::int64_t xi = j * w.stride_w - w.pad_w + dj * w.dil_w;
            // ceil_mode windows may reach past the end padding: those positions count for
            // nothing, not even as padding (PyTorch's divisor)
            padded_count += yi < h + w.pad_bottom() && xi < wd + w.pad_right();
            const bool inside = yi >= 0 && yi < h && xi >= 0 && xi < wd;
            if (!inside) continue;  // max pads with -inf, average counts the padding as zeros
            const double v = plane[yi * wd + xi];
            acc = is_max ? std::max(acc, v) : acc + v;
            ++inside_count;
          }
        // count_include_pad = false (version 2): the mean of the elements inside the input.
        // The reader ensures every window holds at least one of them.
        const std::int64_t divisor = op.count_include_pad ? padded_count : inside_count;
        *out = is_max ? acc : acc / static_cast<double>(divisor);
      }
  }
  return y;
}

Tensor global_avgpool(const Tensor& x) {
  const std::int64_t ch = x.shape[1], pixels = x.shape[2] * x.shape[3];
  Tensor y = zeros({x.batch(), ch});
  for (std::int64_t bc = 0; bc < x.batch() * ch; ++bc) {
    double s = 0;
    for (std::int64_t p = 0; p < pixels; ++p) s += x.data[bc * pixels + p];
    y.data[bc] = s / static_cast<double>(pixels);
  }
  return y;
}

}  // namespace lbasim::traces::ops
