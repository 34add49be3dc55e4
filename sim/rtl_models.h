// The Verilated RTL arrays linked into lbasim (rtl/array/CMakeLists.txt): the paper's formats
// on a 4 x 4 array, one model per dataflow and one WS model with chunk lane 'column'.
#pragma once

#include "array_dut.h"
#include "lbasim/systemc/array_config.h"

namespace lbasim::cli {

// InputError for chunk lane 'column' with os (not modelled, as in SystemC).
rtl::ArrayDutFactory rtl_array_model(sysc::DataflowKind dataflow,
                                     sysc::ChunkLane chunk_lane = sysc::ChunkLane::pe);

}  // namespace lbasim::cli
