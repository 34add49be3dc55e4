// Refusing work that cannot fit in memory up front, with the size it needs, instead of ending
// in std::bad_alloc (or the kernel's OOM killer) after minutes of work.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace lbasim {

// Bytes this process can still allocate: MemAvailable of /proc/meminfo, lowered to the cgroup
// memory limit when one is set (containers, Slurm jobs). The environment variable
// LBASIM_MEMORY_LIMIT (bytes, or with a K/M/G/T suffix) replaces it, e.g. to share a machine.
std::uint64_t available_memory();

// Throws InputError "{what} needs {bytes} of memory, {available} are available" if `bytes`
// exceeds available_memory(). Pass sizes computed with mul_bytes so they cannot wrap.
void require_memory(std::uint64_t bytes, std::string_view what);

// a * b * c with saturation at UINT64_MAX (sizes of huge shapes must not wrap to small ones).
std::uint64_t mul_bytes(std::uint64_t a, std::uint64_t b, std::uint64_t c = 1);
std::uint64_t add_bytes(std::uint64_t a, std::uint64_t b);

// "1.5 GiB", "300 MiB", "12 KiB", "17 B".
std::string human_bytes(std::uint64_t bytes);

}  // namespace lbasim
