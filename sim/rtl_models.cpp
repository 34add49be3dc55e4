#include "rtl_models.h"

LBASIM_DECLARE_ARRAY_DUT(paper4x4)
LBASIM_DECLARE_ARRAY_DUT(paper4x4_os)

namespace lbasim::cli {

rtl::ArrayDutFactory rtl_array_model(sysc::DataflowKind dataflow) {
  return dataflow == sysc::DataflowKind::os ? &LBASIM_ARRAY_DUT(paper4x4_os)
                                            : &LBASIM_ARRAY_DUT(paper4x4);
}

}  // namespace lbasim::cli
