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

#include "lbasim/base/error.h"
#include "lbasim/base/json_field.h"
#include "lbasim/base/npy.h"

namespace lbasim::traces::detail {

using nlohmann::json;

// Where a JSON value sits (the manifest path and the field path), for error messages.
using Field = JsonField;

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
