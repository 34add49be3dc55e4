// The chunk lane every PE kind shares (docs/systolic.md, "The PE and the chunk lane"): where a
// chunk other than the first starts, Q_cacc(psum + chunk) joins the finished chunk into the
// lane and the psum restarts at +0; the column bottom finishes a dot product the same way.
#pragma once

#include <cstdint>

#include "lbasim/numerics/format.h"
#include "lbasim/numerics/quantize.h"
#include "lbasim/systemc/dataflow.h"
#include "processing_element.h"

namespace lbasim::sysc::detail {

// The lanes after a chunk restart, the chunk add's events in ev.
inline Lanes restart_chunk(Lanes in, const num::Format& chunk_accumulator, PeStepEvents& ev) {
  const num::Quantized q = num::add_q(in.chunk, in.psum, chunk_accumulator);
  ev.done |= PeStepEvents::kChunkAdd;
  ev.chunk = q.events;
  return {0.0, q.value};
}

// The column-bottom chunk accumulator: Q_cacc(psum + chunk).
inline double chunk_result(Lanes in, const num::Format& chunk_accumulator, std::uint8_t& events) {
  const num::Quantized q = num::add_q(in.chunk, in.psum, chunk_accumulator);
  events = q.events;
  return q.value;
}

}  // namespace lbasim::sysc::detail
