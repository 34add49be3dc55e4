// lbasim quantize: elementwise Q_f of a tensor, optionally with the W/A power-of-two scale
// rule (numerics contract section 5): x_q = 2^s Q_f(x / 2^s), s chosen per tensor or per row.
#include <fmt/core.h>

#include <cmath>
#include <exception>
#include <nlohmann/json.hpp>
#include <span>
#include <string>

#include "commands.h"
#include "io_util.h"
#include "lbasim/base/error.h"
#include "lbasim/base/npy.h"
#include "lbasim/numerics/events.h"
#include "lbasim/numerics/quantize.h"
#include "lbasim/numerics/scale.h"

namespace lbasim::cli {
namespace {

// --scale S: an integer exponent, within what a double's exponent can shift.
int parse_scale_exp(const std::string& text) {
  std::size_t used = 0;
  int s = 0;
  try {
    s = std::stoi(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != text.size() || s < -2200 || s > 2200)
    throw InputError(
        fmt::format("--scale '{}': expected 'auto' or an integer in -2200..2200", text));
  return s;
}

}  // namespace

void add_quantize_command(CLI::App& app) {
  struct Options {
    std::string format, in, out, events, scale;
    bool per_row = false;
  };
  auto opt = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("quantize", "Elementwise Q_f of a tensor: float64 .npy out");
  cmd->add_option("--format,-f", opt->format, "Format: shorthand (M7E4b10:rne...) or preset")
      ->required();
  cmd->add_option("--in,-i", opt->in, "Input .npy (float32 or float64, C order)")->required();
  cmd->add_option("--out,-o", opt->out, "Output .npy (float64, same shape)")->required();
  cmd->add_option("--events", opt->events,
                  "Also write event counts (and the scale exponents) as JSON here");
  cmd->add_option("--scale", opt->scale,
                  "Power-of-two scale: 'auto' (the W/A rule: smallest s with max|x| / 2^s <= "
                  "the format's max) or an integer s; output 2^s Q_f(x / 2^s)");
  cmd->add_flag("--per-row", opt->per_row,
                "With --scale auto: one scale per slice along the first axis (per output "
                "channel) instead of one per tensor");
  cmd->callback([opt] {
    const num::Format f = parse_format_option("--format", opt->format);
    if (opt->per_row && opt->scale != "auto")
      throw InputError("--per-row: needs --scale auto (one chosen scale per row)");
    npy::Array a = npy::read(opt->in);
    if (a.dtype == npy::DType::i64)
      throw InputError(
          fmt::format("{}: dtype '<i8' is not supported; expected float32 or float64", opt->in));
    for (std::size_t i = 0; i < a.values.size(); ++i)
      if (!std::isfinite(a.values[i]) && (f.specials == num::Specials::none || !opt->scale.empty()))
        throw InputError(fmt::format(
            "{}: element {} is {}, which {}; expected finite values", opt->in,
            index_string(a.shape, i), a.values[i],
            opt->scale.empty() ? fmt::format("format {} cannot hold (specials=none)", f.to_string())
                               : std::string("--scale cannot scale")));
    num::EventCounts counts;
    nlohmann::json scales;
    if (opt->scale.empty()) {
      for (double& x : a.values) {
        const num::Quantized q = num::quantize(x, f);
        x = q.value;
        counts.add(q.events);
      }
    } else {
      // Slices that share a scale: the whole tensor, or each index of the first axis.
      const std::size_t rows = opt->per_row && !a.shape.empty() ? a.shape[0] : 1;
      const std::size_t len = rows ? a.values.size() / rows : 0;
      scales = nlohmann::json::array();
      for (std::size_t r = 0; r < rows; ++r) {
        const std::span<double> slice(a.values.data() + r * len, len);
        const int s =
            opt->scale == "auto" ? num::choose_pow2_scale(slice, f) : parse_scale_exp(opt->scale);
        counts += num::quantize_scaled(slice, s, f);
        scales.push_back(s);
      }
      if (!opt->per_row) scales = scales.at(0);
    }
    npy::write_f64(opt->out, a.shape, a.values.data());
    if (!opt->events.empty()) {
      nlohmann::json j = {{"format", f.to_string()}, {"events", num::to_json(counts)}};
      if (!opt->scale.empty()) j["scale_exp"] = scales;
      write_json_file(opt->events, j);
    }
  });
}

}  // namespace lbasim::cli
