#include "lbasim/base/process.h"

#include <fmt/core.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "lbasim/base/error.h"

namespace lbasim {
namespace {

// Forks and execs c; in the child, `out_fd` (if >= 0) becomes stdout and stderr first.
pid_t spawn(const ToolCommand& c, int out_fd, int close_fd) {
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(c.program.c_str()));
  for (const auto& a : c.args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::fflush(stdout);
  std::fflush(stderr);
  const pid_t pid = fork();
  if (pid < 0) throw InputError(fmt::format("cannot start {} (fork failed)", c.program));
  if (pid == 0) {
    if (out_fd >= 0) {
      ::close(close_fd);
      ::dup2(out_fd, STDOUT_FILENO);
      ::dup2(out_fd, STDERR_FILENO);
      ::close(out_fd);
    }
    for (const auto& [k, v] : c.env) setenv(k.c_str(), v.c_str(), 1);
    execvp(argv[0], argv.data());  // a name without '/' is looked up on PATH
    std::fprintf(stderr, "lbasim: error: cannot run %s: %s%s%s\n", c.program.c_str(),
                 std::strerror(errno), c.missing_hint.empty() ? "" : " ", c.missing_hint.c_str());
    _exit(127);
  }
  return pid;
}

}  // namespace

pid_t start_tool(const ToolCommand& c) { return spawn(c, -1, -1); }

int wait_tool(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) throw InputError("waitpid failed");
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

int run_tool(const ToolCommand& c) { return wait_tool(start_tool(c)); }

ToolOutput run_tool_output(const ToolCommand& c) {
  int fds[2];
  if (::pipe(fds) != 0) throw InputError(fmt::format("cannot start {} (pipe failed)", c.program));
  pid_t pid;
  try {
    pid = spawn(c, fds[1], fds[0]);
  } catch (...) {
    ::close(fds[0]);
    ::close(fds[1]);
    throw;
  }
  ::close(fds[1]);
  ToolOutput r;
  std::array<char, 4096> buf;
  for (;;) {
    const ssize_t n = ::read(fds[0], buf.data(), buf.size());
    if (n > 0) {
      r.text.append(buf.data(), static_cast<std::size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      break;
    }
  }
  ::close(fds[0]);
  r.status = wait_tool(pid);
  return r;
}

}  // namespace lbasim
