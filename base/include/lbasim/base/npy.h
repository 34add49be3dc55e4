// NumPy .npy tensors: the exchange format of traces and of the command line.
// Reads little-endian float32, float64 and int64 arrays in C order, of any rank up to 8;
// anything else is refused with an InputError naming the file and what was expected.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace lbasim::npy {

enum class DType : std::uint8_t { f32, f64, i64 };

std::string_view to_string(DType d);  // numpy descr: "<f4", "<f8", "<i8"

struct Array {
  DType dtype = DType::f64;
  std::vector<std::int64_t> shape;
  std::vector<double> values;      // float data, widened exactly to double (f32, f64)
  std::vector<std::int64_t> ints;  // integer data (i64)

  std::int64_t size() const;
  int rank() const { return static_cast<int>(shape.size()); }
};

// Reads a whole .npy file. Throws InputError naming the file on anything unreadable.
Array read(const std::filesystem::path& path);

// Reads a float tensor (f32 or f64) of the given rank; throws InputError naming `what`
// (e.g. "--a") and the file if dtype or rank differ.
Array read_float(const std::filesystem::path& path, int rank, const std::string& what);

// Writes atomically (temporary file + rename): a crash never leaves a partial file.
void write_f64(const std::filesystem::path& path, const std::vector<std::int64_t>& shape,
               const double* data);
void write_f32(const std::filesystem::path& path, const std::vector<std::int64_t>& shape,
               const float* data);
void write_i64(const std::filesystem::path& path, const std::vector<std::int64_t>& shape,
               const std::int64_t* data);

}  // namespace lbasim::npy
