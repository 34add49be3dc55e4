// Evaluating a trace under one configuration against its FP32 reference: accuracy, agreement,
// per-layer error and events (what `lbasim run --trace` reports).
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "lbasim/traces/executor.h"
#include "lbasim/traces/trace.h"

namespace lbasim::traces {

// Error of a layer's output y against its reference r, accumulated over elements.
struct ErrorStats {
  double signal = 0;       // sum r^2
  double noise = 0;        // sum (y - r)^2
  double max_abs_err = 0;  // max |y - r|
  double max_abs_ref = 0;  // max |r|
  void add(const std::vector<double>& y, const std::vector<double>& r);
  void merge(const ErrorStats& o);
  double sqnr_db() const;        // 10 log10(signal / noise); +inf when noise is 0
  double max_rel_error() const;  // max |y - r| / max |r| (relative to the layer's range)
};

struct LayerReport {
  const Op* op = nullptr;
  std::int64_t macs = 0;  // over all evaluated images
  ErrorStats error;       // against the FP32 reference network at the same layer
  LayerEvents events;
};

struct RunReport {
  std::int64_t images = 0;
  std::int64_t correct = 0;            // this configuration
  std::int64_t reference_correct = 0;  // FP32 reference run (float64 arithmetic, no W/A quant)
  std::int64_t exported_correct = 0;   // the trace's reference logits (PyTorch FP32)
  std::int64_t agree = 0;              // same top-1 as the FP32 reference run
  double max_logit_diff_exported = 0;  // max |logit - exported logit| of this configuration
  double max_diff_reference = 0;       // max |output - FP32 reference run's output|
  std::vector<LayerReport> layers;
  std::vector<double> logits;    // [images, output_size] of this configuration
  std::int64_t classes = 0;      // 0 when the output is not [classes] (version 2): no top-1
  std::int64_t output_size = 0;  // elements of one image's output (= classes for logits)
  bool has_labels = true;        // false: the top-1 figures are meaningless (version 2)
  bool has_exported = true;      // false: the trace has no exported reference outputs

  double top1() const { return images ? double(correct) / double(images) : 0; }
  double reference_top1() const { return images ? double(reference_correct) / double(images) : 0; }
  double exported_top1() const { return images ? double(exported_correct) / double(images) : 0; }
  double agreement() const { return images ? double(agree) / double(images) : 0; }
  std::int64_t macs() const;
  num::StageCounts total_events() const;
};

struct EvalOptions {
  std::int64_t limit = 0;  // first `limit` images (0: all)
  int threads = 2;
  std::int64_t batch = 8;  // images per work item
  // Called with (images done, total) from the coordinating thread, about 5 times a second.
  std::function<void(std::int64_t, std::int64_t)> progress;
};

RunReport evaluate(const Trace& trace, const GemmSettings& settings, const EvalOptions& options);

// Index of the largest value (the first on ties).
std::int64_t argmax(const double* v, std::int64_t n);

nlohmann::json layer_to_json(const LayerReport& l);
nlohmann::json to_json(const ErrorStats& e);

}  // namespace lbasim::traces
