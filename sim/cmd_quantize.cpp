// lbasim quantize: elementwise Q_f of a tensor.
#include <fmt/core.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <string>

#include "commands.h"
#include "io_util.h"
#include "lbasim/numerics/error.h"
#include "lbasim/numerics/events.h"
#include "lbasim/numerics/quantize.h"
#include "lbasim/traces/npy.h"

namespace lbasim::cli {

void add_quantize_command(CLI::App& app) {
  struct Options {
    std::string format, in, out, events;
  };
  auto opt = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("quantize", "Elementwise Q_f of a tensor: float64 .npy out");
  cmd->add_option("--format,-f", opt->format, "Format: shorthand (M7E4b10:rne...) or preset")
      ->required();
  cmd->add_option("--in,-i", opt->in, "Input .npy (float32 or float64, C order)")->required();
  cmd->add_option("--out,-o", opt->out, "Output .npy (float64, same shape)")->required();
  cmd->add_option("--events", opt->events, "Also write event counts as JSON here");
  cmd->callback([opt] {
    const num::Format f = parse_format_option("--format", opt->format);
    npy::Array a = npy::read(opt->in);
    if (a.dtype == npy::DType::i64)
      throw InputError(fmt::format("{}: dtype '<i8' is not supported; expected float32 or float64",
                                   opt->in));
    num::EventCounts counts;
    for (std::size_t i = 0; i < a.values.size(); ++i) {
      const double x = a.values[i];
      if (!std::isfinite(x) && f.specials == num::Specials::none)
        throw InputError(fmt::format("{}: element {} is {}, which format {} cannot hold "
                                     "(specials=none); expected finite values",
                                     opt->in, index_string(a.shape, i), x, f.to_string()));
      const num::Quantized q = num::quantize(x, f);
      a.values[i] = q.value;
      counts.add(q.events);
    }
    npy::write_f64(opt->out, a.shape, a.values.data());
    if (!opt->events.empty())
      write_json_file(opt->events, {{"format", f.to_string()}, {"events", num::to_json(counts)}});
  });
}

}  // namespace lbasim::cli
