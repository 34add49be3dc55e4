#include "lbasim/numerics/events.h"

#include <nlohmann/json.hpp>

namespace lbasim::num {

EventCounts& EventCounts::operator+=(const EventCounts& o) {
  ops += o.ops;
  overflow += o.overflow;
  underflow += o.underflow;
  swamped += o.swamped;
  inexact += o.inexact;
  align_inexact += o.align_inexact;
  return *this;
}

StageCounts& StageCounts::operator+=(const StageCounts& o) {
  product += o.product;
  accumulator += o.accumulator;
  chunk += o.chunk;
  return *this;
}

nlohmann::json to_json(const EventCounts& c) {
  return {{"ops", c.ops},         {"overflow", c.overflow}, {"underflow", c.underflow},
          {"swamped", c.swamped}, {"inexact", c.inexact},   {"align_inexact", c.align_inexact}};
}

nlohmann::json to_json(const StageCounts& c) {
  return {{"product", to_json(c.product)},
          {"accumulator", to_json(c.accumulator)},
          {"chunk_accumulator", to_json(c.chunk)}};
}

}  // namespace lbasim::num
