// Running an external tool (a Python module or script, yosys, ...) from lbasim: fork/exec
// without a shell, so arguments need no quoting. The one way C++ starts tools (issue 20).
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace lbasim::cli {

struct ToolCommand {
  std::string program;  // absolute path (e.g. /usr/bin/python3)
  std::vector<std::string> args;
  std::vector<std::pair<std::string, std::string>> env;  // added to the environment
  std::string missing_hint;  // printed if the program cannot be started (what to install)
};

// Starts the command and returns its process id; InputError if fork fails.
pid_t start_tool(const ToolCommand& c);
// Waits for a started command; its exit status (128 if it did not exit normally).
int wait_tool(pid_t pid);
// start_tool + wait_tool.
int run_tool(const ToolCommand& c);

// The lbasim source tree: $LBASIM_SOURCE_DIR if set, else the tree this binary was built from.
std::filesystem::path source_root();

// /usr/bin/python3 -m MODULE ARGS with PYTHONPATH=<source>/tools (the tools/lba package).
ToolCommand python_module(const std::string& module, std::vector<std::string> args);

}  // namespace lbasim::cli
