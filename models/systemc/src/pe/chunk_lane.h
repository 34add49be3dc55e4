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

// The lanes after a chunk restart, the chunk add's events in ev. `add(chunk, psum)` is the
// PE's Q_cacc(chunk + psum): golden add_q, or the fast arithmetic's equal step.
template <typename Add>
inline Lanes restart_chunk(Lanes in, const Add& add, PeStepEvents& ev) {
  const num::Quantized q = add(in.chunk, in.psum);
  ev.done |= PeStepEvents::kChunkAdd;
  ev.chunk = q.events;
  return {0.0, q.value};
}

// The column-bottom chunk accumulator: Q_cacc(psum + chunk).
template <typename Add>
inline double chunk_result(Lanes in, const Add& add, std::uint8_t& events) {
  const num::Quantized q = add(in.chunk, in.psum);
  events = q.events;
  return q.value;
}

// The golden chunk add in `chunk_accumulator`.
inline auto golden_chunk_add(const num::Format& chunk_accumulator) {
  return [&chunk_accumulator](double chunk, double psum) {
    return num::add_q(chunk, psum, chunk_accumulator);
  };
}

}  // namespace lbasim::sysc::detail
