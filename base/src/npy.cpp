// NumPy .npy format 1.0/2.0/3.0: a magic string, a Python-dict header, raw C-order data.
#include "lbasim/base/npy.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <bit>
#include <cstring>
#include <fstream>
#include <limits>
#include <sstream>

#include "lbasim/base/atomic_file.h"
#include "lbasim/base/error.h"
#include "lbasim/base/memory.h"

namespace lbasim::npy {
namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr int kMaxRank = 8;

[[noreturn]] void fail(const std::filesystem::path& path, const std::string& why) {
  throw InputError(fmt::format("{}: {}", path.string(), why));
}

// Value of `key` in the header dict, as the raw text up to the next top-level comma.
std::string header_field(const std::filesystem::path& path, const std::string& header,
                         const std::string& key) {
  const std::string quoted = "'" + key + "'";
  auto pos = header.find(quoted);
  if (pos == std::string::npos)
    fail(path, fmt::format("header has no '{}' field: {}", key, header));
  pos = header.find(':', pos + quoted.size());
  if (pos == std::string::npos) fail(path, fmt::format("header field '{}' has no value", key));
  ++pos;
  while (pos < header.size() && header[pos] == ' ') ++pos;
  std::size_t end = pos;
  if (pos < header.size() && header[pos] == '(') {
    end = header.find(')', pos);
    if (end == std::string::npos) fail(path, "header shape tuple is not closed");
    ++end;
  } else {
    end = header.find_first_of(",}", pos);
    if (end == std::string::npos) end = header.size();
  }
  return header.substr(pos, end - pos);
}

std::vector<std::int64_t> parse_shape(const std::filesystem::path& path, const std::string& text) {
  if (text.size() < 2 || text.front() != '(' || text.back() != ')')
    fail(path, fmt::format("header field 'shape' = {} is not a tuple", text));
  std::vector<std::int64_t> shape;
  std::string inner = text.substr(1, text.size() - 2);
  std::stringstream ss(inner);
  std::string item;
  while (std::getline(ss, item, ',')) {
    const auto first = item.find_first_not_of(' ');
    if (first == std::string::npos) continue;  // trailing comma of a 1-tuple
    const auto last = item.find_last_not_of(' ');
    const std::string digits = item.substr(first, last - first + 1);
    std::int64_t v = 0;
    if (digits.empty() || digits.size() > 15 ||
        digits.find_first_not_of("0123456789") != std::string::npos)
      fail(path, fmt::format("header field 'shape' = {}: '{}' is not a dimension", text, digits));
    v = std::stoll(digits);
    shape.push_back(v);
  }
  if (shape.size() > kMaxRank)
    fail(path,
         fmt::format("rank {} is not supported; expected at most {}", shape.size(), kMaxRank));
  return shape;
}

std::int64_t element_count(const std::filesystem::path& path,
                           const std::vector<std::int64_t>& shape) {
  std::int64_t n = 1;
  for (auto d : shape) {
    if (d != 0 && n > std::numeric_limits<std::int64_t>::max() / 8 / d)
      fail(path, fmt::format("shape ({}) is too large", fmt::join(shape, ", ")));
    n *= d;
  }
  return n;
}

std::string header_text(std::string_view descr, const std::vector<std::int64_t>& shape) {
  std::string dims;
  for (auto d : shape) dims += fmt::format("{}, ", d);
  if (shape.size() > 1) dims.resize(dims.size() - 2);  // "(3,)" for rank 1, "(3, 4)" otherwise
  if (shape.size() == 1) dims.pop_back();
  std::string h =
      fmt::format("{{'descr': '{}', 'fortran_order': False, 'shape': ({}), }}", descr, dims);
  // Pad with spaces so that magic + lengths + header is a multiple of 64, ending in '\n'.
  const std::size_t total = 10 + h.size() + 1;
  h.append((64 - total % 64) % 64, ' ');
  h.push_back('\n');
  return h;
}

void write_raw(const std::filesystem::path& path, std::string_view descr,
               const std::vector<std::int64_t>& shape, const void* data, std::size_t elem_size) {
  static_assert(std::endian::native == std::endian::little, "npy writer assumes little-endian");
  const std::string header = header_text(descr, shape);
  std::string bytes(kMagic, 6);
  bytes += '\x01';
  bytes += '\x00';
  const auto len = static_cast<std::uint16_t>(header.size());
  bytes += static_cast<char>(len & 0xff);
  bytes += static_cast<char>(len >> 8);
  bytes += header;
  std::int64_t n = 1;
  for (auto d : shape) n *= d;
  bytes.append(static_cast<const char*>(data), static_cast<std::size_t>(n) * elem_size);
  write_file_atomic(path, bytes);
}

}  // namespace

std::string_view to_string(DType d) {
  switch (d) {
    case DType::f32:
      return "<f4";
    case DType::f64:
      return "<f8";
    case DType::i64:
      return "<i8";
  }
  return "?";
}

std::int64_t Array::size() const {
  std::int64_t n = 1;
  for (auto d : shape) n *= d;
  return n;
}

