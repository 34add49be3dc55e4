// The Verilated RTL arrays linked into lbasim (rtl/array/CMakeLists.txt): the paper's formats
// on a 4 x 4 array, one model per dataflow.
#pragma once

#include "array_dut.h"
#include "lbasim/systemc/array_config.h"

namespace lbasim::cli {

rtl::ArrayDutFactory rtl_array_model(sysc::DataflowKind dataflow);

}  // namespace lbasim::cli
