// conv2d lowering and the pointwise ops: hand-checked small cases, then PyTorch references
// (tests/traces/data, integer data so float32 results are exact and must match exactly).
#include <gtest/gtest.h>

#include <numeric>

#include "lbasim/traces/evaluate.h"
#include "lbasim/traces/executor.h"
#include "lbasim/traces/lowering.h"
#include "test_util.h"

namespace lbasim::traces {
namespace {

// A one-op trace: input [c, h, w] -> conv2d.
Trace conv_trace(std::int64_t c_in, std::int64_t h, std::int64_t w, std::int64_t c_out, Window win,
                 std::int64_t groups, std::vector<double> weight) {
  Trace t;
  t.input_tensor = "input";
  t.input_shape = {c_in, h, w};
  Op op;
  op.kind = OpKind::conv2d;
  op.name = op.output = "conv";
  op.inputs = {"input"};
  op.window = win;
  op.groups = groups;
  op.in_channels = c_in;
  op.out_channels = c_out;
  const std::int64_t oh = (h + 2 * win.pad_h - win.dil_h * (win.kh - 1) - 1) / win.stride_h + 1;
  const std::int64_t ow = (w + 2 * win.pad_w - win.dil_w * (win.kw - 1) - 1) / win.stride_w + 1;
  op.shape = {c_out, oh, ow};
  op.weight = std::move(weight);
  op.bias.assign(static_cast<std::size_t>(c_out), 0.0);
  t.graph.push_back(op);
  t.output_tensor = "conv";
  return t;
}

Tensor iota_input(std::int64_t c, std::int64_t h, std::int64_t w, double start = 1) {
  Tensor x = zeros({1, c, h, w});
  std::iota(x.data.begin(), x.data.end(), start);
  return x;
}

std::vector<double> run_both(const Trace& t, const Tensor& x) {
  const GraphRunner fp32(t, test::fp32_settings());
  GemmSettings ref;
  ref.reference = true;
  const GraphRunner f64(t, ref);
  const auto y = fp32.run(x, nullptr, nullptr).data;
  EXPECT_EQ(y, f64.run(x, nullptr, nullptr).data);
  return y;
}

TEST(Lowering, KOrderIsChannelThenKernelRowThenColumn) {
  // 2 channels of 2x2, kernel 2x2: the single window row is c0 (0,0) (0,1) (1,0) (1,1), c1 ...
  const Trace t = conv_trace(2, 2, 2, 1, Window{2, 2}, 1, std::vector<double>(8, 1.0));
  const auto a = lower_input(t.graph[0], iota_input(2, 2, 2), 0);
  EXPECT_EQ(a, (std::vector<double>{1, 2, 3, 4, 5, 6, 7, 8}));
  // W[K x N] with N = 2 output channels: column n holds weight[n] flattened as (c, kh, kw).
  Op op = t.graph[0];
  op.out_channels = 2;
  std::vector<double> w(16);
  std::iota(w.begin(), w.end(), 0);
  const auto wm = lower_weight(op, w, 0);
  for (int k = 0; k < 8; ++k) {
    EXPECT_EQ(wm[k * 2 + 0], k);
    EXPECT_EQ(wm[k * 2 + 1], 8 + k);
  }
}

TEST(Lowering, UnitStride) {
  // 3x3 input 1..9, 2x2 kernel of ones: window sums 1+2+4+5=12, 16, 24, 28.
  const Trace t = conv_trace(1, 3, 3, 1, Window{2, 2}, 1, {1, 1, 1, 1});
  EXPECT_EQ(run_both(t, iota_input(1, 3, 3)), (std::vector<double>{12, 16, 24, 28}));
}

TEST(Lowering, Stride2PicksEveryOtherPixel) {
  // 4x4 input 0..15, 1x1 kernel weight 2, stride 2: 2 * {0, 2, 8, 10}.
  Window win;
  win.stride_h = win.stride_w = 2;
  const Trace t = conv_trace(1, 4, 4, 1, win, 1, {2});
  EXPECT_EQ(run_both(t, iota_input(1, 4, 4, 0)), (std::vector<double>{0, 4, 16, 20}));
}

TEST(Lowering, PaddingIsZero) {
  // 2x2 input 1..4, 3x3 kernel of ones, padding 1: every window covers all 4 pixels.
  Window win{3, 3};
  win.pad_h = win.pad_w = 1;
  const Trace t = conv_trace(1, 2, 2, 1, win, 1, std::vector<double>(9, 1.0));
  EXPECT_EQ(run_both(t, iota_input(1, 2, 2)), (std::vector<double>{10, 10, 10, 10}));
}

TEST(Lowering, DilationSpreadsTheKernel) {
  // 3x3 input 1..9, 2x2 kernel (1, 10, 100, 1000) dilated by 2: corners 1, 3, 7, 9.
  Window win{2, 2};
  win.dil_h = win.dil_w = 2;
  const Trace t = conv_trace(1, 3, 3, 1, win, 1, {1, 10, 100, 1000});
  EXPECT_EQ(run_both(t, iota_input(1, 3, 3)), (std::vector<double>{1 + 30 + 700 + 9000}));
}

TEST(Lowering, GroupsSeeOnlyTheirChannels) {
  // 2 channels (1x1 maps 1 and 2), 2 groups, 1x1 kernels 3 and 5: outputs 3 and 10.
  const Trace t = conv_trace(2, 1, 1, 2, Window{}, 2, {3, 5});
  EXPECT_EQ(run_both(t, iota_input(2, 1, 1)), (std::vector<double>{3, 10}));
}

TEST(Lowering, PointwiseOps) {
  Op add;
  add.kind = OpKind::add;
  add.shape = {3};
  Tensor a{{1, 3}, {1, -2, 3}}, b{{1, 3}, {10, 20, -30}};
  EXPECT_EQ(apply_pointwise_op(add, {&a, &b}).data, (std::vector<double>{11, 18, -27}));
  Op relu;
  relu.kind = OpKind::relu;
  EXPECT_EQ(apply_pointwise_op(relu, {&a}).data, (std::vector<double>{1, 0, 3}));
  // 2x2 max and average pools over 3x3 1..9 with padding 1, stride 2: windows
  // {1}, {2,3}, {4,7}, {5,6,8,9}.
  Op pool;
  pool.kind = OpKind::maxpool;
  pool.window = Window{2, 2, 2, 2, 1, 1};
  pool.shape = {1, 2, 2};
  const Tensor x = iota_input(1, 3, 3);
  EXPECT_EQ(apply_pointwise_op(pool, {&x}).data, (std::vector<double>{1, 3, 7, 9}));
  pool.kind = OpKind::avgpool;  // padding counts as zeros
  EXPECT_EQ(apply_pointwise_op(pool, {&x}).data,
            (std::vector<double>{0.25, 5.0 / 4, 11.0 / 4, 28.0 / 4}));
  Op gap;
  gap.kind = OpKind::global_avgpool;
  EXPECT_EQ(apply_pointwise_op(gap, {&x}).data, (std::vector<double>{5}));
}

// Each case trace holds PyTorch's float32 output of integer data: exact, so equality.
class PyTorchCase : public ::testing::TestWithParam<const char*> {};

TEST_P(PyTorchCase, MatchesPyTorchExactly) {
  const Trace t = read_trace(std::filesystem::path(LBASIM_TEST_DATA) / GetParam());
  for (const GemmSettings& s : {test::fp32_settings(), [] {
                                  GemmSettings r;
                                  r.reference = true;
                                  return r;
                                }()}) {
    const RunReport r = evaluate(t, s, EvalOptions{});
    ASSERT_EQ(r.logits.size(), t.reference_logits.size());
    for (std::size_t i = 0; i < r.logits.size(); ++i)
      ASSERT_EQ(r.logits[i], t.reference_logits[i]) << GetParam() << " element " << i;
  }
  // The captured layer outputs replay to the same values.
  const GraphRunner runner(t, test::fp32_settings());
  for (std::size_t l = 0; l < runner.gemm_layers().size(); ++l) {
    const Capture& c = t.captures.at(runner.gemm_layers()[l]->name);
    EXPECT_EQ(runner.run_layer(l, Tensor{c.input_shape, c.input}, nullptr).data, c.output);
  }
}

INSTANTIATE_TEST_SUITE_P(Traces, PyTorchCase,
                         ::testing::Values("conv_stride2", "conv_pad2", "conv_dilation2",
                                           "conv_groups2", "conv_depthwise", "conv_rect",
                                           "residual_pools"));

}  // namespace
}  // namespace lbasim::traces
