// The fast kernel compiled for avx2 (flags set in models/numerics/CMakeLists.txt).
#include <cstring>

#include "fused_kernel.h"
#include "kernel.h"

namespace lbasim::num::engine {
#define KERNEL_NAME kernel_avx2
#include "kernel_impl.inc"
#define FP32_KERNEL_NAME kernel_fp32_avx2
#include "kernel_fp32_impl.inc"
#define FUSED_KERNEL_NAME kernel_fused_avx2
#include "kernel_fused_impl.inc"
}  // namespace lbasim::num::engine
