// A plain main(): the SystemC kernel is started by the model itself (run_gemm), not sc_main.
#include <gtest/gtest.h>

int main(int argc, char** argv) {
  testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
