// Running an external program (a Python module, yosys, sbatch, ...): fork/exec without a shell,
// so arguments need no quoting. The one way lbasim starts other programs.
#pragma once

#include <sys/types.h>

#include <string>
#include <utility>
#include <vector>

namespace lbasim {

struct ToolCommand {
  std::string program;  // a path, or a name looked up on PATH (e.g. "sbatch")
  std::vector<std::string> args;
  std::vector<std::pair<std::string, std::string>> env;  // set in the child's environment
  std::string missing_hint;  // printed if the program cannot be started (what to install)
};

// Starts the command and returns its process id; InputError if fork fails. A program that
// cannot be executed makes the child print why and exit 127.
pid_t start_tool(const ToolCommand& c);
// Waits for a started command; its exit status (128 if it did not exit normally).
int wait_tool(pid_t pid);
// start_tool + wait_tool: the child writes to lbasim's stdout and stderr.
int run_tool(const ToolCommand& c);

struct ToolOutput {
  int status = 0;    // as wait_tool
  std::string text;  // stdout and stderr together, in the order written
};
// Runs the command with its stdout and stderr captured.
ToolOutput run_tool_output(const ToolCommand& c);

}  // namespace lbasim
