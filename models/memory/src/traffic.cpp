#include "lbasim/memory/traffic.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "lbasim/base/error.h"

namespace lbasim::memory {
namespace {

double ceil_div(std::int64_t a, std::int64_t b) { return static_cast<double>((a + b - 1) / b); }

// Where a tensor is and who made it.
struct TensorState {
  double bytes = 0;
  int producer = -1;  // op index; -1 for the network input
  bool on_chip = false;
  bool in_dram = false;
};

class Planner {
 public:
  Planner(const Network& net, const BufferConfig& b, const ArrayGeometry& a, const WordSizes& w)
      : net_(net), buf_(b), array_(a), words_(w) {}

  NetworkTraffic run() {
    out_.buffers = buf_;
    plan_weights();
    for (std::size_t i = 0; i < net_.ops.size(); ++i)
      for (const auto& t : net_.ops[i].inputs) uses_[t].push_back(static_cast<int>(i));
    gemm_index_.assign(net_.ops.size(), -1);
    for (std::size_t i = 0; i < net_.ops.size(); ++i)
      if (net_.ops[i].gemm) {
        gemm_index_[i] = static_cast<int>(out_.gemms.size());
        GemmTraffic g;
        const NetOp& op = net_.ops[i];
        g.name = op.name;
        g.m = op.m;
        g.k = op.k;
        g.n = op.n;
        g.groups = op.groups;
        out_.gemms.push_back(g);
      }
    // The network input waits in DRAM; its first consumer loads it.
    tensors_[net_.input] = {net_.input_bytes, -1, false, true};
    for (std::size_t i = 0; i < net_.ops.size(); ++i) step(static_cast<int>(i));
    // The network output leaves the chip.
    auto out = tensors_.find(net_.output);
    if (out != tensors_.end() && !out->second.in_dram) write_back(net_.output);
    return out_;
  }

 private:
  // Weights stay on chip across images for layers taken in execution order while their sum
  // fits the weight buffer.
  void plan_weights() {
    double used = 0;
    for (const NetOp& op : net_.ops) {
      if (!op.gemm) continue;
      out_.weight_bytes += op.weight_bytes;
      if (used + op.weight_bytes <= buf_.weight_bytes()) {
        used += op.weight_bytes;
        resident_.insert(op.name);
      }
    }
    out_.resident_weight_bytes = used;
    out_.all_weights_resident = used == out_.weight_bytes;
  }

  int next_use(const std::string& t, int after) const {
    const auto it = uses_.find(t);
    if (it == uses_.end()) return std::numeric_limits<int>::max();
    for (int u : it->second)
      if (u > after) return u;
    return std::numeric_limits<int>::max();
  }

  double live_bytes() const {
    double s = 0;
    for (const auto& [name, st] : tensors_)
      if (st.on_chip) s += st.bytes;
    return s;
  }

  // A tensor leaves the buffer for DRAM; written once, charged to its producer.
  void write_back(const std::string& name) {
    TensorState& st = tensors_.at(name);
    st.on_chip = false;
    if (st.in_dram) return;
    st.in_dram = true;
    out_.spilled_tensors.push_back(name);
    if (st.producer >= 0 && gemm_index_[st.producer] >= 0) {
      GemmTraffic& g = out_.gemms[gemm_index_[st.producer]];
      g.c_to_dram = true;
      g.c_dram_bytes += st.bytes;
    } else {
      out_.other_dram_bytes += st.bytes;
    }
  }

  void step(int i) {
    const NetOp& op = net_.ops[i];
    // Tensors whose last use is over leave the buffer (nothing to write back).
    for (auto& [name, st] : tensors_)
      if (st.on_chip && next_use(name, i - 1) == std::numeric_limits<int>::max() &&
          name != net_.output)
        st.on_chip = false;
    // Inputs: spilled ones (and the network input at its first use) come from DRAM.
    for (std::size_t j = 0; j < op.inputs.size(); ++j) {
      const std::string& name = op.inputs[j];
      const auto it = tensors_.find(name);
      if (it == tensors_.end())
        throw InputError(
            fmt::format("network: op '{}' reads tensor '{}' that no earlier op "
                        "writes",
                        op.name, name));
      TensorState& st = it->second;
      if (st.on_chip) continue;
      double bytes = st.bytes;
      const bool load = st.producer < 0 && st.bytes <= free_bytes();  // network input, once
      if (op.gemm && j == 0 && !load) bytes *= a_passes(op);
      if (op.gemm && j == 0) {
        GemmTraffic& g = out_.gemms[gemm_index_[i]];
        g.a_from_dram = true;
        g.a_dram_bytes += bytes;
      } else {
        out_.other_dram_bytes += bytes;
      }
      if (load) st.on_chip = true;
    }
    if (op.gemm) gemm_costs(i);
    // The output joins the live set; if it does not fit, the tensor used farthest in the future
    // (this output included, but not this op's inputs) goes to DRAM until it does.
    tensors_[op.output] = {op.output_bytes, i, true, false};
    out_.peak_live_activation_bytes = std::max(out_.peak_live_activation_bytes, live_bytes());
    while (live_bytes() > buf_.activation_bytes()) {
      std::string victim;
      int farthest = -1;
      for (const auto& [name, st] : tensors_) {
        if (!st.on_chip) continue;
        if (std::find(op.inputs.begin(), op.inputs.end(), name) != op.inputs.end()) continue;
        const int nu = next_use(name, i);
        if (nu > farthest) {
          farthest = nu;
          victim = name;
        }
      }
      if (victim.empty()) break;  // only this op's inputs remain: they stream
      write_back(victim);
    }
  }

