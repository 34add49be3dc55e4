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

ArrayDriver::ArrayDriver(ArrayDut& dut, const GemmJob& job)
    : dut_(dut), m_(job.m), k_(job.k), n_(job.n), double_(job.double_buffered) {
  const num::AccumConfig& cfg = job.cfg;
  const std::optional<WeightFault>& fault = job.fault;
  const std::int64_t m = m_, k = k_, n = n_;
  const ArrayParams& p = dut.params();
  if (cfg.product != p.product || cfg.accumulator != p.accumulator ||
      cfg.chunk_accumulator != p.chunk_accumulator)
    throw InputError(fmt::format(
        "config: formats {}/{}/{} differ from the RTL array's {}/{}/{} (product/accumulator/"
        "chunk accumulator); the Verilated model is built for one set",
        cfg.product.to_string(), cfg.accumulator.to_string(), cfg.chunk_accumulator.to_string(),
        p.product.to_string(), p.accumulator.to_string(), p.chunk_accumulator.to_string()));
  rows_ = p.rows;
  cols_ = p.cols;
  chunk_ = (cfg.chunk <= 0 || cfg.chunk >= k) ? 0 : cfg.chunk;
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
