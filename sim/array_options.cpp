#include "array_options.h"

#include <fmt/format.h>

#include <cmath>
#include <vector>

#include "lbasim/base/error.h"

namespace lbasim::cli {

CLI::Option* add_array_options(CLI::App& cmd, ArrayOptions& opt, const std::string& group) {
  std::vector<CLI::Option*> all;
  const auto add = [&](const char* name, auto& value, const char* help) {
    all.push_back(cmd.add_option(name, value, help)->capture_default_str());
    if (!group.empty()) all.back()->group(group);
  };
  add("--array", opt.array, "Array shape ROWSxCOLS");
  add("--dataflow", opt.dataflow, "ws (weight-stationary) or os (output-stationary)");
  add("--pe", opt.pe,
      "PE kind: fmaq (quantized FMA with a chunk lane) or fused (g-term dot-product unit; "
      "needs a config with \"fused\")");
  add("--buffering", opt.buffering,
      "single (load/drain stalls the array) or double (overlapped with the next tile)");
  add("--chunk-lane", opt.chunk_lane,
      "Chunk accumulators: pe (in every PE) or column (at the column bottoms; ws, chunk a "
      "multiple of the rows)");
  add("--arith", opt.arith,
      "PE arithmetic: fast (the engine's exact-and-round steps where exact for the GEMM, else "
      "golden) or golden (num::mul_q and add_q always, to check fast against)");
  add("--dram-bw", opt.dram_bw, "DRAM bandwidth in bytes per cycle, or inf (no memory stalls)");
  add("--clock-mhz", opt.clock_mhz, "Array clock for latencies, MHz");
  return all.front();
}

sysc::ArrayConfig array_config(const ArrayOptions& opt) {
  sysc::ArrayConfig ac = sysc::parse_array_shape(opt.array, "--array");
  ac.dataflow = sysc::parse_dataflow(opt.dataflow, "--dataflow");
  ac.pe = sysc::parse_pe_kind(opt.pe, "--pe");
  ac.buffering = sysc::parse_buffering(opt.buffering, "--buffering");
  ac.chunk_lane = sysc::parse_chunk_lane(opt.chunk_lane, "--chunk-lane");
  ac.arith = sysc::parse_pe_arith(opt.arith, "--arith");
  ac.dram_bytes_per_cycle = sysc::parse_bandwidth(opt.dram_bw, "--dram-bw");
  if (!(opt.clock_mhz > 0) || !std::isfinite(opt.clock_mhz))
    throw InputError(
        fmt::format("--clock-mhz: {} is not a clock; expected MHz > 0", opt.clock_mhz));
  return ac;
}

double format_bytes(const num::Format& f) { return (f.width() + 7) / 8; }

sysc::GemmDram parse_dram_operands(const std::string& text, const std::string& what,
                                   const num::Format& wa, const num::AccumConfig& cfg) {
  sysc::GemmDram d;
  d.a_bytes = d.w_bytes = format_bytes(wa);
  d.c_bytes = format_bytes(cfg.chunk_accumulator);
  d.pair_bytes = format_bytes(cfg.accumulator) + format_bytes(cfg.chunk_accumulator);
  if (text == "none") return d;
  for (std::size_t pos = 0; pos <= text.size();) {
    const std::size_t comma = std::min(text.find(',', pos), text.size());
    const std::string item = text.substr(pos, comma - pos);
    if (item == "a")
      d.a = true;
    else if (item == "w")
      d.w = true;
    else if (item == "c")
      d.c = true;
    else if (item == "partials")
      d.partials = true;
    else
      throw InputError(
          fmt::format("{}: '{}' in '{}' is not an operand; expected a comma-separated subset of "
                      "a,w,c,partials, or none",
                      what, item, text));
    pos = comma + 1;
  }
  return d;
}

}  // namespace lbasim::cli
