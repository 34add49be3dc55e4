// A design-space sweep: accumulators x chunk sizes x arrays x dataflows over one trace.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "lbasim/memory/buffers.h"
#include "lbasim/numerics/accumulate.h"
#include "lbasim/systemc/array_config.h"

namespace lbasim::sweep {

struct SweepSpec {
  std::filesystem::path source;           // the spec file, for messages
  std::filesystem::path trace;            // trace directory
  std::int64_t limit = 0;                 // evaluation images (0: all in the trace)
  std::vector<std::string> accumulators;  // rows of the area/energy tables (docs/cost.md)
  std::vector<std::int64_t> chunks;
  std::vector<std::string> arrays;     // "RxC"
  std::vector<std::string> dataflows;  // "ws" | "os"
  memory::BufferConfig buffers;        // "buffers" (KiB; absent keys: docs/memory.md defaults)
};

struct Point {
  std::string accumulator;  // table row name
  std::int64_t chunk = 0;
  std::string array;
  std::string dataflow;
  std::string id() const;  // "m7e4-c16-16x16-ws"
};

// Reads and validates a spec file; errors name the file and the key. Relative trace paths
// are taken relative to the spec file's folder.
SweepSpec read_spec(const std::filesystem::path& path);

// Every point of the cross product, in a fixed order.
std::vector<Point> expand(const SweepSpec& spec);

}  // namespace lbasim::sweep
