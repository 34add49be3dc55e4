// Manifest version 3 (docs/traces.md): the ops of today's CNNs and transformers, their
// semantics on hand-computed examples, matmul against the golden GEMM, and every new error.
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "lbasim/numerics/accumulate.h"
#include "lbasim/numerics/format.h"
#include "lbasim/numerics/scale.h"
#include "manifest_fixture.h"

namespace lbasim::traces {
namespace {

using nlohmann::json;

// Two images of per-sample shape [2, 3]: image 0 = 1..6, image 1 = -1..-6. The graph is set by
// the test (each op's "shape" given by the test, so the reader's shape rules are checked).
class TraceV3 : public test::ManifestTest {
 protected:
  void SetUp() override { make(3, {2, 3}, {1, 2, 3, 4, 5, 6, -1, -2, -3, -4, -5, -6}, 2); }
  void set_input(std::vector<std::int64_t> shape, const std::vector<float>& values) {
    set_images(std::move(shape), values);
  }
};

TEST_F(TraceV3, UnaryOps) {
  std::vector<double> x{1, 2, 3, 4, 5, 6, -1, -2, -3, -4, -5, -6};
  const auto each = [&](const char* kind, auto f, json extra = json::object()) {
    json op = extra;
    op["op"] = kind;
    set_op(op, {2, 3});
    const auto y = run();
    ASSERT_EQ(y.size(), x.size());
    for (std::size_t i = 0; i < x.size(); ++i) EXPECT_EQ(y[i], f(x[i])) << kind << " " << x[i];
  };
  each("sigmoid", [](double v) { return 1 / (1 + std::exp(-v)); });
  each("tanh", [](double v) { return std::tanh(v); });
  each("erf", [](double v) { return std::erf(v); });
  each("exp", [](double v) { return std::exp(v); });
  each("neg", [](double v) { return -v; });
  each("abs", [](double v) { return std::fabs(v); });
  each("reciprocal", [](double v) { return 1 / v; });
  each("relu", [](double v) { return v > 0 ? v : 0.0; });
  each("clip", [](double v) { return std::min(std::max(v, -2.0), 3.0); },
       {{"min", -2}, {"max", 3}});
  each("clip", [](double v) { return std::max(v, -2.0); }, {{"min", -2}});
  // hardsigmoid 0.25 x + 0.5 clamps at x = -2 and 2; hardswish = x * max(0, min(1, x/6 + 1/2))
  each("hardsigmoid", [](double v) { return std::max(0.0, std::min(1.0, 0.25 * v + 0.5)); },
       {{"alpha", 0.25}, {"beta", 0.5}});
  EXPECT_EQ(run()[1], 1.0);
  EXPECT_EQ(run()[6], 0.25);
  each("hardswish", [](double v) { return v * std::max(0.0, std::min(1.0, 1.0 / 6.0 * v + 0.5)); });
  EXPECT_EQ(run()[5], 6.0);   // x >= 3: x
  EXPECT_EQ(run()[8], -0.0);  // x <= -3: 0
  x = {1, 4, 9, 16, 25, 36, 0, 1, 4, 9, 16, 25};
  set_input({2, 3}, std::vector<float>(x.begin(), x.end()));
  each("sqrt", [](double v) { return std::sqrt(v); });
  EXPECT_EQ(run()[5], 6.0);
}

TEST_F(TraceV3, BinaryOpsBroadcastBetweenTensors) {
  // x [2, 3] minus its own row [1, 3] (a reduce_max kept as [1, 3]): numpy broadcasting
  m_["graph"] = {
      {{"op", "reduce_max"},
       {"name", "m"},
       {"inputs", {"x"}},
       {"output", "m"},
       {"axes", {0}},
       {"keepdims", true},
       {"shape", {1, 3}}},
      {{"op", "sub"}, {"name", "y"}, {"inputs", {"x", "m"}}, {"output", "y"}, {"shape", {2, 3}}}};
  m_["output"] = "y";
  // image 0: max row (4, 5, 6); image 1: (-1, -2, -3)
  EXPECT_EQ(run(), (std::vector<double>{-3, -3, -3, 0, 0, 0, 0, 0, 0, -3, -3, -3}));
}

TEST_F(TraceV3, BinaryOpsWithAConstantOnEitherSide) {
  file("c.npy", {3}, {1, 2, 4});
  json op{{"op", "div"}, {"constant", {{"value", "w/c.npy"}, {"shape", {3}}, {"position", 1}}}};
  set_op(op, {2, 3});
  EXPECT_EQ(run(), (std::vector<double>{1, 1, 0.75, 4, 2.5, 1.5, -1, -1, -0.75, -4, -2.5, -1.5}));
  op["constant"]["position"] = 0;  // c / x
  set_op(op, {2, 3});
  EXPECT_EQ(run()[2], 4.0 / 3);
  op["op"] = "pow";
  op["constant"]["position"] = 1;
  set_op(op, {2, 3});
  EXPECT_EQ(run()[4], 25.0);  // 5^2
  EXPECT_EQ(run()[5], 1296.0);
  // a constant of higher rank than the tensor broadcasts it: [2, 3] + [2, 1, 3] -> [2, 2, 3]
  file("c3.npy", {2, 1, 3}, {0, 0, 0, 100, 100, 100});
  set_op(
      {{"op", "add"}, {"constant", {{"value", "w/c3.npy"}, {"shape", {2, 1, 3}}, {"position", 1}}}},
      {2, 2, 3});
  const auto y = run();
  ASSERT_EQ(y.size(), 24u);
  EXPECT_EQ(y[0], 1.0);
  EXPECT_EQ(y[6], 101.0);
  EXPECT_EQ(y[23], 94.0);
}

TEST_F(TraceV3, SoftmaxAndReductions) {
  set_op({{"op", "softmax"}, {"axis", 1}}, {2, 3});
  const auto y = run();
  const double s = std::exp(-2.0) + std::exp(-1.0) + 1;
  EXPECT_EQ(y[0], std::exp(-2.0) / s);
  EXPECT_EQ(y[2], 1 / s);
  // image 1 row (-1, -2, -3): the max comes first, and so does its exp in the sum
  EXPECT_EQ(y[6], 1 / (1 + std::exp(-1.0) + std::exp(-2.0)));
  set_op({{"op", "reduce_mean"}, {"axes", {0, 1}}, {"keepdims", false}}, json::array());
  EXPECT_EQ(run(), (std::vector<double>{3.5, -3.5}));
  set_op({{"op", "reduce_sum"}, {"axes", {0}}, {"keepdims", true}}, {1, 3});
  EXPECT_EQ(run(), (std::vector<double>{5, 7, 9, -5, -7, -9}));
}

TEST_F(TraceV3, LayerNorm) {
  file("g.npy", {3}, {1, 2, 3});
  file("b.npy", {3}, {0, 0, 10});
  set_op({{"op", "layernorm"},
          {"axis", 1},
          {"epsilon", 0.0},
          {"weight", "w/g.npy"},
          {"bias", "w/b.npy"}},
         {2, 3});
  // row (1, 2, 3): mean 2, variance 2/3: (-1, 0, 1) / sqrt(2/3), then * (1, 2, 3) + (0, 0, 10)
  const auto y = run();
  const double d = std::sqrt(2.0 / 3);
  EXPECT_EQ(y[0], -1 / d);
  EXPECT_EQ(y[1], 0.0);
  EXPECT_EQ(y[2], 1 / d * 3 + 10);
  EXPECT_EQ(y[6], 1 / d);  // image 1 row (-1, -2, -3)
}

TEST_F(TraceV3, DataMovement) {
  set_op({{"op", "transpose"}, {"perm", {1, 0}}}, {3, 2});
  EXPECT_EQ(run(), (std::vector<double>{1, 4, 2, 5, 3, 6, -1, -4, -2, -5, -3, -6}));
  set_op({{"op", "reshape"}}, {3, 1, 2});
  EXPECT_EQ(run()[2], 3.0);
  // every other column, backwards: columns 2, 0
  set_op({{"op", "slice"}, {"starts", {1, 2}}, {"steps", {1, -2}}}, {1, 2});
  EXPECT_EQ(run(), (std::vector<double>{6, 4, -6, -4}));
  set_op({{"op", "gather"}, {"axis", 1}, {"indices", {2, 2, 0, 1}}, {"indices_shape", {2, 2}}},
         {2, 2, 2});
  EXPECT_EQ(run()[0], 3.0);
  EXPECT_EQ(run()[3], 2.0);
  EXPECT_EQ(run()[4], 6.0);
  set_op({{"op", "concat"}, {"axis", 1}}, {2, 6}, {"x", "x"});
  EXPECT_EQ(run()[3], 1.0);
  EXPECT_EQ(run()[6], 4.0);
  file("k.npy", {1, 3}, {7, 8, 9});
  set_op({{"op", "constant"}, {"value", "w/k.npy"}}, {1, 3}, json::array());
  EXPECT_EQ(run(), (std::vector<double>{7, 8, 9, 7, 8, 9}));
}

TEST_F(TraceV3, PadModes) {
  // [2, 3] padded by 1 column left and 2 right: constant 9, reflect, edge
  json op{{"op", "pad"}, {"pads", {0, 1, 0, 2}}, {"mode", "constant"}, {"value", 9}};
  set_op(op, {2, 6});
  EXPECT_EQ(head(6), (std::vector<double>{9, 1, 2, 3, 9, 9}));
  op["mode"] = "reflect";
  set_op(op, {2, 6});
  EXPECT_EQ(head(6), (std::vector<double>{2, 1, 2, 3, 2, 1}));
  op["mode"] = "edge";
  set_op(op, {2, 6});
  EXPECT_EQ(head(6), (std::vector<double>{1, 1, 2, 3, 3, 3}));
}

// 3x3 max and average pools with stride 2 on 4x4 1..16, ceil_mode: a 2x2 output whose last
// windows hang over the input's end (ONNX's averagepool_2d_ceil and maxpool_2d_ceil cases).
TEST_F(TraceV3, PoolCeilMode) {
  std::vector<float> img(32);
  for (int i = 0; i < 16; ++i) img[i] = img[16 + i] = static_cast<float>(i + 1);
  set_input({1, 4, 4}, img);
  json op{{"op", "maxpool"},
          {"kernel", {3, 3}},
          {"stride", {2, 2}},
          {"padding", {0, 0}},
          {"ceil_mode", true}};
  set_op(op, {1, 2, 2});
  EXPECT_EQ(head(4), (std::vector<double>{11, 12, 15, 16}));
  op["op"] = "avgpool";
  op["count_include_pad"] = false;
  set_op(op, {1, 2, 2});
  EXPECT_EQ(head(4), (std::vector<double>{6, 7.5, 12, 13.5}));
  // count_include_pad: the part past the padding does not count (PyTorch's divisor)
  op["count_include_pad"] = true;
  set_op(op, {1, 2, 2});
  EXPECT_EQ(run()[3], 13.5);
  op["ceil_mode"] = false;
  set_op(op, {1, 1, 1});
  EXPECT_EQ(run()[0], 6.0);
  m_["version"] = 2;
  op["ceil_mode"] = true;
  set_op(op, {1, 2, 2});
  expect_error({"graph[0].ceil_mode", "needs manifest version 3"});
}

TEST_F(TraceV3, LinearOnTheLastAxis) {
  file("lw.npy", {2, 3}, {1, 0, 0, 1, 1, 1});
  file("lb.npy", {2}, {0, 100});
  set_op({{"op", "linear"},
          {"in_features", 3},
          {"out_features", 2},
          {"weight", "w/lw.npy"},
          {"bias", "w/lb.npy"}},
         {2, 2});
  EXPECT_EQ(run(), (std::vector<double>{1, 106, 4, 115, -1, 94, -4, 85}));
  m_["version"] = 2;
  expect_error({"graph[0].inputs", "needs rank 1"});
}

// matmul of two activations under a low-precision accumulator with W/A quantization: every
// (image, leading index) product equals num::gemm_reference on the same quantized operands.
TEST_F(TraceV3, MatmulEqualsTheGoldenGemmPerSlice) {
  // x [2 heads, 3 rows, 4] times its own transpose [2, 4, 3]
  std::vector<float> img(48);
  for (int i = 0; i < 48; ++i) img[i] = static_cast<float>(std::sin(1.7 * i) * 3);
  set_input({2, 3, 4}, img);
  const json q{{"a", {{"format", "M4E3"}, {"scale_exp", -2}}},
               {"b", {{"format", "M4E3"}, {"scale_exp", -1}}}};
  m_["graph"] = {{{"op", "transpose"},
                  {"name", "t"},
                  {"inputs", {"x"}},
                  {"output", "t"},
                  {"perm", {0, 2, 1}},
                  {"shape", {2, 4, 3}}},
                 {{"op", "matmul"},
                  {"name", "y"},
                  {"inputs", {"x", "t"}},
                  {"output", "y"},
                  {"quant", q},
                  {"shape", {2, 3, 3}}}};
  m_["output"] = "y";
  const Trace t = read();
  GemmSettings s;
  s.config = num::AccumConfig{num::parse_format("M7E4b12"), num::parse_format("M3E4b8"),
                              num::parse_format("M3E4b8"), 2};
  s.engine = GemmEngine::fast;
  const GraphRunner r(t, s);
  std::vector<LayerEvents> ev(1);
  const Tensor y = r.run(Tensor{{2, 2, 3, 4}, t.images}, nullptr, &ev);
  ASSERT_EQ(y.data.size(), 36u);
  num::StageCounts expected;
  for (int im = 0; im < 2; ++im)
    for (int h = 0; h < 2; ++h) {
      std::vector<double> a(12), b(12), c(9);
      for (int i = 0; i < 3; ++i)
        for (int k = 0; k < 4; ++k) {
          a[i * 4 + k] = img[im * 24 + h * 12 + i * 4 + k];
          b[k * 3 + i] = a[i * 4 + k];
        }
      num::quantize_scaled(a, -2, num::parse_format("M4E3"));
      num::quantize_scaled(b, -1, num::parse_format("M4E3"));
      num::gemm_reference(a.data(), b.data(), c.data(), 3, 4, 3, s.config, &expected);
      for (int i = 0; i < 9; ++i) EXPECT_EQ(y.data[im * 18 + h * 9 + i], c[i]) << im << h << i;
    }
  EXPECT_EQ(ev[0].gemm.accumulator.ops, expected.accumulator.ops);
  EXPECT_EQ(ev[0].gemm.accumulator.inexact, expected.accumulator.inexact);
  EXPECT_GT(ev[0].gemm.accumulator.inexact, 0);
  EXPECT_EQ(ev[0].input_quant.ops, 48);   // A: both images
  EXPECT_EQ(ev[0].weight_quant.ops, 48);  // B, per image too
  EXPECT_EQ(t.graph[1].macs_per_image(), 2 * 3 * 4 * 3);
}

TEST_F(TraceV3, MatmulBroadcastsLeadingAxes) {
  // [2, 3] x [3, 2] per sample with B = x reshaped: leading axes absent on both sides
  m_["graph"] = {
      {{"op", "reshape"}, {"name", "r"}, {"inputs", {"x"}}, {"output", "r"}, {"shape", {3, 2}}},
      {{"op", "matmul"},
       {"name", "y"},
       {"inputs", {"x", "r"}},
       {"output", "y"},
       {"shape", {2, 2}}}};
  m_["output"] = "y";
  // [[1,2,3],[4,5,6]] x [[1,2],[3,4],[5,6]] = [[22, 28], [49, 64]]
  EXPECT_EQ(head(4), (std::vector<double>{22, 28, 49, 64}));
}

TEST_F(TraceV3, Version3OpsAreRefusedInVersion2) {
  set_op({{"op", "softmax"}, {"axis", 1}}, {2, 3});
  m_["version"] = 2;
  expect_error({"graph[0].op", "'softmax' needs manifest version 3"});
  file("c.npy", {3}, {1, 2, 3});
  set_op({{"op", "add"}, {"constant", {{"value", "w/c.npy"}, {"shape", {3}}, {"position", 1}}}},
         {2, 3});
  expect_error({"graph[0].constant", "needs manifest version 3"});
}

TEST_F(TraceV3, BadOps) {
  set_op({{"op", "softmax"}, {"axis", 2}}, {2, 3});
  expect_error({"graph[0].axis", "2 is not an axis of a rank-2 tensor"});
  set_op({{"op", "transpose"}, {"perm", {1, 1}}}, {3, 2});
  expect_error({"graph[0].perm", "is not a permutation"});
  set_op({{"op", "reshape"}}, {4, 2});
  expect_error({"graph[0].shape", "has 8 elements", "[2, 3] 6"});
  set_op({{"op", "slice"}, {"starts", {0, 1}}, {"steps", {1, 1}}}, {2, 3});
  expect_error({"graph[0]", "axis 1: start 1, step 1, 3 elements leave 0..2"});
  set_op({{"op", "slice"}, {"starts", {0, 0}}, {"steps", {1, 0}}}, {2, 1});
  expect_error({"graph[0].steps[1]", "non-zero step"});
  set_op({{"op", "gather"}, {"axis", 1}, {"indices", {3}}, {"indices_shape", {1}}}, {2, 1});
  expect_error({"graph[0].indices[0]", "3 is out of range", "expected 0..2"});
  set_op({{"op", "gather"}, {"axis", 1}, {"indices", {0, 1}}, {"indices_shape", {3}}}, {2, 3});
  expect_error({"graph[0].indices", "expected 3 indices"});
  set_op({{"op", "concat"}, {"axis", 0}}, {4, 3}, {"x", "y0"});
  expect_error({"graph[0].inputs[1]", "'y0' is not defined"});
  set_op({{"op", "pad"}, {"pads", {0, 3, 0, 0}}, {"mode", "reflect"}}, {2, 6});
  expect_error({"graph[0].pads", "reflect needs pads below the dimension"});
  set_op({{"op", "pad"}, {"pads", {0, 1, 0, 0}}, {"mode", "wrap"}}, {2, 4});
  expect_error({"graph[0].mode", "\"wrap\"", "expected \"constant\""});
  set_op({{"op", "reduce_sum"}, {"axes", {1, 0}}, {"keepdims", true}}, {1, 1});
  expect_error({"graph[0].axes", "ascending order"});
  set_op({{"op", "clip"}, {"min", 2}, {"max", 1}}, {2, 3});
  expect_error({"graph[0]", "min 2 > max 1"});
  set_op({{"op", "hardsigmoid"}, {"alpha", "x"}, {"beta", 0.5}}, {2, 3});
  expect_error({"graph[0].alpha", "\"x\" is not a finite number"});
  file("c.npy", {4}, {1, 2, 3, 4});
  set_op({{"op", "mul"}, {"constant", {{"value", "w/c.npy"}, {"shape", {4}}, {"position", 1}}}},
         {2, 3});
  expect_error({"graph[0].constant", "shapes [2, 3] and [4] do not broadcast"});
  set_op({{"op", "mul"}, {"constant", {{"value", "w/c.npy"}, {"shape", {2, 2}}, {"position", 1}}}},
         {2, 3});
  expect_error({"w/c.npy", "graph[0].constant.value", "expected [2, 2]"});
  set_op({{"op", "mul"}}, {2, 3});
  expect_error({"graph[0].inputs", "1 inputs; op mul takes 2"});
  file("g.npy", {2}, {1, 1});
  set_op({{"op", "layernorm"},
          {"axis", 1},
          {"epsilon", 1e-5},
          {"weight", "w/g.npy"},
          {"bias", "w/g.npy"}},
         {2, 3});
  expect_error({"w/g.npy", "graph[0].weight", "expected [3]"});
  set_op({{"op", "matmul"}}, {2, 2}, {"x", "x"});
  expect_error({"graph[0].inputs", "K 3 and 2 differ"});
  set_op({{"op", "constant"}, {"value", "w/c.npy"}}, {1, 3}, json::array());
  expect_error({"w/c.npy", "graph[0].value", "expected [1, 3]"});
  set_op({{"op", "reshape"}}, {1 << 20, 1 << 20, 1 << 20});
  expect_error({"graph[0].shape", "more than 4294967296 elements"});
}

}  // namespace
}  // namespace lbasim::traces
