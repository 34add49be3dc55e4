#include "run_tool.h"

#include <fmt/core.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "lbasim/numerics/error.h"

namespace lbasim::cli {

pid_t start_tool(const ToolCommand& c) {
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(c.program.c_str()));
  for (const auto& a : c.args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::fflush(stdout);
  std::fflush(stderr);
  const pid_t pid = fork();
  if (pid < 0) throw InputError(fmt::format("cannot start {} (fork failed)", c.program));
  if (pid == 0) {
    for (const auto& [k, v] : c.env) setenv(k.c_str(), v.c_str(), 1);
    execv(argv[0], argv.data());
    std::fprintf(stderr, "lbasim: error: cannot run %s%s%s\n", c.program.c_str(),
                 c.missing_hint.empty() ? "" : " ", c.missing_hint.c_str());
    _exit(127);
  }
  return pid;
}

int wait_tool(pid_t pid) {
  int status = 0;
  if (waitpid(pid, &status, 0) < 0) throw InputError("waitpid failed");
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

int run_tool(const ToolCommand& c) { return wait_tool(start_tool(c)); }

std::filesystem::path source_root() {
  const char* env = std::getenv("LBASIM_SOURCE_DIR");
  return env && *env ? std::filesystem::path(env) : std::filesystem::path(LBASIM_SOURCE_DIR);
}

ToolCommand python_module(const std::string& module, std::vector<std::string> args) {
  ToolCommand c;
  c.program = "/usr/bin/python3";
  c.args = {"-m", module};
  c.args.insert(c.args.end(), args.begin(), args.end());
  c.env = {{"PYTHONPATH", (source_root() / "tools").string()}};
  c.missing_hint = "(install the Debian package python3)";
  return c;
}

}  // namespace lbasim::cli
