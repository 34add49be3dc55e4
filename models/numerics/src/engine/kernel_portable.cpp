// The fast kernel compiled for portable (flags set in models/numerics/CMakeLists.txt).
#include <cstring>

#include "fused_kernel.h"
#include "kernel.h"

namespace lbasim::num::engine {
#define KERNEL_NAME kernel_portable
#include "kernel_impl.inc"
#define FP32_KERNEL_NAME kernel_fp32_portable
#include "kernel_fp32_impl.inc"
#define FUSED_KERNEL_NAME kernel_fused_portable
#include "kernel_fused_impl.inc"
}  // namespace lbasim::num::engine
