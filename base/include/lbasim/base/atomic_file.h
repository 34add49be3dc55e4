// Writing result files so that a reader never sees a truncated one.
#pragma once

#include <filesystem>
#include <string_view>

namespace lbasim {

// Writes `bytes` to a temporary file beside `path`, flushes it, then renames it over `path`.
// Throws InputError naming the path if the directory is not writable.
void write_file_atomic(const std::filesystem::path& path, std::string_view bytes);

}  // namespace lbasim
