// The dataflow chosen by name: the only place that knows every implementation.
#include "lbasim/numerics/format.h"
#include "lbasim/systemc/dataflow.h"
#include "output_stationary.h"
#include "weight_stationary.h"

namespace lbasim::sysc {

std::unique_ptr<Dataflow> make_dataflow(const ArrayConfig& a, const num::AccumConfig& cfg) {
  validate(a);
  num::validate(cfg.product);
  num::validate(cfg.accumulator);
  num::validate(cfg.chunk_accumulator);
  switch (a.dataflow) {
    case DataflowKind::ws:
      return std::make_unique<WeightStationary>(a, cfg);
    case DataflowKind::os:
      return std::make_unique<OutputStationary>(a, cfg);
  }
  return nullptr;
}

}  // namespace lbasim::sysc
