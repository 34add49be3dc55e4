#include "lbasim/base/atomic_file.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "lbasim/base/error.h"

namespace lbasim {

void write_file_atomic(const std::filesystem::path& path, std::string_view bytes) {
  // The temporary lives in the target's directory so that rename() is atomic.
  std::filesystem::path tmp = path;
  tmp += fmt::format(".tmp.{}", ::getpid());
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (!f)
    throw InputError(fmt::format("{}: cannot write: {}", path.string(), std::strerror(errno)));
  const bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size() &&
                  std::fflush(f) == 0 && ::fsync(::fileno(f)) == 0;
  const int err = errno;
  if (std::fclose(f) != 0 || !ok) {
    std::remove(tmp.c_str());
    throw InputError(fmt::format("{}: write failed: {}", path.string(), std::strerror(err)));
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const int rename_err = errno;
    std::remove(tmp.c_str());
    throw InputError(fmt::format("{}: cannot write: {}", path.string(), std::strerror(rename_err)));
  }
}

}  // namespace lbasim
