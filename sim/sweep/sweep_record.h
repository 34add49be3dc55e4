// One sweep point's record (docs/sweep.md): its accuracy, the array's cycles, and area, power
// and energy from the power table and the memory model.
#pragma once

#include <filesystem>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "lbasim/cost/power_table.h"
#include "lbasim/memory/buffers.h"
#include "lbasim/memory/network.h"
#include "lbasim/memory/sram_energy.h"
#include "lbasim/systemc/inference.h"
#include "lbasim/traces/evaluate.h"
#include "sweep_spec.h"

namespace lbasim::sweep {

// What every record of one sweep shares.
struct RecordContext {
  std::string trace_name;
  std::filesystem::path trace_dir;  // absolute
  std::string trace_hash;
  std::int64_t limit = 0;
  double clock_mhz = 0;  // one clock for the sweep: the slowest fmax among its accumulators
  memory::Network network;
  memory::BufferConfig buffers;
  memory::MemoryCosts mem;
};

nlohmann::json make_record(const RecordContext& ctx, const Point& p, const cost::PowerRow& row,
                           const traces::RunReport& accuracy,
                           const std::vector<sysc::LayerRun>& layers);

}  // namespace lbasim::sweep
