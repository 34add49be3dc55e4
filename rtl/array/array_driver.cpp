#include "array_driver.h"

#include <fmt/format.h>

#include <algorithm>

#include "lbasim/base/error.h"
#include "lbasim/numerics/encoding.h"

namespace lbasim::rtl {
namespace {

std::vector<std::uint64_t> encode_all(const double* x, std::int64_t count, const num::Format& f,
                                      const char* what) {
  std::vector<std::uint64_t> codes(count);
  for (std::int64_t i = 0; i < count; ++i) {
    try {
      codes[i] = num::encode(x[i], f);
    } catch (const InputError& e) {
      rethrow_with_context(fmt::format("{} element {}", what, i), e);
    }
  }
  return codes;
}

}  // namespace

void check_config(const ArrayParams& p, const num::AccumConfig& cfg) {
  if (p.fused) {
    const num::FusedOrder& f = *p.fused;
    if (!cfg.fused || cfg.fused->terms != f.terms || cfg.fused->align_bits != f.align_bits ||
        !cfg.fused->exact_product)
      throw InputError(fmt::format(
          "config: {}; the RTL array {} is built with fused PEs of {{\"terms\": {}, "
          "\"align_bits\": {}}} and product \"exact\"",
          !cfg.fused
              ? "no key 'fused' (the FMAq chain)"
              : fmt::format("fused {{\"terms\": {}, \"align_bits\": {}}}, product {}",
                            cfg.fused->terms, cfg.fused->align_bits, num::product_to_string(cfg)),
          p.name, f.terms, f.align_bits));
  } else if (cfg.fused) {
    throw InputError(fmt::format(
        "config: key 'fused' (the tensor-core order); the RTL array {} is built with FMAq PEs "
        "(the chain of section 2), which do not compute it",
        p.name));
  }
  if ((!cfg.fused && cfg.product != p.product) || cfg.accumulator != p.accumulator ||
      cfg.chunk_accumulator != p.chunk_accumulator)
    throw InputError(fmt::format(
        "config: formats {}/{}/{} differ from the RTL array's {}/{}/{} (product/accumulator/"
        "chunk accumulator); the Verilated model is built for one set",
        num::product_to_string(cfg), cfg.accumulator.to_string(), cfg.chunk_accumulator.to_string(),
        p.fused ? "exact" : p.product.to_string(), p.accumulator.to_string(),
        p.chunk_accumulator.to_string()));
}

ArrayDriver::ArrayDriver(ArrayDut& dut, const GemmJob& job)
    : dut_(dut), m_(job.m), k_(job.k), n_(job.n), double_(job.double_buffered) {
  const num::AccumConfig& cfg = job.cfg;
  const std::optional<WeightFault>& fault = job.fault;
  const std::int64_t m = m_, k = k_, n = n_;
  const ArrayParams& p = dut.params();
  check_config(p, cfg);
  rows_ = p.rows;
  cols_ = p.cols;
  terms_ = p.terms();
  chunk_len_ = (cfg.chunk <= 0 || cfg.chunk >= k) ? std::max<std::int64_t>(k, 1) : cfg.chunk;
  chunk_steps_ = (chunk_len_ + terms_ - 1) / terms_;
  const std::int64_t tail = k % chunk_len_;  // products of a last, shorter chunk
  steps_ = k / chunk_len_ * chunk_steps_ + (tail + terms_ - 1) / terms_;
  a_codes_ = encode_all(job.a, m * k, p.a, "A");
  w_codes_ = encode_all(job.w, k * n, p.w, "W");
  if (fault) {
    if (fault->k < 0 || fault->k >= k || fault->n < 0 || fault->n >= n || fault->bit < 0 ||
        fault->bit >= p.w.width())
      throw InputError(
          fmt::format("fault: W[{}][{}] bit {} is outside the {} x {} weights of "
                      "{}-bit codes",
                      fault->k, fault->n, fault->bit, k, n, p.w.width()));
    w_codes_[fault->k * n + fault->n] ^= 1ull << fault->bit;
  }
  c_.assign(m * n, 0.0);
  dut_.reset();
}

std::int64_t ArrayDriver::group_end(std::int64_t s) const {
  const std::int64_t chunk_end = std::min(k_, (s / chunk_steps_ + 1) * chunk_len_);
  return std::min(chunk_end, group_begin(s) + terms_);
}

void ArrayDriver::a_group(std::int64_t m, std::int64_t s, std::vector<std::uint64_t>& out) const {
  const std::int64_t k0 = group_begin(s), k1 = group_end(s);
  for (std::int64_t i = 0; i < terms_; ++i)
    out.push_back(k0 + i < k1 ? a_codes_[m * k_ + k0 + i] : 0);
}

void ArrayDriver::w_group(std::int64_t s, std::int64_t n, std::vector<std::uint64_t>& out) const {
  const std::int64_t k0 = group_begin(s), k1 = group_end(s);
  for (std::int64_t i = 0; i < terms_; ++i)
    out.push_back(k0 + i < k1 ? w_codes_[(k0 + i) * n_ + n] : 0);
}

RtlWord ArrayDriver::decode(const ArrayOutputs& out, int c, std::int64_t m, std::int64_t n,
                            bool final, std::optional<bool> added) {
  const ArrayParams& p = dut_.params();
  RtlWord w;
  w.word.cycle = cycle_;
  w.word.column = c;
  w.word.m = m;
  w.word.n = n;
  w.psum_code = out.psum[c];
  w.chunk_code = out.chunk[c];
  w.word.psum = num::decode(out.psum[c], p.accumulator);
  w.word.chunk = num::decode(out.chunk[c], p.chunk_accumulator);
  w.word.final = final;
  w.word.chunk_add = added.value_or(final);
  w.value_code = out.value[c];
  w.value_events = out.value_events[c];
  if (w.word.chunk_add) {
    w.word.value = num::decode(out.value[c], p.chunk_accumulator);
    w.word.events = w.value_events;
  }
  if (final && m >= 0 && m < m_ && n >= 0 && n < n_) c_[m * n_ + n] = w.word.value;
  return w;
}

std::vector<ArrayDriver::TileSpan> ArrayDriver::tile_spans(std::int64_t outer, int outer_step,
                                                           std::int64_t inner, int inner_step) {
  std::vector<TileSpan> spans;
  for (std::int64_t o = 0; o < outer; o += outer_step)
    for (std::int64_t i = 0; i < inner; i += inner_step)
      spans.push_back({o, i, static_cast<int>(std::min<std::int64_t>(outer_step, outer - o)),
                       static_cast<int>(std::min<std::int64_t>(inner_step, inner - i))});
  return spans;
}

std::unique_ptr<ArrayDriver> make_array_driver(ArrayDut& dut, const GemmJob& job) {
  return dut.params().dataflow == sysc::DataflowKind::os ? make_os_array_driver(dut, job)
                                                         : make_ws_array_driver(dut, job);
}

}  // namespace lbasim::rtl
