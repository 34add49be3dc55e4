#include "npy_fixtures.h"

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>

namespace lbasim::test {

std::string npy_bytes(const std::string& dict, const std::string& payload) {
  std::string header = dict;
  while ((10 + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::string out = "\x93NUMPY";
  out += '\x01';
  out += '\x00';
  out += static_cast<char>(header.size() & 0xff);
  out += static_cast<char>(header.size() >> 8);
  return out + header + payload;
}

void write_bytes(const std::filesystem::path& p, const std::string& bytes) {
  std::ofstream(p, std::ios::binary) << bytes;
}

void write_npy_f64(const std::filesystem::path& p, const std::vector<std::int64_t>& shape,
                   const std::vector<double>& values) {
  std::string dims;
  for (auto d : shape) dims += std::to_string(d) + ", ";
  std::string payload(values.size() * 8, '\0');
  if (!values.empty()) std::memcpy(payload.data(), values.data(), payload.size());
  write_bytes(p, npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (" + dims + "), }",
                           payload));
}

std::filesystem::path fresh_dir() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  auto dir = std::filesystem::temp_directory_path() / "lbasim_tests" /
             (std::string(info->test_suite_name()) + "." + info->name());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace lbasim::test
