// Helpers of the trace tests: configs by name, temporary trace copies.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <string>

#include "lbasim/base/error.h"
#include "lbasim/numerics/accumulate.h"
#include "lbasim/traces/gemm_layer.h"

namespace lbasim::traces::test {

inline num::AccumConfig config_of(const std::string& product, const std::string& acc,
                                  std::int64_t chunk) {
  num::AccumConfig c;
  c.product = num::parse_format(product);
  c.accumulator = num::parse_format(acc);
  c.chunk_accumulator = c.accumulator;
  c.chunk = chunk;
  return c;
}

// FP32 products and accumulation, no W/A quantization, golden engine.
inline GemmSettings fp32_settings() {
  GemmSettings s;
  s.config = config_of("fp32", "fp32", 0);
  s.wa_quant = false;
  s.engine = GemmEngine::golden;
  return s;
}

// `read` must throw an InputError whose message contains every one of `parts`.
inline void expect_input_error(const std::function<void()>& read,
                               std::initializer_list<std::string> parts) {
  try {
    read();
    FAIL() << "the bad input was accepted";
  } catch (const InputError& e) {
    const std::string msg = e.what();
    for (const auto& p : parts)
      EXPECT_NE(msg.find(p), std::string::npos) << msg << "\nlacks: " << p;
  }
}

// A fresh folder under the system temp dir, unique per test and process (ctest runs tests in
// parallel), removed by the caller.
inline std::filesystem::path fresh_dir(const std::string& prefix) {
  const auto* info = ::testing::UnitTest::GetInstance();
  const auto dir =
      std::filesystem::temp_directory_path() /
      (prefix + std::to_string(info->random_seed()) + "-" + info->current_test_info()->name());
  std::filesystem::remove_all(dir);
  return dir;
}

}  // namespace lbasim::traces::test
