// Test helper: the logits `lbasim run` computes (traces::evaluate, fast engine, W/A per
// manifest), written as float64 .npy, so tests can compare the fine-tuning module's logits
// with lbasim's bit for bit. Usage: finetune_trace_logits TRACE CONFIG.json LIMIT OUT.npy
#include <fmt/core.h>

#include <cstdlib>
#include <exception>
#include <fstream>
#include <nlohmann/json.hpp>

#include "lbasim/base/npy.h"
#include "lbasim/numerics/accumulate.h"
#include "lbasim/traces/evaluate.h"
#include "lbasim/traces/trace.h"

int main(int argc, char** argv) {
  if (argc != 5) {
    fmt::print(stderr, "usage: {} TRACE CONFIG.json LIMIT OUT.npy\n", argv[0]);
    return 2;
  }
  try {
    std::ifstream in(argv[2]);
    if (!in) throw std::runtime_error(fmt::format("{}: cannot open", argv[2]));
    lbasim::traces::GemmSettings settings;
    settings.config = lbasim::num::accum_config_from_json(nlohmann::json::parse(in));
    const auto trace = lbasim::traces::read_trace(argv[1]);
    lbasim::traces::EvalOptions opt;
    opt.limit = std::atoll(argv[3]);
    opt.threads = 2;
    const auto report = lbasim::traces::evaluate(trace, settings, opt);
    lbasim::npy::write_f64(argv[4], {report.images, report.classes}, report.logits.data());
    fmt::print("{} images, top-1 {:.4f}\n", report.images, report.top1());
  } catch (const std::exception& e) {
    fmt::print(stderr, "error: {}\n", e.what());
    return 1;
  }
  return 0;
}
