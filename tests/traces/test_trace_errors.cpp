// Bad traces: each problem is an InputError naming the file and the manifest field.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "lbasim/base/error.h"
#include "lbasim/base/npy.h"
#include "lbasim/traces/trace.h"
#include "test_util.h"

namespace lbasim::traces {
namespace {

namespace fs = std::filesystem;

class BadTrace : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test::fresh_dir("lbasim-bad-trace-");
    fs::copy(fs::path(LBASIM_TEST_DATA) / "conv_stride2", dir_, fs::copy_options::recursive);
    std::ifstream in(dir_ / "manifest.json");
    manifest_ = nlohmann::json::parse(in);
  }
  void TearDown() override { fs::remove_all(dir_); }

  void save_manifest() {
    std::ofstream out(dir_ / "manifest.json");
    out << manifest_.dump(1);
  }
  fs::path weight() const { return dir_ / "weights/conv.weight.npy"; }

  // Reading must fail with a message containing every one of `parts`.
  void expect_error(std::initializer_list<std::string> parts) {
    test::expect_input_error([&] { read_trace(dir_); }, parts);
  }

  fs::path dir_;
  nlohmann::json manifest_;
};

TEST_F(BadTrace, TheUnmodifiedCopyIsRead) { EXPECT_NO_THROW(read_trace(dir_)); }

TEST_F(BadTrace, MissingFile) {
  fs::remove(weight());
  expect_error({"conv.weight.npy", "graph[0].weight", "no such file"});
}

TEST_F(BadTrace, MissingManifest) {
  fs::remove(dir_ / "manifest.json");
  expect_error({"manifest.json", "no such file"});
}

TEST_F(BadTrace, WrongWeightShape) {
  std::vector<float> w(3 * 2 * 2 * 2, 1.0f);
  npy::write_f32(weight(), {3, 2, 2, 2}, w.data());
  expect_error({"conv.weight.npy", "graph[0].weight", "shape [3, 2, 2, 2], expected [3, 2, 3, 3]"});
}

TEST_F(BadTrace, ShapeFieldDisagreesWithGraph) {
  manifest_["graph"][0]["shape"] = {3, 4, 4};
  save_manifest();
  expect_error({"manifest.json", "graph[0].shape", "does not match", "[3, 3, 3]"});
}

TEST_F(BadTrace, UnknownOp) {
  manifest_["graph"][1]["op"] = "conv3d";
  save_manifest();
  expect_error({"manifest.json", "graph[1].op", "unknown op 'conv3d'", "expected one of"});
}

TEST_F(BadTrace, Version3OpInVersion1) {
  manifest_["graph"][1]["op"] = "softmax";
  save_manifest();
  expect_error({"manifest.json", "graph[1].op", "'softmax' needs manifest version 3", "version 1"});
}

TEST_F(BadTrace, WrongDtype) {
  std::vector<double> w(3 * 2 * 3 * 3, 1.0);
  npy::write_f64(weight(), {3, 2, 3, 3}, w.data());
  expect_error({"conv.weight.npy", "graph[0].weight", "dtype <f8, expected <f4"});
}

TEST_F(BadTrace, LabelsNotInt64) {
  std::vector<float> l(3, 0.0f);
  npy::write_f32(dir_ / "inputs/labels.npy", {3}, l.data());
  expect_error({"labels.npy", "inputs.labels", "dtype <f4, expected <i8"});
}

TEST_F(BadTrace, TruncatedNpy) {
  fs::resize_file(weight(), fs::file_size(weight()) - 8);
  expect_error({"conv.weight.npy", "graph[0].weight"});
}

TEST_F(BadTrace, NaNWeight) {
  std::vector<float> w(3 * 2 * 3 * 3, 1.0f);
  w[5] = std::numeric_limits<float>::quiet_NaN();
  npy::write_f32(weight(), {3, 2, 3, 3}, w.data());
  expect_error({"conv.weight.npy", "graph[0].weight", "element 5", "finite"});
}

TEST_F(BadTrace, UnknownVersion) {
  manifest_["version"] = 4;  // 1, 2 and 3 are known (docs/traces.md)
  save_manifest();
  expect_error({"manifest.json", "'version'", "4 is not supported"});
}

TEST_F(BadTrace, UnknownFormat) {
  manifest_["format"] = "other-trace";
  save_manifest();
  expect_error({"manifest.json", "'format'", "other-trace"});
}

TEST_F(BadTrace, BadWaFormat) {
  manifest_["graph"][0]["quant"]["weight"]["format"] = "M4E99";
  save_manifest();
  expect_error({"manifest.json", "graph[0].quant.weight.format"});
}

TEST_F(BadTrace, UndefinedInputTensor) {
  manifest_["graph"][1]["inputs"] = {"nowhere"};
  save_manifest();
  expect_error({"manifest.json", "graph[1].inputs[0]", "'nowhere'"});
}

TEST_F(BadTrace, MissingField) {
  manifest_["graph"][0].erase("stride");
  save_manifest();
  expect_error({"manifest.json", "missing field 'graph[0].stride'"});
}

}  // namespace
}  // namespace lbasim::traces
