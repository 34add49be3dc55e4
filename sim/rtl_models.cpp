#include "rtl_models.h"

#include "lbasim/base/error.h"

LBASIM_DECLARE_ARRAY_DUT(paper4x4)
LBASIM_DECLARE_ARRAY_DUT(paper4x4_os)
LBASIM_DECLARE_ARRAY_DUT(paper4x4_col)
LBASIM_DECLARE_ARRAY_DUT(fused4x4)

namespace lbasim::cli {

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

}  // namespace lbasim::cli
