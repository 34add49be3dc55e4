// The fast kernel compiled for avx2 (flags set in models/numerics/CMakeLists.txt).
#include "kernel.h"

namespace lbasim::num::engine {
#define KERNEL_NAME kernel_avx2
#include "kernel_impl.inc"
}  // namespace lbasim::num::engine
