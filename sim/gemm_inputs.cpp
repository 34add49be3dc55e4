#include "gemm_inputs.h"

#include <fmt/format.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "io_util.h"
#include "lbasim/base/error.h"
#include "lbasim/numerics/quantize.h"

namespace lbasim::cli {
namespace {

// Non-finite operands make inf/NaN products and sums: only where every stage has specials
// (an exact product stage holds any value).
void check_finite(const npy::Array& x, const std::string& path, const num::AccumConfig& cfg) {
  const num::Format* lacking = nullptr;
  const bool exact_product = cfg.fused && cfg.fused->exact_product;
  for (const num::Format* f : {&cfg.product, &cfg.accumulator, &cfg.chunk_accumulator})
    if (f->specials == num::Specials::none && !(exact_product && f == &cfg.product)) lacking = f;
  if (!lacking) return;
  for (std::size_t i = 0; i < x.values.size(); ++i)
    if (!std::isfinite(x.values[i]))
      throw InputError(fmt::format(
          "{}: element {} is {}; format {} of the config has no inf/NaN (specials=none), so "
          "expected finite values",
          path, index_string(x.shape, i), x.values[i], lacking->to_string()));
}

}  // namespace

int declare_operand_format(const npy::Array& x, const std::string& path, const std::string& option,
                           const std::string& format) {
  if (format.empty()) return num::kNoFloor;
  const num::Format f = parse_format_option(option, format);
  for (std::size_t i = 0; i < x.values.size(); ++i)
    if (!num::is_member(x.values[i], f))
      throw InputError(
          fmt::format("{}: element {} is {}, not a value of {} ({}); expected "
                      "operands of the declared format",
                      path, index_string(x.shape, i), x.values[i], f.to_string(), option));
  return num::operand_floor(f);
}

num::AccumConfig read_accum_config(const std::string& path) {
  const nlohmann::json j = read_json_file(path);
  return num::accum_config_from_field(JsonField(path, j));
}

GemmOperands read_gemm_operands(const std::string& a_path, const std::string& b_path,
                                const num::AccumConfig& cfg) {
  GemmOperands ops;
  ops.a = npy::read_float(a_path, 2, "--a");
  ops.b = npy::read_float(b_path, 2, "--b");
  ops.m = ops.a.shape[0];
  ops.k = ops.a.shape[1];
  ops.n = ops.b.shape[1];
  if (ops.b.shape[0] != ops.k)
    throw InputError(
        fmt::format("{}: B has {} rows but A ({}) has {} columns; expected B to be {} x N", b_path,
                    ops.b.shape[0], a_path, ops.k, ops.k));
  check_finite(ops.a, a_path, cfg);
  check_finite(ops.b, b_path, cfg);
  return ops;
}

}  // namespace lbasim::cli
