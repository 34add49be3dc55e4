// The dataflow and PE kind chosen by name: the only place that knows every implementation.
#include <fmt/format.h>

#include "../pe/fmaq_pe.h"
#include "lbasim/numerics/error.h"
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
  if (a.chunk_lane == ChunkLane::column && a.dataflow == DataflowKind::os)
    throw InputError(
        "chunk_lane 'column' (--chunk-lane): output-stationary keeps each output in one PE for the "
        "whole K, so "
        "column-bottom chunk accumulators would need every chunk drained; it is modelled for ws "
        "only; use chunk lane 'pe' with os");
  if (a.chunk_lane == ChunkLane::column && cfg.chunk > 0 && cfg.chunk % a.rows != 0)
    throw InputError(
        fmt::format("chunk_lane 'column' (--chunk-lane): chunk {} is not a multiple of the array's "
                    "{} rows (nor 0): a "
                    "chunk must end where a K tile ends; use chunk lane 'pe', or a chunk of k x {}",
                    cfg.chunk, a.rows, a.rows));
  switch (a.pe) {
    case PeKind::fmaq:
      return with_pe(a, detail::FmaqPe(cfg, a.arith));
  }
  return nullptr;
}

}  // namespace lbasim::sysc
