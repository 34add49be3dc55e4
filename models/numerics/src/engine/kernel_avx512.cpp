// The fast kernel compiled for avx512 (flags set in models/numerics/CMakeLists.txt).
#include "kernel.h"

namespace lbasim::num::engine {
#define KERNEL_NAME kernel_avx512
#include "kernel_impl.inc"
}  // namespace lbasim::num::engine
