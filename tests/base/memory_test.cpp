// Memory checks: sizes never wrap, and a refusal names what needs how much.
#include "lbasim/base/memory.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>

#include "lbasim/base/error.h"

namespace lbasim {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

constexpr std::uint64_t kMax = UINT64_MAX;

TEST(Memory, SizesSaturateInsteadOfWrapping) {
  EXPECT_EQ(mul_bytes(1u << 20, 1u << 20, 8), std::uint64_t{8} << 40);
  EXPECT_EQ(mul_bytes(std::uint64_t{1} << 40, std::uint64_t{1} << 30), kMax);
  EXPECT_EQ(mul_bytes(kMax, 1, 2), kMax);
  EXPECT_EQ(add_bytes(kMax - 1, 2), kMax);
  EXPECT_EQ(add_bytes(5, 7), 12u);
}

TEST(Memory, HumanBytes) {
  EXPECT_EQ(human_bytes(17), "17 B");
  EXPECT_EQ(human_bytes(1536), "1.5 KiB");
  EXPECT_EQ(human_bytes(std::uint64_t{3} << 30), "3.0 GiB");
}

TEST(Memory, MeasuredAvailableIsPlausible) {
  ::unsetenv("LBASIM_MEMORY_LIMIT");
  const std::uint64_t avail = available_memory();
  EXPECT_GT(avail, std::uint64_t{16} << 20);  // a machine that runs the tests has 16 MiB free
  EXPECT_LT(avail, kMax);
  EXPECT_NO_THROW(require_memory(1 << 20, "a small thing"));
}

TEST(Memory, EnvironmentLimitRefusesWithTheSizes) {
  ::setenv("LBASIM_MEMORY_LIMIT", "2K", 1);
  EXPECT_EQ(available_memory(), 2048u);
  EXPECT_NO_THROW(require_memory(2048, "x"));
  try {
    require_memory(3 << 20, "GEMM 1 x 2 x 3");
    ADD_FAILURE() << "no InputError";
  } catch (const InputError& e) {
    EXPECT_THAT(e.what(), AllOf(HasSubstr("GEMM 1 x 2 x 3 needs 3.0 MiB"),
                                HasSubstr("2.0 KiB available"), HasSubstr("LBASIM_MEMORY_LIMIT")));
  }
  ::setenv("LBASIM_MEMORY_LIMIT", "lots", 1);
  EXPECT_THROW(available_memory(), InputError);
  ::unsetenv("LBASIM_MEMORY_LIMIT");
}

}  // namespace
}  // namespace lbasim
