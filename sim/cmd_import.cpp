// lbasim import onnx: an ONNX model as a trace (docs/onnx.md). The conversion is Python
// (package tools/lba, module lba.onnx_import; Debian's python3-onnx); this command runs it.
#include <fmt/core.h>

#include <memory>
#include <string>
#include <vector>

#include "commands.h"
#include "lbasim/base/error.h"
#include "run_tool.h"

namespace lbasim::cli {
namespace {

struct ImportOptions {
  std::string model, inputs, labels, calibration, name, out;
  std::vector<std::string> bind;
};

void run_import(const ImportOptions& o) {
  std::vector<std::string> args{o.model, "--inputs", o.inputs, "--out", o.out};
  if (!o.labels.empty()) args.insert(args.end(), {"--labels", o.labels});
  if (!o.calibration.empty()) args.insert(args.end(), {"--calibration", o.calibration});
  if (!o.name.empty()) args.insert(args.end(), {"--name", o.name});
  for (const auto& b : o.bind) args.insert(args.end(), {"--bind", b});
  const int rc = run_tool(python_module("lba.onnx_import", std::move(args)));
  if (rc != 0)
    throw InputError(
        fmt::format("import onnx: {} was not imported (importer exit status {}; "
                    "see above); no trace written",
                    o.model, rc));
}

}  // namespace

void add_import_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("import", "Import a network from another framework as a trace");
  cmd->require_subcommand(1);
  auto opt = std::make_shared<ImportOptions>();
  auto* onnx = cmd->add_subcommand("onnx", "Import an ONNX model as a trace (docs/onnx.md)");
  onnx->add_option("model", opt->model, "ONNX model file")->required();
  onnx->add_option("--inputs,-x", opt->inputs,
                   "float32 .npy [count, ...]: the network input, first dimension the batch")
      ->required();
  onnx->add_option("--labels,-y", opt->labels,
                   "int .npy [count]: labels (the output must be [count, classes])");
  onnx->add_option("--out,-o", opt->out, "Trace folder to write (replaced atomically)")->required();
  onnx->add_option("--bind", opt->bind,
                   "NAME=FILE.npy: bind graph input NAME to a constant (weights given as "
                   "inputs); repeatable");
  onnx->add_option("--calibration", opt->calibration,
                   "float32 .npy: inputs for the activation scales (default: the first 2048 "
                   "of --inputs)");
  onnx->add_option("--name", opt->name, "Network name in the manifest (default: model stem)");
  onnx->footer(
      "Supported ops: Conv, BatchNormalization (folded), Gemm, MatMul (constant B, or both "
      "operands computed: attention), Relu, Sigmoid, Tanh, Erf, Sqrt, Exp, Neg, Abs, "
      "Reciprocal, Clip, HardSigmoid, HardSwish, Add, Sub, Mul, Div, Pow, Softmax, "
      "LayerNormalization, ReduceMean, ReduceSum, MaxPool, AveragePool, GlobalAveragePool, "
      "GlobalMaxPool, Flatten, Reshape, Squeeze, Unsqueeze, Transpose, Concat, Split, Slice, "
      "Pad, Gather (constant indices), Expand, Shape, Cast, Identity, Dropout, Constant; ops on "
      "constants only are folded. An op that would mix the samples of a batch, an unsupported "
      "op or a shape computed from data is an error naming the node; no trace is written.\n"
      "Runs /usr/bin/python3 -m lba.onnx_import (tools/lba; python3-onnx, python3-torch).\n"
      "Exit status: 0 ok, 1 bad or unsupported input, 2 usage.");
  onnx->callback([opt] { run_import(*opt); });
}

}  // namespace lbasim::cli
