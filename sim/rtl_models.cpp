#include "rtl_models.h"

#include <fmt/format.h>

#include "lbasim/base/error.h"

#ifdef LBASIM_RTL_MODELS
LBASIM_DECLARE_ARRAY_DUT(paper4x4)
LBASIM_DECLARE_ARRAY_DUT(paper4x4_os)
LBASIM_DECLARE_ARRAY_DUT(paper4x4_col)
LBASIM_DECLARE_ARRAY_DUT(fused4x4)
#endif
#ifdef LBASIM_RTL_BENCH_ARRAYS
LBASIM_DECLARE_ARRAY_DUT(paper8x8)
LBASIM_DECLARE_ARRAY_DUT(paper16x16)
#endif

namespace lbasim::cli {

#ifndef LBASIM_RTL_MODELS
namespace {
[[noreturn]] void no_models() {
  throw InputError(
      "this lbasim was configured with -DLBASIM_RTL_MODELS=OFF: it has no Verilated RTL models "
      "(cosim, verify fmaq and bench-array --rtl need them; configure without that option)");
}
}  // namespace

std::unique_ptr<rtl::FmaqDut> rtl_fmaq_model() { no_models(); }
rtl::ArrayDutFactory rtl_array_model(sysc::DataflowKind, sysc::ChunkLane, sysc::PeKind) {
  no_models();
}
rtl::ArrayDutFactory rtl_bench_array_model(int, int, sysc::DataflowKind, sysc::PeKind) {
  no_models();
}
#else
std::unique_ptr<rtl::FmaqDut> rtl_fmaq_model() { return rtl::make_fmaq_dut(); }

rtl::ArrayDutFactory rtl_array_model(sysc::DataflowKind dataflow, sysc::ChunkLane chunk_lane,
                                     sysc::PeKind pe) {
  if (pe == sysc::PeKind::fused) {
    if (dataflow == sysc::DataflowKind::os)
      throw InputError(
          "--pe fused with --dataflow os: the fused RTL PE (rtl/pe/fused_ws_pe.v) is "
          "weight-stationary; the built model fused4x4 is ws, use --dataflow ws");
    if (chunk_lane == sysc::ChunkLane::column)
      throw InputError(
          "--pe fused with --chunk-lane column: the built model fused4x4 has chunk lane pe (the "
          "RTL has CHUNK_COLUMN; its model fused4x4_col is a test-only opt-in, "
          "-DLBASIM_RTL_FUSED_COLUMN=ON); use --chunk-lane pe");
    return &LBASIM_ARRAY_DUT(fused4x4);
  }
  if (dataflow == sysc::DataflowKind::os) {
    if (chunk_lane == sysc::ChunkLane::column)
      throw InputError(
          "--chunk-lane column: the chunk accumulators are at the column bottoms in ws only; "
          "use --chunk-lane pe with --dataflow os");
    return &LBASIM_ARRAY_DUT(paper4x4_os);
  }
  return chunk_lane == sysc::ChunkLane::column ? &LBASIM_ARRAY_DUT(paper4x4_col)
                                               : &LBASIM_ARRAY_DUT(paper4x4);
}

rtl::ArrayDutFactory rtl_bench_array_model(int rows, int cols, sysc::DataflowKind dataflow,
                                           sysc::PeKind pe) {
  if (rows == 4 && cols == 4) return rtl_array_model(dataflow, sysc::ChunkLane::pe, pe);
#ifdef LBASIM_RTL_BENCH_ARRAYS
  constexpr const char* kBuilt = "4x4, and 8x8 and 16x16 (ws, --pe fmaq)";
  if (dataflow == sysc::DataflowKind::ws && pe == sysc::PeKind::fmaq) {
    if (rows == 8 && cols == 8) return &LBASIM_ARRAY_DUT(paper8x8);
    if (rows == 16 && cols == 16) return &LBASIM_ARRAY_DUT(paper16x16);
  }
#else
  constexpr const char* kBuilt =
      "4x4 (configure with -DLBASIM_RTL_BENCH_ARRAYS=ON for 8x8 and 16x16, ws, --pe fmaq)";
#endif
  throw InputError(fmt::format(
      "--rtl-array {}x{} with --dataflow {} --pe {}: no Verilated array of that shape and kind in "
      "this build; built: {}",
      rows, cols, sysc::to_string(dataflow), sysc::to_string(pe), kBuilt));
}
#endif  // LBASIM_RTL_MODELS

}  // namespace lbasim::cli
