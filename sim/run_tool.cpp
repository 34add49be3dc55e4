#include "run_tool.h"

#include <fmt/format.h>

#include <cstdlib>

#include "lbasim/base/error.h"

namespace lbasim::cli {

std::filesystem::path source_root() {
  const char* env = std::getenv("LBASIM_SOURCE_DIR");
  return env && *env ? std::filesystem::path(env) : std::filesystem::path(LBASIM_SOURCE_DIR);
}

ToolCommand python_module(const std::string& module, std::vector<std::string> args) {
  // A clear error before Python's: lba.x is tools/lba/x.py or the package tools/lba/x/.
  std::filesystem::path file = source_root() / "tools";
  for (std::size_t start = 0;;) {
    const std::size_t dot = module.find('.', start);
    file /= module.substr(start, dot == std::string::npos ? dot : dot - start);
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  if (!std::filesystem::is_regular_file(file.string() + ".py") &&
      !std::filesystem::is_regular_file(file / "__main__.py"))
    throw InputError(fmt::format(
        "{}.py: no such file (the tool {}; set LBASIM_SOURCE_DIR to the lbasim source tree)",
        file.string(), module));
  ToolCommand c;
  c.program = "/usr/bin/python3";
  c.args = {"-m", module};
  c.args.insert(c.args.end(), args.begin(), args.end());
  c.env = {{"PYTHONPATH", (source_root() / "tools").string()}};
  c.missing_hint = "(install the Debian package python3)";
  return c;
}

}  // namespace lbasim::cli