Array read(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path, std::filesystem::exists(path) ? "cannot be read" : "no such file");
  char magic[8];
  if (!in.read(magic, 8) || std::memcmp(magic, kMagic, 6) != 0)
    fail(path, "not a .npy file (no \\x93NUMPY magic)");
  const int major = static_cast<unsigned char>(magic[6]);
  std::uint32_t header_len = 0;
  if (major == 1) {
    unsigned char b[2];
    if (!in.read(reinterpret_cast<char*>(b), 2)) fail(path, "truncated header");
    header_len = b[0] | (b[1] << 8);
  } else if (major == 2 || major == 3) {
    unsigned char b[4];
    if (!in.read(reinterpret_cast<char*>(b), 4)) fail(path, "truncated header");
    header_len = b[0] | (b[1] << 8) | (b[2] << 16) | (static_cast<std::uint32_t>(b[3]) << 24);
    if (header_len > (1u << 20))
      fail(path, fmt::format("header length {} is implausible", header_len));
  } else {
    fail(path, fmt::format("format version {} is not supported; expected 1, 2 or 3", major));
  }
  std::string header(header_len, '\0');
  if (!in.read(header.data(), header_len)) fail(path, "truncated header");

  Array a;
  const std::string descr = header_field(path, header, "descr");
  if (descr == "'<f4'")
    a.dtype = DType::f32;
  else if (descr == "'<f8'")
    a.dtype = DType::f64;
  else if (descr == "'<i8'")
    a.dtype = DType::i64;
  else
    fail(path, fmt::format("dtype {} is not supported; expected '<f4' (float32), '<f8' (float64) "
                           "or '<i8' (int64), little-endian",
                           descr));
  const std::string order = header_field(path, header, "fortran_order");
  if (order != "False")
    fail(path,
         fmt::format("fortran_order = {}: expected False (C order); use numpy.ascontiguousarray",
                     order));
  a.shape = parse_shape(path, header_field(path, header, "shape"));
  const std::int64_t n = element_count(path, a.shape);
  const std::size_t elem = a.dtype == DType::f32 ? 4 : 8;
  const auto bytes = static_cast<std::size_t>(n) * elem;
  // Check the declared size against the file before allocating it.
  const auto data_start = in.tellg();
  in.seekg(0, std::ios::end);
  const auto available = static_cast<std::size_t>(in.tellg() - data_start);
  in.seekg(data_start);
  if (available < bytes)
    fail(path, fmt::format("truncated data: shape ({}) needs {} bytes, file has {}",
                           fmt::join(a.shape, ", "), bytes, available));
  // The raw bytes and the values as doubles are both held while converting.
  require_memory(add_bytes(bytes, mul_bytes(static_cast<std::uint64_t>(n), 8)),
                 fmt::format("{}: reading shape ({})", path.string(), fmt::join(a.shape, ", ")));
  std::string raw(bytes, '\0');
  if (!in.read(raw.data(), static_cast<std::streamsize>(bytes)))
    fail(path, fmt::format("truncated data: shape ({}) needs {} bytes, file has {}",
                           fmt::join(a.shape, ", "), bytes, in.gcount()));
  if (in.peek() != std::char_traits<char>::eof())
    fail(path, fmt::format("trailing data after the {} bytes that shape ({}) needs", bytes,
                           fmt::join(a.shape, ", ")));
  if (bytes == 0) {  // empty array: nothing to copy
    if (a.dtype == DType::i64) a.ints.clear();
    return a;
  }
  if (a.dtype == DType::i64) {
    a.ints.resize(n);
    std::memcpy(a.ints.data(), raw.data(), bytes);
  } else if (a.dtype == DType::f64) {
    a.values.resize(n);
    std::memcpy(a.values.data(), raw.data(), bytes);
  } else {
    std::vector<float> f(n);
    std::memcpy(f.data(), raw.data(), bytes);
    a.values.assign(f.begin(), f.end());
  }
  return a;
}

Array read_float(const std::filesystem::path& path, int rank, const std::string& what) {
  Array a = read(path);
  if (a.dtype == DType::i64)
    fail(path, fmt::format("{}: dtype '<i8' (int64) is not supported; expected float32 or float64",
                           what));
  if (a.rank() != rank)
    fail(path, fmt::format("{}: rank {} (shape ({})); expected a rank-{} array", what, a.rank(),
                           fmt::join(a.shape, ", "), rank));
  return a;
}

void write_f64(const std::filesystem::path& path, const std::vector<std::int64_t>& shape,
               const double* data) {
  write_raw(path, "<f8", shape, data, 8);
}
void write_f32(const std::filesystem::path& path, const std::vector<std::int64_t>& shape,
               const float* data) {
  write_raw(path, "<f4", shape, data, 4);
}
void write_i64(const std::filesystem::path& path, const std::vector<std::int64_t>& shape,
               const std::int64_t* data) {
  write_raw(path, "<i8", shape, data, 8);
}

}  // namespace lbasim::npy
