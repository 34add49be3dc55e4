// lbasim import onnx: an ONNX model as a trace (docs/onnx.md). The conversion is Python
// (tools/onnx/import_onnx.py, Debian's python3-onnx); this command finds and runs it.
#include <fmt/core.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "commands.h"
#include "lbasim/numerics/error.h"
#include "run_tool.h"

namespace lbasim::cli {
namespace {

struct ImportOptions {
  std::string model, inputs, labels, calibration, name, out;
  std::vector<std::string> bind;
};

// The importer script in the source tree (run_tool.h: $LBASIM_SOURCE_DIR or the build's).
std::filesystem::path importer_script() {
  const auto script = source_root() / "tools" / "onnx" / "import_onnx.py";
  if (!std::filesystem::is_regular_file(script))
    throw InputError(
        fmt::format("{}: no such file (the ONNX importer; set LBASIM_SOURCE_DIR to "
                    "the lbasim source tree)",
                    script.string()));
  return script;
}

void run_import(const ImportOptions& o) {
  std::vector<std::string> args{
      importer_script().string(), o.model, "--inputs", o.inputs, "--out", o.out};
  if (!o.labels.empty()) args.insert(args.end(), {"--labels", o.labels});
  if (!o.calibration.empty()) args.insert(args.end(), {"--calibration", o.calibration});
  if (!o.name.empty()) args.insert(args.end(), {"--name", o.name});
  for (const auto& b : o.bind) args.insert(args.end(), {"--bind", b});
  const int rc = run_tool({"/usr/bin/python3", args, {}, "(install the Debian package python3)"});
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
      "Supported ops: Conv, Gemm, MatMul (constant B), Relu, MaxPool, AveragePool, "
      "GlobalAveragePool, GlobalMaxPool, Add, Flatten, Reshape [N, -1], BatchNormalization "
      "(folded), Identity, Dropout. Anything else is an error naming the node; no trace is "
      "written.\nRuns /usr/bin/python3 tools/onnx/import_onnx.py (python3-onnx, python3-torch).\n"
      "Exit status: 0 ok, 1 bad or unsupported input, 2 usage.");
  onnx->callback([opt] { run_import(*opt); });
}

}  // namespace lbasim::cli
