// Manifest version 2 (docs/traces.md): the fields the ONNX import needs, read as strictly as
// version 1's, and their semantics on hand-computed examples.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "lbasim/base/error.h"
#include "manifest_fixture.h"

namespace lbasim::traces {
namespace {

using nlohmann::json;

// A one-image trace with input [1, 4, 4] = 1..16 and the graph `ops` (op "shape" filled in
// by the test), version 2, no labels, no reference.
class TraceV2 : public test::ManifestTest {
 protected:
  void SetUp() override {
    std::vector<float> img(16);
    for (int i = 0; i < 16; ++i) img[i] = static_cast<float>(i + 1);
    make(2, {1, 4, 4}, img, 1);
    const std::vector<float> ones(4, 1.0f), zero(1, 0.0f);
    npy::write_f32(dir_ / "w/c.weight.npy", {1, 1, 2, 2}, ones.data());
    npy::write_f32(dir_ / "w/c.bias.npy", {1}, zero.data());
  }
  void set_op(json op, std::vector<int> shape) { ManifestTest::set_op(op, shape); }
};

json pool(const char* kind) {
  return {{"op", kind}, {"kernel", {3, 3}}, {"stride", {1, 1}}, {"pads", {1, 1, 0, 0}}};
}

TEST_F(TraceV2, EmptyGraphOutputIsTheInputAndNeedsNoLabels) {
  const Trace t = read();
  EXPECT_EQ(t.version, 2);
  EXPECT_FALSE(t.has_labels());
  EXPECT_EQ(t.classes, 0);
  EXPECT_EQ(t.output_shape, (std::vector<std::int64_t>{1, 4, 4}));
  EXPECT_EQ(run()[15], 16.0);
}

TEST_F(TraceV2, EmptyGraphIsRefusedInVersion1) {
  m_["version"] = 1;
  expect_error({"'graph'", "empty"});
}

// Average over a 3x3 window with top/left padding 1: window (0,0) holds 1,2,5,6; (0,1) holds
// 1,2,3,5,6,7 (sum 24); (2,2) holds 11,12,15,16... per count_include_pad.
TEST_F(TraceV2, AvgPoolAsymmetricPadsWithoutPadding) {
  json op = pool("avgpool");
  op["count_include_pad"] = false;
  set_op(op, {1, 3, 3});
  const auto y = run();
  ASSERT_EQ(y.size(), 9u);
  EXPECT_DOUBLE_EQ(y[0], 14.0 / 4);
  EXPECT_DOUBLE_EQ(y[1], 24.0 / 6);
  EXPECT_DOUBLE_EQ(y[8], (6 + 7 + 8 + 10 + 11 + 12 + 14 + 15 + 16) / 9.0);
}

TEST_F(TraceV2, AvgPoolCountIncludePadDefaultsToTrue) {
  set_op(pool("avgpool"), {1, 3, 3});
  const auto y = run();
  EXPECT_DOUBLE_EQ(y[0], 14.0 / 9);
  EXPECT_DOUBLE_EQ(y[1], 24.0 / 9);
}

// Dilation 2, kernel 2 on 4x4: window (0,0) = {1, 3, 9, 11}, (1,1) = {6, 8, 14, 16}.
TEST_F(TraceV2, MaxPoolDilation) {
  set_op({{"op", "maxpool"},
          {"kernel", {2, 2}},
          {"stride", {1, 1}},
          {"padding", {0, 0}},
          {"dilation", {2, 2}}},
         {1, 2, 2});
  EXPECT_EQ(run(), (std::vector<double>{11, 12, 15, 16}));
}

// 2x2 kernel of ones, pads top 1, right 1: output 4x4; (0,0) = 1+2, (0,3) = 4, (3,3) = 12+16.
TEST_F(TraceV2, ConvAsymmetricPads) {
  set_op({{"op", "conv2d"},
          {"in_channels", 1},
          {"out_channels", 1},
          {"kernel", {2, 2}},
          {"stride", {1, 1}},
          {"pads", {1, 0, 0, 1}},
          {"dilation", {1, 1}},
          {"groups", 1},
          {"weight", "w/c.weight.npy"},
          {"bias", "w/c.bias.npy"}},
         {1, 4, 4});
  const auto y = run();
  ASSERT_EQ(y.size(), 16u);
  EXPECT_EQ(y[0], 3.0);
  EXPECT_EQ(y[3], 4.0);
  EXPECT_EQ(y[4], 1 + 2 + 5 + 6.0);
  EXPECT_EQ(y[15], 12 + 16.0);
}

TEST_F(TraceV2, NewFieldsAreRefusedInVersion1) {
  set_op(pool("avgpool"), {1, 3, 3});
  m_["version"] = 1;
  expect_error({"graph[0].pads", "needs manifest version 2"});
  json op = pool("avgpool");
  op.erase("pads");
  op["padding"] = {1, 1};
  op["count_include_pad"] = false;
  set_op(op, {1, 4, 4});
  expect_error({"graph[0].count_include_pad", "needs manifest version 2"});
}

TEST_F(TraceV2, BadPads) {
  json op = pool("maxpool");
  op["padding"] = {1, 1};
  set_op(op, {1, 3, 3});
  expect_error({"graph[0].pads", "together with 'padding'"});
  op = pool("maxpool");
  op["pads"] = {1, 1, 0};
  set_op(op, {1, 3, 3});
  expect_error({"graph[0].pads", "expected 4 integers"});
  op["pads"] = {3, 0, 0, 0};  // a window of padding only
  set_op(op, {1, 5, 2});
  expect_error({"graph[0].pads", "smaller than its kernel"});
  op["pads"] = {1, 1, 1, 1};
  set_op(op, {1, 3, 3});  // is 4x4
  expect_error({"graph[0].shape", "does not match the graph"});
}

TEST_F(TraceV2, BadCountIncludePad) {
  json op = pool("avgpool");
  op["count_include_pad"] = 0;
  set_op(op, {1, 3, 3});
  expect_error({"graph[0].count_include_pad", "not true or false"});
  op = pool("maxpool");
  op["count_include_pad"] = true;
  set_op(op, {1, 3, 3});
  expect_error({"graph[0].count_include_pad", "only avgpool"});
}

TEST_F(TraceV2, LabelsNeedAClassOutput) {
  const std::vector<std::int64_t> label{0};
  npy::write_i64(dir_ / "labels.npy", {1}, label.data());
  m_["inputs"]["labels"] = "labels.npy";
  expect_error({"inputs.labels", "need an output of shape [classes]"});
}

TEST_F(TraceV2, ReferenceHasTheOutputShape) {
  const std::vector<float> ref(4, 0.0f);
  npy::write_f32(dir_ / "ref.npy", {1, 4}, ref.data());
  m_["reference"] = {{"logits", "ref.npy"}};
  expect_error({"ref.npy", "reference.logits", "expected [1, 1, 4, 4]"});
}

TEST_F(TraceV2, Version4IsRefused) {
  m_["version"] = 4;
  expect_error({"'version'", "4 is not supported", "versions 1 to 3"});
}

}  // namespace
}  // namespace lbasim::traces
