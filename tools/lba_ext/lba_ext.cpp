// PyTorch bindings of lbasim's numerics for LBA-aware fine-tuning (docs/finetune.md).
// The forward GEMM is num::gemm and W/A quantization num::quantize_scaled: the functions
// `lbasim run` calls, so a network built on them computes exactly what lbasim computes.
// Nothing here rounds by itself: the fine-grained backward replays the golden per-step
// arithmetic (num::mul_q / num::add_q, the order of num::dot_chunked) only to read events.
#include <pybind11/stl.h>
#include <torch/extension.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "lbasim/numerics/accumulate.h"
#include "lbasim/numerics/engine.h"
#include "lbasim/numerics/events.h"
#include "lbasim/numerics/format.h"
#include "lbasim/numerics/quantize.h"
#include "lbasim/numerics/scale.h"

namespace num = lbasim::num;

namespace {

num::AccumConfig parse_config(const std::string& json_text) {
  return num::accum_config_from_json(nlohmann::json::parse(json_text));
}

// The operands' exponent floors (fused order) as the bindings take them: None for undeclared.
num::OperandFloors make_floors(std::optional<int> floor_a, std::optional<int> floor_w) {
  num::OperandFloors f;
  if (floor_a) f.a = *floor_a;
  if (floor_w) f.w = {*floor_w};
  return f;
}

void check_double_matrix(const torch::Tensor& t, const char* name) {
  TORCH_CHECK(t.dim() == 2, name, ": expected a 2-D tensor, got ", t.dim(), " dims");
  TORCH_CHECK(t.scalar_type() == torch::kDouble, name, ": expected float64");
  TORCH_CHECK(t.is_contiguous(), name, ": expected a contiguous tensor");
}

py::dict counts_dict(const num::StageCounts& c) {
  const auto one = [](const num::EventCounts& e) {
    py::dict d;
    d["ops"] = e.ops;
    d["overflow"] = e.overflow;
    d["underflow"] = e.underflow;
    d["swamped"] = e.swamped;
    d["inexact"] = e.inexact;
    d["align_inexact"] = e.align_inexact;
    return d;
  };
  py::dict d;
  d["product"] = one(c.product);
  d["accumulator"] = one(c.accumulator);
  d["chunk_accumulator"] = one(c.chunk);
  return d;
}

// A format with underflow=none replaced by one exponent bit more and the bias raised by 2^E:
// same M, same largest binade and max, 2^E more binades below. Where no value of a GEMM falls
// below the new smallest normal (no underflow event), every rounding is the one of the
// unbounded format, and the fast engine can prove the sums exact (docs/finetune.md).
num::Format widen_unbounded_below(num::Format f) {
  if (f.underflow != num::Underflow::none) return f;
  f.bias += 1 << f.exp;
  f.exp += 1;
  f.underflow = num::Underflow::flush;
  return f;
}

bool has_unbounded_underflow(const num::AccumConfig& c) {
  return c.product.underflow == num::Underflow::none ||
         c.accumulator.underflow == num::Underflow::none ||
         c.chunk_accumulator.underflow == num::Underflow::none;
}

// C = A W through num::gemm (bit-exact with the golden model). Returns C, the event counts
// and what ran.
py::tuple gemm(torch::Tensor a, torch::Tensor w, const std::string& config_json, int threads,
               std::optional<int> floor_a, std::optional<int> floor_w) {
  check_double_matrix(a, "a");
  check_double_matrix(w, "w");
  TORCH_CHECK(a.size(1) == w.size(0), "gemm: a is ", a.size(0), "x", a.size(1), ", w is ",
              w.size(0), "x", w.size(1));
  const num::AccumConfig cfg = parse_config(config_json);
  const num::OperandFloors floors = make_floors(floor_a, floor_w);
  const std::int64_t m = a.size(0), k = a.size(1), n = w.size(1);
  auto c = torch::empty({m, n}, a.options());
  num::EngineOptions opt;
  opt.threads = std::max(1, threads);
  num::StageCounts counts;
  num::EngineReport rep;
  std::string path;
  {
    py::gil_scoped_release release;
    if (has_unbounded_underflow(cfg)) {
      num::AccumConfig wide = cfg;
      wide.product = widen_unbounded_below(cfg.product);
      wide.accumulator = widen_unbounded_below(cfg.accumulator);
      wide.chunk_accumulator = widen_unbounded_below(cfg.chunk_accumulator);
      rep = num::gemm(a.data_ptr<double>(), w.data_ptr<double>(), c.data_ptr<double>(), m, k, n,
                      wide, &counts, opt, floors);
      path = "widened";
      if (counts.product.underflow || counts.accumulator.underflow || counts.chunk.underflow) {
        counts = {};  // something fell below the widened range: compute the real thing
        rep = num::gemm(a.data_ptr<double>(), w.data_ptr<double>(), c.data_ptr<double>(), m, k, n,
                        cfg, &counts, opt, floors);
        path = "unbounded";
      }
    } else {
      rep = num::gemm(a.data_ptr<double>(), w.data_ptr<double>(), c.data_ptr<double>(), m, k, n,
                      cfg, &counts, opt, floors);
      path = "direct";
    }
  }
  py::dict info;
  info["fast"] = rep.fast;
  info["isa"] = rep.isa;
  info["reason"] = rep.reason;
  info["path"] = path;
  return py::make_tuple(c, counts_dict(counts), info);
}

// 2^s * Q_f(x / 2^s) elementwise (num::quantize_scaled, as lbasim run quantizes W and A).
py::tuple quantize_scaled(torch::Tensor x, int scale_exp, const std::string& format) {
  TORCH_CHECK(x.scalar_type() == torch::kDouble, "quantize_scaled: expected float64");
  const num::Format f = num::parse_format(format);
  auto y = x.contiguous().clone();
  const num::EventCounts ev =
      num::quantize_scaled(std::span<double>(y.data_ptr<double>(), y.numel()), scale_exp, f);
  py::dict d;
  d["ops"] = ev.ops;
  d["overflow"] = ev.overflow;
  d["underflow"] = ev.underflow;
  d["inexact"] = ev.inexact;
  return py::make_tuple(y, d);
}

int choose_scale(torch::Tensor x, const std::string& format) {
  TORCH_CHECK(x.scalar_type() == torch::kDouble, "choose_scale: expected float64");
  auto c = x.contiguous();
  return num::choose_pow2_scale(std::span<const double>(c.data_ptr<double>(), c.numel()),
                                num::parse_format(format));
}

// Estimators of the fine-grained backward (docs/finetune.md, "Estimators").
enum Variant { kImmediate = 1, kRecursive = 2 };

constexpr std::uint8_t kCut = num::kOverflow | num::kUnderflow;

// One chunk [begin, end) of the fused order (docs/finetune.md, "The fused order"): product i's
// own mask is 0 if its term was cut to zero or its group's Q_acc was cut or swamped; the
// running sum goes through group t (T_t, kept at the group's first product so that it applies
// to earlier groups only) unless s was cut to zero or Q_acc was cut. Returns the chunk sum.
double fused_chunk_masks(const double* a, const double* w, std::int64_t w_stride,
                         std::int64_t begin, std::int64_t end, const num::AccumConfig& cfg,
                         const num::OperandFloors& floors, double* mask, double* through) {
  const int g = cfg.fused->terms;
  const std::unique_ptr<bool[]> flags(new bool[static_cast<std::size_t>(g) + 1]);
  double s = 0.0;
  for (std::int64_t t = begin; t < end; t += g) {
    const int count = static_cast<int>(std::min<std::int64_t>(g, end - t));
    const num::FusedStep st =
        num::fused_step(s, a + t, 1, w + t * w_stride, w_stride, count, *cfg.fused, cfg.product,
                        cfg.accumulator, floors.a, floors.w_col(0), flags.get());
    s = st.sum;
    const bool group_cut = (st.events & kCut) != 0;
    const bool group_lost = group_cut || (st.events & num::kSwamped) != 0;
    for (int i = 0; i < count; ++i) {
      mask[t + i] = (group_lost || flags[1 + i]) ? 0.0 : 1.0;
      through[t + i] = 1.0;
    }
    through[t] = (group_cut || flags[0]) ? 0.0 : 1.0;
  }
  return s;
}

// Gradient masks of one output: mask[k] is d out / d p_k under the chosen estimator, where p_k
// is the exact product a_k * w_k. Replays num::dot_chunked's order with num::mul_q/add_q (the
// FMAq chain) or num::fused_step (the fused order). scratch must hold 2 * k doubles.
void output_masks(const double* a, const double* w, std::int64_t w_stride, std::int64_t k,
                  const num::AccumConfig& cfg, const num::OperandFloors& floors, int variant,
                  double* mask, double* scratch) {
  const std::int64_t n = (cfg.chunk <= 0 || cfg.chunk >= k) ? k : cfg.chunk;
  double* through = scratch;  // d acc_k / d acc_{k-1} of step k (the running-sum direction)
  double out = 0.0;
  const std::int64_t chunks = (k + n - 1) / n;
  std::vector<double> chunk_in(chunks), chunk_through(chunks);
  for (std::int64_t c = 0, begin = 0; begin < k; begin += n, ++c) {
    const std::int64_t end = std::min(k, begin + n);
    double s = 0.0;
    if (cfg.fused) s = fused_chunk_masks(a, w, w_stride, begin, end, cfg, floors, mask, through);
    for (std::int64_t i = begin; i < end && !cfg.fused; ++i) {
      const num::Quantized p = num::mul_q(a[i], w[i * w_stride], cfg.product);
      const num::Quantized r = num::add_q(s, p.value, cfg.accumulator);
      s = r.value;
      const bool prod_cut = (p.events & kCut) != 0;
      const bool sum_cut = (r.events & kCut) != 0;
      const bool swamped = (r.events & num::kSwamped) != 0;
      mask[i] = (prod_cut || sum_cut || swamped) ? 0.0 : 1.0;
      through[i] = sum_cut ? 0.0 : 1.0;
    }
    const num::Quantized q = num::add_q(out, s, cfg.chunk_accumulator);
    out = q.value;
    const bool cut = (q.events & kCut) != 0;
    chunk_in[c] = (cut || (q.events & num::kSwamped)) ? 0.0 : 1.0;
    chunk_through[c] = cut ? 0.0 : 1.0;
  }
  // Product k's gradient: its own step, then (recursive) every later step of its chunk, the
  // chunk sum's entry into the inter-chunk sum and every later inter-chunk step.
  double later_chunks = 1.0;
  for (std::int64_t c = chunks - 1; c >= 0; --c) {
    const std::int64_t begin = c * n, end = std::min(k, begin + n);
    const double chunk_factor = variant == kRecursive ? chunk_in[c] * later_chunks : chunk_in[c];
    double later_steps = 1.0;
    for (std::int64_t i = end - 1; i >= begin; --i) {
      mask[i] *= chunk_factor * (variant == kRecursive ? later_steps : 1.0);
      later_steps *= through[i];
    }
    later_chunks *= chunk_through[c];
  }
}

// mask[M, N, K]: d C[m, n] / d (a[m, k] w[k, n]) under the estimator (for tests and docs).
torch::Tensor step_masks(torch::Tensor a, torch::Tensor w, const std::string& config_json,
                         int variant, std::optional<int> floor_a, std::optional<int> floor_w) {
  check_double_matrix(a, "a");
  check_double_matrix(w, "w");
  TORCH_CHECK(variant == kImmediate || variant == kRecursive, "variant: 1 or 2, got ", variant);
  const num::AccumConfig cfg = parse_config(config_json);
  const std::int64_t m = a.size(0), k = a.size(1), n = w.size(1);
  const num::OperandFloors floors = make_floors(floor_a, floor_w);
  auto mask = torch::empty({m, n, k}, a.options());
  std::vector<double> scratch(2 * k);
  const double* pa = a.data_ptr<double>();
  const double* pw = w.data_ptr<double>();
  double* pm = mask.data_ptr<double>();
  for (std::int64_t i = 0; i < m; ++i)
    for (std::int64_t j = 0; j < n; ++j)
      output_masks(pa + i * k, pw + j, n, k, cfg, floors, variant, pm + (i * n + j) * k,
                   scratch.data());
  return mask;
}

// Fine-grained backward of C = A W: grad_a[m,k] = sum_n g[m,n] mask[m,n,k] w[k,n],
// grad_w[k,n] = sum_m g[m,n] mask[m,n,k] a[m,k]. The masks are recomputed here (golden
// per-step loop, far slower than the forward), never stored.
py::tuple gemm_backward(torch::Tensor a, torch::Tensor w, torch::Tensor grad,
                        const std::string& config_json, int variant, int threads,
                        std::optional<int> floor_a, std::optional<int> floor_w) {
  check_double_matrix(a, "a");
  check_double_matrix(w, "w");
  check_double_matrix(grad, "grad");
  TORCH_CHECK(variant == kImmediate || variant == kRecursive, "variant: 1 or 2, got ", variant);
  const num::AccumConfig cfg = parse_config(config_json);
  const std::int64_t m = a.size(0), k = a.size(1), n = w.size(1);
  TORCH_CHECK(grad.size(0) == m && grad.size(1) == n, "grad: expected ", m, "x", n);
  const num::OperandFloors floors = make_floors(floor_a, floor_w);
  auto ga = torch::zeros({m, k}, a.options());
  const int t = std::max(1, threads);
  // Each thread owns rows of grad_a and a private grad_w, summed afterwards in thread order.
  std::vector<torch::Tensor> gw_parts(static_cast<std::size_t>(t));
  for (auto& p : gw_parts) p = torch::zeros({k, n}, a.options());
  const double* pa = a.data_ptr<double>();
  const double* pw = w.data_ptr<double>();
  const double* pg = grad.data_ptr<double>();
  double* pga = ga.data_ptr<double>();
  {
    py::gil_scoped_release release;
    std::vector<std::thread> pool;
    for (int ti = 0; ti < t; ++ti) {
      const std::int64_t i0 = m * ti / t, i1 = m * (ti + 1) / t;
      double* pgw = gw_parts[static_cast<std::size_t>(ti)].data_ptr<double>();
      pool.emplace_back([=, &cfg, &floors] {
        std::vector<double> mask(k), scratch(2 * k);
        for (std::int64_t i = i0; i < i1; ++i)
          for (std::int64_t j = 0; j < n; ++j) {
            const double g = pg[i * n + j];
            if (g == 0.0) continue;
            output_masks(pa + i * k, pw + j, n, k, cfg, floors, variant, mask.data(),
                         scratch.data());
            for (std::int64_t kk = 0; kk < k; ++kk) {
              if (mask[kk] == 0.0) continue;
              pga[i * k + kk] += g * pw[kk * n + j];
              pgw[kk * n + j] += g * pa[i * k + kk];
            }
          }
      });
    }
    for (auto& th : pool) th.join();
  }
  auto gw = gw_parts[0];
  for (int ti = 1; ti < t; ++ti) gw += gw_parts[static_cast<std::size_t>(ti)];
  return py::make_tuple(ga, gw);
}

// The C library's exp, erf, tanh or pow, elementwise on float64: the functions lbasim's
// executor calls for the non-GEMM ops, so that a fine-tuned forward is bit-identical to it
// (torch's vectorized versions differ from them in the last bit).
torch::Tensor libm(const std::string& name, torch::Tensor x, c10::optional<torch::Tensor> y) {
  TORCH_CHECK(x.scalar_type() == torch::kDouble, "libm: expected float64");
  auto out = x.contiguous().clone();
  double* v = out.data_ptr<double>();
  const std::int64_t n = out.numel();
  if (name == "pow") {
    TORCH_CHECK(y.has_value() && y->sizes() == x.sizes() && y->scalar_type() == torch::kDouble,
                "libm pow: expected an exponent of x's shape, float64");
    const auto e = y->contiguous();
    const double* p = e.data_ptr<double>();
    for (std::int64_t i = 0; i < n; ++i) v[i] = std::pow(v[i], p[i]);
    return out;
  }
  double (*f)(double) = name == "exp" ? static_cast<double (*)(double)>(std::exp)
                        : name == "erf" ? static_cast<double (*)(double)>(std::erf)
                        : name == "tanh" ? static_cast<double (*)(double)>(std::tanh)
                                         : nullptr;
  TORCH_CHECK(f != nullptr, "libm: unknown function ", name, "; expected exp, erf, tanh, pow");
  for (std::int64_t i = 0; i < n; ++i) v[i] = f(v[i]);
  return out;
}

// One golden FMAq step pair, for brute-force references in tests.
py::tuple mul_q(double a, double w, const std::string& format) {
  const num::Quantized q = num::mul_q(a, w, num::parse_format(format));
  return py::make_tuple(q.value, q.events);
}

py::tuple add_q(double acc, double addend, const std::string& format) {
  const num::Quantized q = num::add_q(acc, addend, num::parse_format(format));
  return py::make_tuple(q.value, q.events);
}

// One golden fused step (num::fused_step, exact products): (s', events, cut flags [s, p_0..]).
py::tuple fused_step(double s, const std::vector<double>& a, const std::vector<double>& w,
                     int terms, int align_bits, const std::string& accumulator) {
  TORCH_CHECK(a.size() == w.size() && !a.empty() && a.size() <= static_cast<std::size_t>(terms),
              "fused_step: 1..terms products expected");
  const num::FusedOrder order{terms, align_bits, true};
  const std::unique_ptr<bool[]> cut(new bool[a.size() + 1]);
  const num::FusedStep st =
      num::fused_step(s, a.data(), 1, w.data(), 1, static_cast<int>(a.size()), order, num::Format{},
                      num::parse_format(accumulator), num::kNoFloor, num::kNoFloor, cut.get());
  return py::make_tuple(st.sum, st.events, std::vector<bool>(cut.get(), cut.get() + a.size() + 1));
}

}  // namespace

