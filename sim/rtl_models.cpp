#include "rtl_models.h"

#include "lbasim/base/error.h"

LBASIM_DECLARE_ARRAY_DUT(paper4x4)
LBASIM_DECLARE_ARRAY_DUT(paper4x4_os)
LBASIM_DECLARE_ARRAY_DUT(paper4x4_col)

namespace lbasim::cli {

rtl::ArrayDutFactory rtl_array_model(sysc::DataflowKind dataflow, sysc::ChunkLane chunk_lane) {
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
