// The SystemC array's counters turned into the energy model's activity.
#include "lbasim/cost/array_activity.h"

#include <gtest/gtest.h>

namespace lbasim::cost {
namespace {

TEST(ArrayActivity, SumsPeCountersAndConvertsWordsToBytes) {
  sysc::ArrayStats s;
  s.m = 2;
  s.k = 3;
  s.n = 4;
  s.macs = 24;
  s.chunk_adds = 5;
  s.pe = {{12, 3, 2, 10}, {12, 4, 3, 20}};
  s.act_buffer = {6, 12, 6};
  s.weight_buffer = {12, 12, 12};
  s.out_buffer = {8, 2, 10};
  const Activity a = activity_from_array(s, {8, 8, 12});
  EXPECT_EQ(a.macs, 24u);
  EXPECT_EQ(a.zero_operand_macs, 7u);
  EXPECT_EQ(a.reg_writes, 30u);
  EXPECT_EQ(a.chunk_adds, 5u);
  ASSERT_EQ(a.buffers.size(), 3u);
  EXPECT_EQ(a.buffers[0].name, "act");
  EXPECT_EQ(a.buffers[0].size_bytes, 6.0);
  EXPECT_EQ(a.buffers[0].read_bytes, 12.0);
  EXPECT_EQ(a.buffers[2].size_bytes, 12.0);   // 8 words x 12 bits
  EXPECT_EQ(a.buffers[2].write_bytes, 15.0);  // 10 words x 1.5 bytes
  EXPECT_EQ(a.dram_bytes, 30.0);              // (2*3*8 + 3*4*8 + 2*4*12) / 8
}

}  // namespace
}  // namespace lbasim::cost
