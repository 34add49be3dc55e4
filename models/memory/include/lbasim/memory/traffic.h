// Where each GEMM's operands come from (docs/memory.md): the residency rule decides which
// tensors and weights stay in the on-chip buffers, and the DRAM bytes per layer follow.
#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "lbasim/memory/buffers.h"
#include "lbasim/memory/network.h"

namespace lbasim::memory {

// The array's geometry as far as traffic is concerned: passes over the operands.
struct ArrayGeometry {
  int rows = 16, cols = 16;
  bool output_stationary = false;  // false: weight-stationary
};

// Bytes of one partial-sum pair word in the output buffer (WS, K > rows): the accumulator and
// chunk-accumulator words, each rounded up to whole bytes.
struct WordSizes {
  double partial_pair_bytes = 4;  // e.g. two 12-bit words -> 2 + 2
};

// One GEMM layer's DRAM traffic for one inference (the steady state: resident weights were
// loaded before the first image and are not counted here).
struct GemmTraffic {
  std::string name;
  std::int64_t m = 0, k = 0, n = 0, groups = 1;
  bool a_from_dram = false;       // the input tensor was spilled (or is the network input)
  bool w_from_dram = false;       // the weights are not resident
  bool c_to_dram = false;         // the output tensor is spilled (or is the network output)
  double a_dram_bytes = 0;        // input reads (all passes)
  double w_dram_bytes = 0;        // weight reads (all passes)
  double c_dram_bytes = 0;        // output writes
  double partial_dram_bytes = 0;  // WS partial sums that do not fit the output buffer (w + r)
  double dram_read_bytes() const { return a_dram_bytes + w_dram_bytes + partial_dram_bytes / 2; }
  double dram_write_bytes() const { return c_dram_bytes + partial_dram_bytes / 2; }
  double dram_bytes() const {
    return a_dram_bytes + w_dram_bytes + c_dram_bytes + partial_dram_bytes;
  }
};

struct NetworkTraffic {
  BufferConfig buffers;
  std::vector<GemmTraffic> gemms;  // in execution order
  // Bytes moved by the non-GEMM ops (spilled tensors they read or write).
  double other_dram_bytes = 0;
  double weight_bytes = 0;           // all layers
  double resident_weight_bytes = 0;  // loaded once, before the first image
  bool all_weights_resident = false;
  double peak_live_activation_bytes = 0;  // largest live set, spills not counted
  std::vector<std::string> spilled_tensors;

  double dram_bytes_per_inference() const;
};

// Applies the residency rule of docs/memory.md. Throws InputError for invalid buffers or array
// geometry (naming `what`).
NetworkTraffic plan_traffic(const Network& net, const BufferConfig& buffers,
                            const ArrayGeometry& array, const WordSizes& words = {},
                            const std::string& what = "buffers");

nlohmann::json to_json(const GemmTraffic& g);
nlohmann::json to_json(const NetworkTraffic& t);

}  // namespace lbasim::memory
