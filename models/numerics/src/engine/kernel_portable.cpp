// The fast kernel compiled for portable (flags set in models/numerics/CMakeLists.txt).
#include "kernel.h"

namespace lbasim::num::engine {
#define KERNEL_NAME kernel_portable
#include "kernel_impl.inc"
}  // namespace lbasim::num::engine
