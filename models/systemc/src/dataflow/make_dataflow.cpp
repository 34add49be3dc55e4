// The dataflow and PE kind chosen by name: the only place that knows every implementation.
#include "../pe/fmaq_pe.h"
#include "lbasim/numerics/format.h"
#include "lbasim/systemc/dataflow.h"
#include "output_stationary.h"
#include "weight_stationary.h"

namespace lbasim::sysc {
namespace {

template <detail::ProcessingElement Pe>
std::unique_ptr<Dataflow> with_pe(const ArrayConfig& a, Pe pe) {
  switch (a.dataflow) {
    case DataflowKind::ws:
      return std::make_unique<WeightStationary<Pe>>(a, std::move(pe));
    case DataflowKind::os:
      return std::make_unique<OutputStationary<Pe>>(a, std::move(pe));
  }
  return nullptr;
}

}  // namespace

std::unique_ptr<Dataflow> make_dataflow(const ArrayConfig& a, const num::AccumConfig& cfg) {
  validate(a);
  num::validate(cfg.product);
  num::validate(cfg.accumulator);
  num::validate(cfg.chunk_accumulator);
  switch (a.pe) {
    case PeKind::fmaq:
      return with_pe(a, detail::FmaqPe(cfg));
  }
  return nullptr;
}

}  // namespace lbasim::sysc
