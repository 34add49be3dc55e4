#include "lbasim/base/memory.h"

#include <fmt/format.h>

#include <cstdlib>
#include <fstream>
#include <limits>
#include <sstream>

#include "lbasim/base/error.h"

namespace lbasim {
namespace {

constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();

// "123", "4K", "2G": bytes; nullopt-like kMax on text that is not a size.
std::uint64_t parse_size(std::string_view text, bool* ok) {
  *ok = false;
  std::uint64_t v = 0;
  std::size_t i = 0;
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
    if (v > (kMax - 9) / 10) return kMax;
    v = v * 10 + static_cast<std::uint64_t>(text[i] - '0');
  }
  if (i == 0) return kMax;
  int shift = 0;
  if (i < text.size()) {
    switch (text[i]) {
      case 'K':
      case 'k':
        shift = 10;
        break;
      case 'M':
      case 'm':
        shift = 20;
        break;
      case 'G':
      case 'g':
        shift = 30;
        break;
      case 'T':
      case 't':
        shift = 40;
        break;
      default:
        return kMax;
    }
    if (++i != text.size()) return kMax;
  }
  if (shift && v > (kMax >> shift)) return kMax;
  *ok = true;
  return v << shift;
}

// A "key: N kB" line of /proc/meminfo, in bytes; kMax if absent.
std::uint64_t meminfo(const std::string& key) {
  std::ifstream in("/proc/meminfo");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(key + ":", 0) == 0) {
      std::istringstream s(line.substr(key.size() + 1));
      std::uint64_t kb = 0;
      if (s >> kb) return kb * 1024;
    }
  return kMax;
}

// The cgroup v2 (or v1) limit minus what the group uses; kMax without a limit.
std::uint64_t cgroup_headroom() {
  const auto read = [](const char* path) {
    std::ifstream in(path);
    std::string text;
    in >> text;
    bool ok = false;
    const std::uint64_t v = parse_size(text, &ok);
    return ok ? v : kMax;
  };
  for (const auto& [limit_path, usage_path] :
       {std::pair{"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current"},
        std::pair{"/sys/fs/cgroup/memory/memory.limit_in_bytes",
                  "/sys/fs/cgroup/memory/memory.usage_in_bytes"}}) {
    const std::uint64_t limit = read(limit_path);
    if (limit == kMax) continue;
    const std::uint64_t used = read(usage_path);
    return used == kMax || used >= limit ? 0 : limit - used;
  }
  return kMax;
}

}  // namespace

std::uint64_t available_memory() {
  if (const char* env = std::getenv("LBASIM_MEMORY_LIMIT")) {
    bool ok = false;
    const std::uint64_t v = parse_size(env, &ok);
    if (!ok)
      throw InputError(fmt::format(
          "environment LBASIM_MEMORY_LIMIT='{}': expected a size in bytes, e.g. 8G or 512M", env));
    return v;
  }
  const std::uint64_t avail = meminfo("MemAvailable");
  const std::uint64_t cg = cgroup_headroom();
  return avail < cg ? avail : cg;
}

void require_memory(std::uint64_t bytes, std::string_view what) {
  const std::uint64_t avail = available_memory();
  if (bytes <= avail) return;
  throw InputError(fmt::format(
      "{} needs {} of memory, more than the {} available{}; expected a smaller problem (or "
      "more memory: LBASIM_MEMORY_LIMIT overrides the measured figure)",
      what, bytes == kMax ? std::string("more than 16 EiB") : human_bytes(bytes),
      human_bytes(avail), std::getenv("LBASIM_MEMORY_LIMIT") ? " (LBASIM_MEMORY_LIMIT)" : ""));
}

std::uint64_t mul_bytes(std::uint64_t a, std::uint64_t b, std::uint64_t c) {
  std::uint64_t r = 0;
  if (__builtin_mul_overflow(a, b, &r) || __builtin_mul_overflow(r, c, &r)) return kMax;
  return r;
}

std::uint64_t add_bytes(std::uint64_t a, std::uint64_t b) { return a > kMax - b ? kMax : a + b; }

std::string human_bytes(std::uint64_t bytes) {
  static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1024 && u < 6) {
    v /= 1024;
    ++u;
  }
  return u == 0 ? fmt::format("{} B", bytes) : fmt::format("{:.1f} {}", v, kUnits[u]);
}

}  // namespace lbasim
