// The Verilated RTL arrays linked into lbasim (rtl/array/CMakeLists.txt): the paper's formats
// on a 4 x 4 array, one model per dataflow and one WS model with chunk lane 'column'; and a
// 4 x 4 WS array of fused dot-product PEs (G = 4) with chunk lane 'pe'; with
// -DLBASIM_RTL_BENCH_ARRAYS=ON also the paper's WS array at 8 x 8 and 16 x 16 (bench only).
// A build configured with -DLBASIM_RTL_MODELS=OFF has none: every function here throws.
#pragma once

#include <memory>

#include "array_dut.h"
#include "fmaq_dut.h"
#include "lbasim/systemc/array_config.h"

namespace lbasim::cli {

// The fmaq RTL in the paper's formats (`verify fmaq`).
std::unique_ptr<rtl::FmaqDut> rtl_fmaq_model();

// InputError for a combination without a model: chunk lane 'column' with os (not modelled, as
// in SystemC); PE kind 'fused' with os or chunk lane 'column' (not built).
rtl::ArrayDutFactory rtl_array_model(sysc::DataflowKind dataflow,
                                     sysc::ChunkLane chunk_lane = sysc::ChunkLane::pe,
                                     sysc::PeKind pe = sysc::PeKind::fmaq);

// The paper's-format model of a rows x cols array for `bench-array --rtl --rtl-array`: 4x4 in
// every build (rtl_array_model), 8x8 and 16x16 (WS, chunk lane 'pe', FMAq PEs) where built with
// -DLBASIM_RTL_BENCH_ARRAYS=ON. InputError naming the shapes this build has otherwise.
rtl::ArrayDutFactory rtl_bench_array_model(int rows, int cols, sysc::DataflowKind dataflow,
                                           sysc::PeKind pe);

}  // namespace lbasim::cli
