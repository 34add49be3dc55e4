// A trace written by the test itself: manifest JSON built in the test, files in a fresh folder;
// read back through the real reader and run through the real executor.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "../traces/test_util.h"
#include "lbasim/base/npy.h"
#include "lbasim/traces/executor.h"
#include "lbasim/traces/trace.h"

namespace lbasim::traces::test {

class ManifestTest : public ::testing::Test {
 protected:
  // `count` images of per-sample shape `shape` (row-major `values`), an empty graph whose
  // output is the input "x", no labels, no reference.
  void make(int version, std::vector<std::int64_t> shape, const std::vector<float>& values,
            std::int64_t count) {
    dir_ = fresh_dir("lbasim-manifest-");
    std::filesystem::create_directories(dir_ / "w");
    m_ = {{"format", "lbasim-trace"},
          {"version", version},
          {"network", {{"name", "test"}}},
          {"batch_norm", "folded"},
          {"input", {{"tensor", "x"}, {"shape", shape}}},
          {"graph", nlohmann::json::array()},
          {"output", "x"},
          {"inputs", {{"images", "images.npy"}, {"count", count}}},
          {"activations",
           {{"samples", nlohmann::json::array()}, {"layers", nlohmann::json::object()}}}};
    set_images(std::move(shape), values);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  void set_images(std::vector<std::int64_t> shape, const std::vector<float>& values) {
    const std::int64_t count = m_["inputs"]["count"];
    m_["input"]["shape"] = shape;
    shape.insert(shape.begin(), count);
    npy::write_f32(dir_ / "images.npy", shape, values.data());
  }
  // A float32 file w/NAME.
  void file(const std::string& name, std::vector<std::int64_t> shape, std::vector<float> v) {
    npy::write_f32(dir_ / "w" / name, shape, v.data());
  }
  // The graph is one op reading `inputs`, output "y" of per-sample shape `shape`.
  void set_op(nlohmann::json op, nlohmann::json shape, nlohmann::json inputs = {"x"}) {
    op["name"] = op["output"] = "y";
    op["inputs"] = inputs;
    op["shape"] = shape;
    m_["graph"] = {op};
    m_["output"] = "y";
  }
  Trace read() {
    std::ofstream(dir_ / "manifest.json") << m_.dump(1);
    return read_trace(dir_);
  }
  // Every image's output, flattened (default: FP32 products and accumulation, no W/A).
  std::vector<double> run(const GemmSettings& s = fp32_settings()) {
    const Trace t = read();
    const GraphRunner r(t, s);
    std::vector<std::int64_t> shape{t.count};
    shape.insert(shape.end(), t.input_shape.begin(), t.input_shape.end());
    return r.run(Tensor{shape, t.images}, nullptr, nullptr).data;
  }
  // The first n values of run().
  std::vector<double> head(std::size_t n) {
    const auto y = run();
    return {y.begin(), y.begin() + static_cast<std::ptrdiff_t>(n)};
  }
  void expect_error(std::initializer_list<std::string> parts) {
    expect_input_error([&] { read(); }, parts);
  }

  std::filesystem::path dir_;
  nlohmann::json m_;
};

}  // namespace lbasim::traces::test