PYBIND11_MODULE(TORCH_EXTENSION_NAME, m) {
  m.doc() = "lbasim numerics for LBA-aware fine-tuning (docs/finetune.md)";
  m.def("gemm", &gemm, "C = A W by num::gemm: (C, event counts, engine info)", py::arg("a"),
        py::arg("w"), py::arg("config_json"), py::arg("threads") = 1,
        py::arg("floor_a") = py::none(), py::arg("floor_w") = py::none());
  m.def(
      "operand_floor",
      [](const std::string& format, int scale_exp) {
        return num::operand_floor(num::parse_format(format), scale_exp);
      },
      "num::operand_floor: exponent floor of 2^s * Q_f values (fused order), or NO_FLOOR",
      py::arg("format"), py::arg("scale_exp") = 0);
  m.def("quantize_scaled", &quantize_scaled, "2^s * Q_f(x / 2^s): (y, events)", py::arg("x"),
        py::arg("scale_exp"), py::arg("format"));
  m.def("choose_scale", &choose_scale, "num::choose_pow2_scale", py::arg("x"), py::arg("format"));
  m.def("step_masks", &step_masks, "[M, N, K] gradient masks of the fine-grained estimator",
        py::arg("a"), py::arg("w"), py::arg("config_json"), py::arg("variant"),
        py::arg("floor_a") = py::none(), py::arg("floor_w") = py::none());
  m.def("gemm_backward", &gemm_backward, "(grad_a, grad_w) of the fine-grained estimator",
        py::arg("a"), py::arg("w"), py::arg("grad"), py::arg("config_json"), py::arg("variant"),
        py::arg("threads") = 1, py::arg("floor_a") = py::none(), py::arg("floor_w") = py::none());
  m.def("libm", &libm, "the C library's exp/erf/tanh/pow elementwise (float64)", py::arg("name"),
        py::arg("x"), py::arg("y") = py::none());
  m.def("mul_q", &mul_q, "golden Q_prod(a * w): (value, events)");
  m.def("add_q", &add_q, "golden Q_acc(acc + addend): (value, events)");
  m.def("fused_step", &fused_step,
        "golden fused step: (s', events, cut flags of s and each product)");
  m.attr("NO_FLOOR") = num::kNoFloor;
  m.attr("IMMEDIATE") = static_cast<int>(kImmediate);
  m.attr("RECURSIVE") = static_cast<int>(kRecursive);
  m.attr("OVERFLOW") = static_cast<int>(num::kOverflow);
  m.attr("UNDERFLOW") = static_cast<int>(num::kUnderflow);
  m.attr("INEXACT") = static_cast<int>(num::kInexact);
  m.attr("SWAMPED") = static_cast<int>(num::kSwamped);
}
