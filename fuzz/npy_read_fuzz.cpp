// lbasim::npy::read on arbitrary bytes, through a memfd so that no file system is touched.
// An accepted array must be consistent (element count = shape product) and write back to a
// file that reads as the same array.
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "fuzz_support.h"
#include "lbasim/base/npy.h"

namespace {

// One in-memory file per harness, rewritten for every input; its path is /proc/self/fd/N.
struct MemFile {
  int fd = -1;
  std::string path;
  explicit MemFile(const char* name) {
    fd = ::memfd_create(name, 0);
    if (fd < 0) lbasim::fuzz::bug("memfd_create failed");
    path = "/proc/self/fd/" + std::to_string(fd);
  }
  void assign(const std::uint8_t* data, std::size_t size) const {
    if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, data, size, 0) != static_cast<ssize_t>(size))
      lbasim::fuzz::bug("writing the memfd failed");
  }
};

// LBASIM_FUZZ_SKIP_KNOWN=1 skips inputs that hit the bugs already reported in
// docs/robustness.md (a zero dimension: memcpy on a null pointer; data declared larger than the
// file: allocation before the size check), so that a long run can look for other bugs.
bool hits_known_bug(std::string_view bytes) {
  static const bool skip = std::getenv("LBASIM_FUZZ_SKIP_KNOWN") != nullptr;
  if (!skip) return false;
  // Find the shape tuple the way npy.cpp does: after 'shape', a ':', spaces, then (...).
  auto pos = bytes.find("'shape'");
  if (pos == bytes.npos || (pos = bytes.find(':', pos + 7)) == bytes.npos) return false;
  while (++pos < bytes.size() && bytes[pos] == ' ') {
  }
  const auto close = bytes.find(')', pos);
  if (pos >= bytes.size() || bytes[pos] != '(' || close == bytes.npos) return false;
  std::uint64_t elements = 1;
  std::string digits;
  for (std::size_t i = pos + 1; i <= close; ++i) {
    const char c = bytes[i];
    if (c >= '0' && c <= '9') {
      digits += c;
    } else if (!digits.empty()) {
      const std::uint64_t d = digits.size() > 15 ? 0 : std::stoull(digits);
      if (d == 0) return true;
      constexpr std::uint64_t kCap = std::uint64_t{1} << 50;
      elements = elements > kCap / d ? kCap : elements * d;
      digits.clear();
    }
  }
  return elements * 4 > bytes.size();
}

bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() &&
         (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace npy = lbasim::npy;
  static const MemFile in("npy_in");
  static const std::string out = "/dev/shm/lbasim_npy_fuzz_" + std::to_string(::getpid()) + ".npy";
  if (hits_known_bug({reinterpret_cast<const char*>(data), size})) return 0;
  in.assign(data, size);
  npy::Array a;
  if (!lbasim::fuzz::accepts([&] { a = npy::read(in.path); })) return 0;
  const auto n = static_cast<std::size_t>(a.size());
  lbasim::fuzz::check(a.rank() <= 8, "accepted an array of rank > 8");
  lbasim::fuzz::check(a.dtype == npy::DType::i64 ? a.ints.size() == n : a.values.size() == n,
                      "element count differs from the shape's product");
  // Write back (to tmpfs: the atomic writer fsyncs) in the dtype read (f32 values are exact floats)
  // and read again.
  switch (a.dtype) {
    case npy::DType::f64:
      npy::write_f64(out, a.shape, a.values.data());
      break;
    case npy::DType::i64:
      npy::write_i64(out, a.shape, a.ints.data());
      break;
    case npy::DType::f32: {
      std::vector<float> f(a.values.begin(), a.values.end());
      npy::write_f32(out, a.shape, f.data());
      break;
    }
  }
  npy::Array b;
  lbasim::fuzz::check(lbasim::fuzz::accepts([&] { b = npy::read(out); }),
                      "a written-back array is refused");
  lbasim::fuzz::check(
      b.dtype == a.dtype && b.shape == a.shape && b.ints == a.ints && same_bits(b.values, a.values),
      "write/read round trip changed the array");
  return 0;
}
