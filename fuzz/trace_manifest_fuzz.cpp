// lbasim::traces::read_trace with arbitrary manifest.json text, next to the tensors of a real
// trace (LBASIM_TRACE_FIXTURE, copied once to tmpfs), so that mutated manifests reach the
// graph and tensor checks, not only the JSON parser.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "fuzz_support.h"
#include "lbasim/traces/trace.h"

namespace {

namespace fs = std::filesystem;

fs::path make_trace_dir() {
  const fs::path dir = fs::path("/dev/shm") / ("lbasim_trace_fuzz_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::copy(LBASIM_TRACE_FIXTURE, dir, fs::copy_options::recursive);
  return dir;
}

// LBASIM_FUZZ_SKIP_KNOWN=1 skips manifests that reach bugs already reported in
// docs/robustness.md, so that a long run can look for other bugs: an integer of 19+ digits
// (signed overflow of window sizes), an exponent of 3+ digits (json out_of_range escapes).
bool hits_known_bug(std::string_view text) {
  static const bool skip = std::getenv("LBASIM_FUZZ_SKIP_KNOWN") != nullptr;
  if (!skip) return false;
  std::size_t run = 0;
  bool exponent = false;
  for (char c : text) {
    const bool digit = c >= '0' && c <= '9';
    run = digit ? run + 1 : 0;
    if (run >= 19 || (exponent && run >= 3)) return true;
    if (!digit && c != '+' && c != '-') exponent = c == 'e' || c == 'E';
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (hits_known_bug({reinterpret_cast<const char*>(data), size})) return 0;
  static const fs::path dir = make_trace_dir();
  {
    std::ofstream out(dir / "manifest.json", std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    if (!out) lbasim::fuzz::bug("writing manifest.json failed");
  }
  lbasim::traces::Trace t;
  if (!lbasim::fuzz::accepts([&] { t = lbasim::traces::read_trace(dir); })) return 0;
  lbasim::fuzz::check(!t.graph.empty(), "accepted a trace without a graph");
  return 0;
}