  double free_bytes() const { return buf_.activation_bytes() - live_bytes(); }

  // Passes over A: WS streams A once per tile of C columns; OS once.
  double a_passes(const NetOp& op) const {
    return array_.output_stationary ? 1.0 : ceil_div(op.n, array_.cols);
  }

  void gemm_costs(int i) {
    const NetOp& op = net_.ops[i];
    GemmTraffic& g = out_.gemms[gemm_index_[i]];
    if (!resident_.count(op.name)) {
      g.w_from_dram = true;
      // WS loads each weight once per GEMM; OS reloads the weights for every tile of R rows
      // unless the layer fits beside the resident weights.
      double passes = 1;
      if (array_.output_stationary &&
          op.weight_bytes > buf_.weight_bytes() - out_.resident_weight_bytes)
        passes = ceil_div(op.m, array_.rows);
      g.w_dram_bytes = op.weight_bytes * passes;
    }
    // WS, K > R: each tile of C columns parks M x C partial pairs in the output buffer between
    // K tiles; if they do not fit, they go to DRAM and back.
    if (!array_.output_stationary && op.k > array_.rows) {
      const double nt = static_cast<double>(std::min<std::int64_t>(op.n, array_.cols));
      const double pair_area = static_cast<double>(op.m) * nt * words_.partial_pair_bytes;
      if (pair_area > buf_.output_bytes()) {
        const double ktiles = ceil_div(op.k, array_.rows);
        g.partial_dram_bytes = 2 * (ktiles - 1) * static_cast<double>(op.m) *
                               static_cast<double>(op.n) * words_.partial_pair_bytes *
                               static_cast<double>(op.groups);
      }
    }
  }

  const Network& net_;
  BufferConfig buf_;
  ArrayGeometry array_;
  WordSizes words_;
  NetworkTraffic out_;
  std::set<std::string> resident_;
  std::map<std::string, std::vector<int>> uses_;
  std::map<std::string, TensorState> tensors_;
  std::vector<int> gemm_index_;
};

}  // namespace

double NetworkTraffic::dram_bytes_per_inference() const {
  double s = other_dram_bytes;
  for (const auto& g : gemms) s += g.dram_bytes();
  return s;
}

NetworkTraffic plan_traffic(const Network& net, const BufferConfig& buffers,
                            const ArrayGeometry& array, const WordSizes& words,
                            const std::string& what) {
  validate(buffers, what);
  if (array.rows < 1 || array.cols < 1)
    throw InputError(
        fmt::format("array {}x{}: expected rows and columns >= 1", array.rows, array.cols));
  if (!(words.partial_pair_bytes > 0))
    throw InputError(
        fmt::format("partial pair of {} bytes: expected > 0", words.partial_pair_bytes));
  return Planner(net, buffers, array, words).run();
}

nlohmann::json to_json(const GemmTraffic& g) {
  return {{"name", g.name},
          {"gemm", {{"m", g.m}, {"k", g.k}, {"n", g.n}, {"groups", g.groups}}},
          {"a_from_dram", g.a_from_dram},
          {"w_from_dram", g.w_from_dram},
          {"c_to_dram", g.c_to_dram},
          {"dram_bytes",
           {{"a", g.a_dram_bytes},
            {"w", g.w_dram_bytes},
            {"c", g.c_dram_bytes},
            {"partials", g.partial_dram_bytes},
            {"total", g.dram_bytes()}}}};
}

nlohmann::json to_json(const NetworkTraffic& t) {
  nlohmann::json layers = nlohmann::json::array();
  for (const auto& g : t.gemms) layers.push_back(to_json(g));
  return {{"buffers", to_json(t.buffers)},
          {"weight_bytes", t.weight_bytes},
          {"resident_weight_bytes", t.resident_weight_bytes},
          {"all_weights_resident", t.all_weights_resident},
          {"peak_live_activation_bytes", t.peak_live_activation_bytes},
          {"spilled_tensors", t.spilled_tensors},
          {"other_dram_bytes", t.other_dram_bytes},
          {"dram_bytes_per_inference", t.dram_bytes_per_inference()},
          {"layers", layers}};
}

}  // namespace lbasim::memory
