// Running lbasim's own tools: Python modules of the tools/lba package from the source tree.
// Processes are started by the base library (lbasim/base/process.h), the one way lbasim starts
// other programs.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "lbasim/base/process.h"

namespace lbasim::cli {

// The lbasim source tree: $LBASIM_SOURCE_DIR if set, else the tree this binary was built from.
std::filesystem::path source_root();

// /usr/bin/python3 -m MODULE ARGS with PYTHONPATH=<source>/tools (the tools/lba package).
// InputError naming the file if the module is not in the source tree (LBASIM_SOURCE_DIR).
ToolCommand python_module(const std::string& module, std::vector<std::string> args);

}  // namespace lbasim::cli
