#include "trace_options.h"

#include <fmt/format.h>

#include "gemm_inputs.h"

namespace lbasim::cli {

void add_trace_gemm_options(CLI::App* cmd, TraceGemmOptions& o) {
  cmd->add_option("--config,-c", o.config,
                  "Accumulation config JSON: {\"product\", \"accumulator\", \"chunk\", "
                  "\"chunk_accumulator\", \"fused\"} (see configs/, configs/gpu/)")
      ->required();
  cmd->add_option("--wa", o.wa,
                  "W/A quantization: 'manifest' (formats and scales of the trace) or 'none'")
      ->check(CLI::IsMember({"manifest", "none"}))
      ->capture_default_str();
  cmd->add_option("--engine", o.engine,
                  "GEMM engine: 'fast' (vectorized, bit-exact with golden) or 'golden' "
                  "(num::gemm_reference)")
      ->check(CLI::IsMember({"fast", "golden"}))
      ->capture_default_str();
}

traces::GemmSettings trace_gemm_settings(const TraceGemmOptions& o) {
  traces::GemmSettings s;
  s.config = read_accum_config(o.config);
  s.wa_quant = o.wa == "manifest";
  s.engine = o.engine == "golden" ? traces::GemmEngine::golden : traces::GemmEngine::fast;
  return s;
}

std::string describe(const num::AccumConfig& c) {
  std::string s = fmt::format("product {}, accumulator {}, chunk {}, chunk accumulator {}",
                              num::product_to_string(c), c.accumulator.to_string(),
                              c.chunk == 0 ? std::string("none") : std::to_string(c.chunk),
                              c.chunk_accumulator.to_string());
  if (c.fused)
    s += fmt::format(", fused groups of {} with {} alignment bits", c.fused->terms,
                     c.fused->align_bits);
  return s;
}

std::string short_count(std::uint64_t v) {
  if (v < 10000) return std::to_string(v);
  if (v < 10'000'000) return fmt::format("{:.0f}k", double(v) / 1e3);
  if (v < 10'000'000'000ULL) return fmt::format("{:.0f}M", double(v) / 1e6);
  return fmt::format("{:.0f}G", double(v) / 1e9);
}

}  // namespace lbasim::cli
