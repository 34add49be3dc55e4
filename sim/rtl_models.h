// The Verilated RTL arrays linked into lbasim (rtl/array/CMakeLists.txt): the paper's formats
// on a 4 x 4 array, one model per dataflow and one WS model with chunk lane 'column'; and a
// 4 x 4 WS array of fused dot-product PEs (G = 4) with chunk lane 'pe'.
#pragma once

#include "array_dut.h"
#include "lbasim/systemc/array_config.h"

namespace lbasim::cli {

// InputError for a combination without a model: chunk lane 'column' with os (not modelled, as
// in SystemC); PE kind 'fused' with os or chunk lane 'column' (not built).
rtl::ArrayDutFactory rtl_array_model(sysc::DataflowKind dataflow,
                                     sysc::ChunkLane chunk_lane = sysc::ChunkLane::pe,
                                     sysc::PeKind pe = sysc::PeKind::fmaq);

}  // namespace lbasim::cli
