#include "run_tool.h"

#include <cstdlib>

namespace lbasim::cli {

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
