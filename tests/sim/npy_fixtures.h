// Hand-made .npy files (independent of the writer under test), including malformed ones.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace lbasim::test {

// Raw .npy v1.0 bytes with the given header dict text and payload.
std::string npy_bytes(const std::string& dict, const std::string& payload);

// A well-formed '<f8' C-order file of `shape` holding `values`.
void write_npy_f64(const std::filesystem::path& p, const std::vector<std::int64_t>& shape,
                   const std::vector<double>& values);

void write_bytes(const std::filesystem::path& p, const std::string& bytes);

// A fresh empty directory under the test temp dir, named after the running test.
std::filesystem::path fresh_dir();

}  // namespace lbasim::test
