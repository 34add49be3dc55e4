// The dataflow and PE kind chosen by name: the only place that knows every implementation.
#include <fmt/format.h>

#include "../pe/fmaq_pe.h"
#include "../pe/fused_pe.h"
#include "lbasim/base/error.h"
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

// The PE kind must compute the config's order: the FMAq chain, or the fused groups.
void check_pe_kind(const ArrayConfig& a, const num::AccumConfig& cfg) {
  if (a.pe == PeKind::fmaq && cfg.fused)
    throw InputError(
        "PE kind 'fmaq' (--pe): the config has key 'fused' (the tensor-core order of numerics "
        "section 7), which a chain of FMAs does not compute; use PE kind 'fused' (--pe fused)");
  if (a.pe == PeKind::fused && !cfg.fused)
    throw InputError(
        "PE kind 'fused' (--pe): the config has no key 'fused' {\"terms\": g, \"align_bits\": "
        "F}, so there is no group size or alignment; expected a fused config (configs/gpu/) or "
        "PE kind 'fmaq'");
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
  check_pe_kind(a, cfg);
  if (a.chunk_lane == ChunkLane::column && a.pe == PeKind::fused) {
    // A K tile is `rows` steps of g products, so a chunk must be whole steps and a whole
    // number of tiles: chunk = k x rows x g.
    const std::int64_t step = cfg.fused->terms;
    if (cfg.chunk > 0 && cfg.chunk % (step * a.rows) != 0)
      throw InputError(fmt::format(
          "chunk_lane 'column' (--chunk-lane) with PE 'fused': chunk {} is not a multiple of the "
          "array's {} rows x {} terms (nor 0): a chunk must end where a K tile ends; use chunk "
          "lane 'pe', or a chunk of k x {}",
          cfg.chunk, a.rows, step, step * a.rows));
  } else if (a.chunk_lane == ChunkLane::column && cfg.chunk > 0 && cfg.chunk % a.rows != 0)
    throw InputError(
        fmt::format("chunk_lane 'column' (--chunk-lane): chunk {} is not a multiple of the array's "
                    "{} rows (nor 0): a "
                    "chunk must end where a K tile ends; use chunk lane 'pe', or a chunk of k x {}",
                    cfg.chunk, a.rows, a.rows));
  switch (a.pe) {
    case PeKind::fmaq:
      return with_pe(a, detail::FmaqPe(cfg, a.arith));
    case PeKind::fused:
      return with_pe(a, detail::FusedPe(cfg));
  }
  return nullptr;
}

}  // namespace lbasim::sysc
