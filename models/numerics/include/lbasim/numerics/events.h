// Quantization events (numerics contract, section 4) and their per-stage counts.
#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>

namespace lbasim::num {

// Bits set by one quantization.
enum Event : std::uint8_t {
  kOverflow = 1,   // rounded magnitude exceeded max: saturated, or became inf
  kUnderflow = 2,  // a non-zero exact value became zero
  kInexact = 4,    // rounding dropped non-zero bits (not set when the value underflowed to 0)
  kSwamped = 8,    // a non-zero addend left a non-zero accumulator unchanged, without overflow
};

// Counts for one stage (product, accumulator or chunk accumulator).
struct EventCounts {
  std::uint64_t ops = 0;  // quantizations performed
  std::uint64_t overflow = 0;
  std::uint64_t underflow = 0;
  std::uint64_t swamped = 0;
  std::uint64_t inexact = 0;
  // Fused order only (section 7): terms whose alignment to F bits below E dropped non-zero bits.
  std::uint64_t align_inexact = 0;

  void add(std::uint8_t events) {
    ++ops;
    overflow += (events & kOverflow) != 0;
    underflow += (events & kUnderflow) != 0;
    swamped += (events & kSwamped) != 0;
    inexact += (events & kInexact) != 0;
  }
  EventCounts& operator+=(const EventCounts& o);
  friend bool operator==(const EventCounts&, const EventCounts&) = default;
};

struct StageCounts {
  EventCounts product;
  EventCounts accumulator;
  EventCounts chunk;  // the chunk accumulator
  StageCounts& operator+=(const StageCounts& o);
  friend bool operator==(const StageCounts&, const StageCounts&) = default;
};

nlohmann::json to_json(const EventCounts& c);
nlohmann::json to_json(const StageCounts& c);

}  // namespace lbasim::num
