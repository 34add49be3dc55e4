// lbasim gemm: C = A W under a product/accumulator/chunk configuration, with event counts.
#include <fmt/core.h>

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "commands.h"
#include "gemm_inputs.h"
#include "io_util.h"
#include "lbasim/base/memory.h"
#include "lbasim/base/npy.h"
#include "lbasim/numerics/accumulate.h"
#include "lbasim/numerics/engine.h"

namespace lbasim::cli {

void add_gemm_command(CLI::App& app) {
  struct Options {
    std::string a, b, config, out, events, a_format, b_format;
    bool golden = false;
    int threads = 0;
  };
  auto opt = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "gemm", "C[MxN] = A[MxK] B[KxN] with quantized FMAs and chunked accumulation");
  cmd->add_option("--a", opt->a, "A, M x K .npy (float32/float64, C order)")->required();
  cmd->add_option("--b", opt->b, "B, K x N .npy (float32/float64, C order)")->required();
  cmd->add_option("--config,-c", opt->config,
                  "Config JSON: {\"product\", \"accumulator\", \"chunk\", \"chunk_accumulator\"}, "
                  "optionally \"fused\": {\"terms\", \"align_bits\"} (configs/gpu/)")
      ->required();
  cmd->add_option("--a-format", opt->a_format,
                  "Format of A's values (e.g. fp8_e4m3): checked, and for the fused order its "
                  "subnormals align at the format's smallest normal exponent");
  cmd->add_option("--b-format", opt->b_format, "Format of B's values, as --a-format");
  cmd->add_option("--out,-o", opt->out, "C, M x N float64 .npy")->required();
  cmd->add_option("--events", opt->events, "Write per-stage event counts as JSON here");
  cmd->add_flag("--golden", opt->golden,
                "Use the golden model only (default: the fast engine, "
                "bit-exact with it, where it applies)");
  cmd->add_option("--threads", opt->threads, "Threads (0: all cores)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd->footer(
      "Operands are used as given (no W/A quantization). Exit status: 0 ok, 1 bad input, 2 usage.");
  cmd->callback([opt] {
    const num::AccumConfig cfg = read_accum_config(opt->config);
    const GemmOperands ops = read_gemm_operands(opt->a, opt->b, cfg);
    num::OperandFloors floors;
    floors.a = declare_operand_format(ops.a, opt->a, "--a-format", opt->a_format);
    const int floor_b = declare_operand_format(ops.b, opt->b, "--b-format", opt->b_format);
    if (floor_b != num::kNoFloor) floors.w = {floor_b};
    require_memory(add_bytes(mul_bytes(ops.m, ops.n, 8), mul_bytes(ops.k, ops.n + 8, 8)),
                   fmt::format("GEMM {} x {} x {} (C and the engine's padded copy of B)", ops.m,
                               ops.k, ops.n));
    std::vector<double> c(static_cast<std::size_t>(ops.m * ops.n));
    num::StageCounts counts;
    const num::EngineReport run =
        num::gemm(ops.a.values.data(), ops.b.values.data(), c.data(), ops.m, ops.k, ops.n, cfg,
                  &counts, {opt->threads, opt->golden}, floors);
    npy::write_f64(opt->out, {ops.m, ops.n}, c.data());
    if (opt->events.empty()) return;
    try {  // both files or neither
      write_json_file(opt->events, {{"config", num::to_json(cfg)},
                                    {"m", ops.m},
                                    {"k", ops.k},
                                    {"n", ops.n},
                                    {"engine", {{"path", run.isa}, {"reason", run.reason}}},
                                    {"events", num::to_json(counts)}});
    } catch (...) {
      std::filesystem::remove(opt->out);
      throw;
    }
  });
}

}  // namespace lbasim::cli
