#include "lbasim/traces/evaluate.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <limits>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "lbasim/base/memory.h"
#include "lbasim/traces/lowering.h"

namespace lbasim::traces {

void ErrorStats::add(const std::vector<double>& y, const std::vector<double>& r) {
  for (std::size_t i = 0; i < y.size(); ++i) {
    const double d = y[i] - r[i];
    signal += r[i] * r[i];
    noise += d * d;
    max_abs_err = std::max(max_abs_err, std::fabs(d));
    max_abs_ref = std::max(max_abs_ref, std::fabs(r[i]));
  }
}

void ErrorStats::merge(const ErrorStats& o) {
  signal += o.signal;
  noise += o.noise;
  max_abs_err = std::max(max_abs_err, o.max_abs_err);
  max_abs_ref = std::max(max_abs_ref, o.max_abs_ref);
}

double ErrorStats::sqnr_db() const {
  if (noise == 0) return std::numeric_limits<double>::infinity();
  return 10 * std::log10(signal / noise);
}

double ErrorStats::max_rel_error() const {
  return max_abs_ref > 0 ? max_abs_err / max_abs_ref : max_abs_err;
}

std::int64_t RunReport::macs() const {
  std::int64_t m = 0;
  for (const auto& l : layers) m += l.macs;
  return m;
}

num::StageCounts RunReport::total_events() const {
  num::StageCounts t;
  for (const auto& l : layers) t += l.events.gemm;
  return t;
}

std::int64_t argmax(const double* v, std::int64_t n) {
  std::int64_t best = 0;
  for (std::int64_t i = 1; i < n; ++i)
    if (v[i] > v[best]) best = i;
  return best;
}

namespace {

// One worker's share of a report.
struct Partial {
  std::int64_t correct = 0, reference_correct = 0, exported_correct = 0, agree = 0;
  double max_logit_diff = 0, max_diff_reference = 0;
  std::vector<LayerEvents> events;
};

// Bytes evaluate() holds besides the trace: every op's output for a batch in both networks
// (config and FP32 reference), the largest lowered GEMM input, and the outputs of all images.
std::uint64_t working_set_bytes(const Trace& trace, std::int64_t images, std::int64_t batch,
                                int threads) {
  std::uint64_t per_image = 0, lowered = 0;
  for (const Op& op : trace.graph) {
    std::uint64_t out = 1;
    for (const std::int64_t d : op.shape) out = mul_bytes(out, static_cast<std::uint64_t>(d));
    per_image = add_bytes(per_image, mul_bytes(out, 2));
    if (op.kind == OpKind::conv2d && op.shape.size() == 3)
      lowered = std::max(lowered, mul_bytes(op.shape[1] * op.shape[2], op.gemm_k()));
  }
  const std::uint64_t worker = mul_bytes(add_bytes(per_image, lowered), batch, 8);
  return add_bytes(mul_bytes(worker, static_cast<std::uint64_t>(threads)),
                   mul_bytes(images, trace.output_size(), 8));
}

}  // namespace

RunReport evaluate(const Trace& trace, const GemmSettings& settings, const EvalOptions& options) {
  const std::int64_t total = options.limit > 0 ? std::min(options.limit, trace.count) : trace.count;
  const GraphRunner runner(trace, settings);
  GemmSettings ref_settings;
  ref_settings.reference = true;
  const GraphRunner reference(trace, ref_settings);
  const std::size_t n_layers = runner.gemm_layers().size();
  // classes is 0 when the output is not [classes] (version 2): no top-1 then.
  const std::int64_t classes = trace.classes, sample = trace.sample_size();
  const std::int64_t out_size = trace.output_size();
  const bool labels = trace.has_labels() && classes > 0;
  const bool exported = !trace.reference_logits.empty();
  const std::int64_t batch = std::max<std::int64_t>(1, options.batch);
  require_memory(working_set_bytes(trace, total, batch, std::max(1, options.threads)),
                 fmt::format("{}: evaluating {} images ({} threads x {} images at a time)",
                             trace.dir.string(), total, std::max(1, options.threads), batch));

  RunReport report;
  report.images = total;
  report.classes = classes;
  report.output_size = out_size;
  report.has_labels = labels;
  report.has_exported = exported;
  report.logits.assign(static_cast<std::size_t>(total * out_size), 0.0);
  // Error sums per work item, merged in item order at the end: floating-point sums must not
  // depend on which thread took which item, or two runs would differ in the last digits.
  const std::int64_t items = (total + batch - 1) / batch;
  std::vector<std::vector<ErrorStats>> item_errors(static_cast<std::size_t>(items),
                                                   std::vector<ErrorStats>(n_layers));
  std::vector<LayerEvents> events(n_layers);
  std::mutex mu;
  std::atomic<std::int64_t> next{0}, done{0};

  const auto work = [&] {
    Partial p;
    p.events.resize(n_layers);
    for (;;) {
      const std::int64_t first = next.fetch_add(batch);
      if (first >= total) break;
      const std::int64_t count = std::min(batch, total - first);
      Tensor x;
      x.shape = batch_shape(count, trace.input_shape);
      x.data.assign(trace.images.begin() + first * sample,
                    trace.images.begin() + (first + count) * sample);
      std::vector<Tensor> outs, ref_outs;
      const Tensor logits = runner.run(x, &outs, &p.events);
      const Tensor ref_logits = reference.run(x, &ref_outs, nullptr);
      std::vector<ErrorStats>& item = item_errors[static_cast<std::size_t>(first / batch)];
      for (std::size_t l = 0; l < n_layers; ++l) item[l].add(outs[l].data, ref_outs[l].data);
      for (std::int64_t i = 0; i < count; ++i) {
        const double* y = logits.data.data() + i * out_size;
        const double* r = ref_logits.data.data() + i * out_size;
        for (std::int64_t c = 0; c < out_size; ++c)
          p.max_diff_reference = std::max(p.max_diff_reference, std::fabs(y[c] - r[c]));
        if (exported) {
          const double* e = trace.reference_logits.data() + (first + i) * out_size;
          for (std::int64_t c = 0; c < out_size; ++c)
            p.max_logit_diff = std::max(p.max_logit_diff, std::fabs(y[c] - e[c]));
          if (labels) p.exported_correct += argmax(e, classes) == trace.labels[first + i];
        }
        if (classes > 0) {
          const std::int64_t pred = argmax(y, classes);
          const std::int64_t ref_pred = argmax(r, classes);
          p.agree += pred == ref_pred;
          if (labels) {
            const std::int64_t label = trace.labels[first + i];
            p.correct += pred == label;
            p.reference_correct += ref_pred == label;
          }
        }
      }
      std::copy(logits.data.begin(), logits.data.end(),
                report.logits.begin() + first * out_size);  // disjoint ranges per worker
      done += count;
    }
    std::lock_guard lock(mu);
    report.correct += p.correct;
    report.reference_correct += p.reference_correct;
    report.exported_correct += p.exported_correct;
    report.agree += p.agree;
    report.max_logit_diff_exported = std::max(report.max_logit_diff_exported, p.max_logit_diff);
    report.max_diff_reference = std::max(report.max_diff_reference, p.max_diff_reference);
    for (std::size_t l = 0; l < n_layers; ++l) events[l] += p.events[l];
  };

  const int threads = std::max(1, options.threads);
  std::vector<std::thread> pool;
  for (int i = 0; i < threads; ++i) pool.emplace_back(work);
  if (options.progress) {
    while (done.load() < total) {
      options.progress(done.load(), total);
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    options.progress(total, total);
  }
  for (auto& t : pool) t.join();

  std::vector<ErrorStats> errors(n_layers);
  for (const auto& item : item_errors)
    for (std::size_t l = 0; l < n_layers; ++l) errors[l].merge(item[l]);
  for (std::size_t l = 0; l < n_layers; ++l) {
    LayerReport lr;
    lr.op = runner.gemm_layers()[l];
    lr.macs = lr.op->macs_per_image() * total;
    lr.error = errors[l];
    lr.events = events[l];
    lr.events.weight_quant += runner.weight_quant_events()[l];
    report.layers.push_back(lr);
  }
  return report;
}

nlohmann::json to_json(const ErrorStats& e) {
  const double sqnr = e.sqnr_db();
  return {{"sqnr_db", std::isinf(sqnr) ? nlohmann::json(nullptr) : nlohmann::json(sqnr)},
          {"max_rel_error", e.max_rel_error()},
          {"max_abs_error", e.max_abs_err},
          {"max_abs_reference", e.max_abs_ref}};
}

nlohmann::json layer_to_json(const LayerReport& l) {
  const Op& op = *l.op;
  nlohmann::json j{{"name", op.name},
                   {"op", to_string(op.kind)},
                   {"k", op.gemm_k()},
                   {"n", op.gemm_n()},
                   {"groups", op.groups},
                   {"macs", l.macs},
                   {"error", to_json(l.error)},
                   {"events", num::to_json(l.events.gemm)},
                   {"wa_events",
                    {{"input", num::to_json(l.events.input_quant)},
                     {"weight", num::to_json(l.events.weight_quant)}}}};
  if (op.quant)
    j["wa_scales"] = {{"input_format", op.quant->input.format.to_string()},
                      {"input_scale_exp", op.quant->input.scale_exp},
                      {"weight_format", op.quant->weight.format.to_string()},
                      {"weight_scale_exp", op.quant->weight.scale_exp}};
  return j;
}

}  // namespace lbasim::traces
