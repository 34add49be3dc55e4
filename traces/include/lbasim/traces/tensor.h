// A batch of activations between the ops of a trace graph: [batch, per-sample shape...].
#pragma once

#include <cstdint>
#include <vector>

namespace lbasim::traces {

struct Tensor {
  std::vector<std::int64_t> shape;  // batch first
  std::vector<double> data;         // C order

  std::int64_t batch() const { return shape.empty() ? 0 : shape[0]; }
  std::int64_t per_sample() const {  // elements of one sample
    std::int64_t p = 1;
    for (std::size_t i = 1; i < shape.size(); ++i) p *= shape[i];
    return p;
  }
};

// A zero tensor of the given shape.
Tensor zeros(std::vector<std::int64_t> shape);

}  // namespace lbasim::traces
