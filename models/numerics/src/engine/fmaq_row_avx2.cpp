// The array's row step compiled for avx2 (flags set in models/numerics/CMakeLists.txt).
#include "fmaq_row.h"

namespace lbasim::num::engine {
#define FMAQ_ROW_NAME fmaq_row_avx2
#include "fmaq_row_impl.inc"
}  // namespace lbasim::num::engine
