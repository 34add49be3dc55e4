// Reading a manifest (internal to the trace reader): a JSON value with its file and field
// path, so that every error names both, and the .npy files that fields name, checked on load.
#pragma once

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "lbasim/numerics/error.h"
#include "lbasim/traces/npy.h"

namespace lbasim::traces::detail {

using nlohmann::json;

// Where a JSON value sits: the manifest path and the field path, for error messages.
class Field {
 public:
  Field(const std::filesystem::path& file, const json& j, std::string where)
      : file_(file), j_(j), where_(std::move(where)) {}

  [[noreturn]] void fail(const std::string& why) const {
    throw InputError(fmt::format("{}: field '{}': {}", file_.string(), where_, why));
  }
  const json& value() const { return j_; }
  const std::string& where() const { return where_; }
  bool has(const char* key) const { return j_.is_object() && j_.contains(key); }

  Field at(const char* key) const {
    if (!j_.is_object()) fail(fmt::format("expected an object, got {}", j_.type_name()));
    const std::string w = where_.empty() ? key : where_ + "." + key;
    if (!j_.contains(key))
      throw InputError(fmt::format("{}: missing field '{}'", file_.string(), w));
    return Field(file_, j_.at(key), w);
  }
  Field at(std::size_t i) const { return Field(file_, j_.at(i), fmt::format("{}[{}]", where_, i)); }
  std::size_t size() const {
    if (!j_.is_array()) fail(fmt::format("expected an array, got {}", j_.type_name()));
    return j_.size();
  }
  std::string str() const {
    if (!j_.is_string()) fail(fmt::format("{} is not a string", j_.dump()));
    return j_.get<std::string>();
  }
  std::int64_t integer(std::int64_t min) const {
    if (!j_.is_number_integer() || j_.get<std::int64_t>() < min)
      fail(fmt::format("{} is invalid; expected an integer >= {}", j_.dump(), min));
    return j_.get<std::int64_t>();
  }
  std::vector<std::int64_t> ints(std::int64_t min, std::size_t count = 0) const {
    std::vector<std::int64_t> v;
    if (!j_.is_array() || (count != 0 && j_.size() != count))
      fail(fmt::format("{} is invalid; expected {} integers >= {}", j_.dump(),
                       count ? std::to_string(count) : std::string("a list of"), min));
    for (std::size_t i = 0; i < j_.size(); ++i) v.push_back(at(i).integer(min));
    return v;
  }
  double number() const {
    if (!j_.is_number()) fail(fmt::format("{} is not a number", j_.dump()));
    return j_.get<double>();
  }
  bool boolean() const {
    if (!j_.is_boolean()) fail(fmt::format("{} is not true or false", j_.dump()));
    return j_.get<bool>();
  }

 private:
  const std::filesystem::path& file_;
  const json& j_;
  std::string where_;
};

// Reads the .npy named by a manifest field, checking dtype and shape; errors name both.
class TensorLoader {
 public:
  explicit TensorLoader(const std::filesystem::path& dir) : dir_(dir) {}

  npy::Array load(const Field& f, npy::DType dtype, const std::vector<std::int64_t>& shape) {
    const std::string rel = f.str();
    const std::filesystem::path path = dir_ / rel;
    const std::string ctx = fmt::format("{} (manifest field '{}')", path.string(), f.where());
    if (!std::filesystem::is_regular_file(path))
      throw InputError(fmt::format("{}: no such file", ctx));
    npy::Array a;
    try {
      a = npy::read(path);
    } catch (const InputError& e) {
      throw InputError(fmt::format("{}: {}", ctx, e.what()));
    }
    const bool float_wanted = dtype != npy::DType::i64;
    const bool float_got = a.dtype != npy::DType::i64;
    if (float_wanted != float_got || (float_wanted && a.dtype != npy::DType::f32))
      throw InputError(fmt::format("{}: dtype {}, expected {}", ctx, npy::to_string(a.dtype),
                                   npy::to_string(dtype)));
    if (a.shape != shape)
      throw InputError(fmt::format("{}: shape [{}], expected [{}]", ctx, fmt::join(a.shape, ", "),
                                   fmt::join(shape, ", ")));
    if (float_wanted)
      for (std::size_t i = 0; i < a.values.size(); ++i)
        if (!std::isfinite(a.values[i]))
          throw InputError(
              fmt::format("{}: element {} is {}, expected finite values", ctx, i, a.values[i]));
    return a;
  }

 private:
  std::filesystem::path dir_;
};

std::int64_t product(const std::vector<std::int64_t>& shape);

}  // namespace lbasim::traces::detail
