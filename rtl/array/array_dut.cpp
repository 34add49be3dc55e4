// make_array_dut_<config>() for the Verilated model named by LBASIM_VMODEL (see
// CMakeLists.txt). One source for both dataflows: the model's ports say which it is.
#include "array_dut.h"

#include <verilated.h>
#include <verilated_vcd_c.h>

#include <algorithm>
#include <type_traits>

#include LBASIM_VMODEL_HEADER

namespace lbasim::rtl {
namespace {

// Writes `width` bits of v at bit `lsb` of a Verilator port (an integer or a VlWide).
template <typename Port>
void put_bits(Port& port, int lsb, int width, std::uint64_t v) {
  if constexpr (std::is_integral_v<Port>) {
    const std::uint64_t mask = width >= 64 ? ~0ull : (1ull << width) - 1;
    std::uint64_t p = static_cast<std::uint64_t>(port);
    p = (p & ~(mask << lsb)) | ((v & mask) << lsb);
    port = static_cast<Port>(p);
  } else {
    for (int b = 0; b < width; ++b) {
      const int bit = lsb + b;
      auto& word = port[bit / 32];
      word =
          (word & ~(1u << (bit % 32))) | (static_cast<std::uint32_t>((v >> b) & 1u) << (bit % 32));
    }
  }
}

template <typename Port>
std::uint64_t get_bits(const Port& port, int lsb, int width) {
  if constexpr (std::is_integral_v<Port>) {
    const std::uint64_t mask = width >= 64 ? ~0ull : (1ull << width) - 1;
    return (static_cast<std::uint64_t>(port) >> lsb) & mask;
  } else {
    std::uint64_t v = 0;
    for (int b = 0; b < width;) {  // up to 32 bits at a time from the port's 32-bit words
      const int bit = lsb + b, off = bit % 32, take = std::min(32 - off, width - b);
      v |= ((static_cast<std::uint64_t>(port[bit / 32]) >> off) & ((1ull << take) - 1)) << b;
      b += take;
    }
    return v;
  }
}

template <typename T>
std::uint64_t at(const std::vector<T>& v, int i) {
  return i < static_cast<int>(v.size()) ? static_cast<std::uint64_t>(v[i]) : 0;
}

// A template so that only the branches of the model's dataflow are compiled.
template <typename Model>
class Dut final : public ArrayDut {
  // systolic_os has a drain port, systolic_ws a weight-load port; a fused WS array has
  // LBASIM_FUSED_TERMS > 0 (systolic_ws FUSED = 1, G = terms).
  static constexpr bool kOs = requires(Model & m) { m.drain_en; };
  static constexpr bool kFused = LBASIM_FUSED_TERMS > 0;
  static_assert(LBASIM_FUSED_TERMS <= 63, "term flags travel in one 64-bit word per PE");

 public:
  Dut() {
    params_.dataflow = kOs ? sysc::DataflowKind::os : sysc::DataflowKind::ws;
    params_.name = LBASIM_CONFIG;
    params_.chunk_lane = sysc::parse_chunk_lane(LBASIM_CHUNK_LANE, "LBASIM_CHUNK_LANE");
    params_.rows = LBASIM_ROWS;
    params_.cols = LBASIM_COLS;
    params_.a = num::parse_format(LBASIM_FMT_A);
    params_.w = num::parse_format(LBASIM_FMT_W);
    if constexpr (!kFused) params_.product = num::parse_format(LBASIM_FMT_PROD);
    params_.accumulator = num::parse_format(LBASIM_FMT_ACC);
    params_.chunk_accumulator = num::parse_format(LBASIM_FMT_CACC);
    if constexpr (kFused) params_.fused = num::FusedOrder{LBASIM_FUSED_TERMS, LBASIM_FUSED_ALIGN};
    ctx_.traceEverOn(true);
    top_ = std::make_unique<Model>(&ctx_, "top");
  }
  ~Dut() override {
    close_vcd();
    top_->final();
  }
  const ArrayParams& params() const override { return params_; }

  void reset() override {
    top_->rst = 1;
    cycle(ArrayInputs{});
    top_->rst = 0;
  }

  ArrayOutputs cycle(const ArrayInputs& in) override {
    drive(in);
    top_->clk = 0;
    top_->eval();
    ArrayOutputs out = sample();
    if (vcd_ && dump_) vcd_->dump(time_);
    ++time_;
    top_->clk = 1;
    top_->eval();
    if (vcd_ && dump_) vcd_->dump(time_);
    ++time_;
    return out;
  }

  void open_vcd(const std::string& path) override {
    close_vcd();
    vcd_ = std::make_unique<VerilatedVcdC>();
    top_->trace(vcd_.get(), 99);
    vcd_->open(path.c_str());
    dump_ = true;
  }
  void set_vcd_dump(bool on) override { dump_ = on; }
  void close_vcd() override {
    if (vcd_) vcd_->close();
    vcd_.reset();
  }

 private:
  void drive(const ArrayInputs& in) {
    const int R = params_.rows, C = params_.cols, T = params_.terms();
    const int aw = params_.a.width(), ww = params_.w.width();
    top_->act_first = in.act_first;
    put_bits(top_->act_restart, 0, R, in.act_restart);
    for (int r = 0; r < R; ++r) {
      const bool av = at(in.act_valid, r);
      put_bits(top_->act_valid, r, 1, av);
      for (int i = 0; i < T; ++i)
        put_bits(top_->act_data, (r * T + i) * aw, aw, av ? at(in.act_data, r * T + i) : 0);
    }
    if constexpr (kOs) {
      top_->cfg_en = in.cfg_en;
      top_->cfg_cols = in.cfg_cols;
      top_->chain = in.chain;
      top_->act_last = in.act_last;
      top_->drain_en = in.drain_en;
      top_->drain_row = in.drain_row;
      for (int c = 0; c < C; ++c) {
        const bool wv = at(in.w_valid, c);
        put_bits(top_->w_valid, c, 1, wv);
        put_bits(top_->w_data, c * ww, ww, wv ? at(in.w_data, c) : 0);
      }
    } else {
      const int sw = params_.accumulator.width(), cw = params_.chunk_accumulator.width();
      top_->w_load = in.w_load;
      top_->w_row = in.w_row;
      for (int c = 0; c < C; ++c) {
        for (int i = 0; i < T; ++i)
          put_bits(top_->w_data, (c * T + i) * ww, ww, at(in.w_data, c * T + i));
        const bool tv = at(in.top_valid, c);
        put_bits(top_->top_valid, c, 1, tv);
        put_bits(top_->top_psum, c * sw, sw, tv ? at(in.top_psum, c) : 0);
        put_bits(top_->top_chunk, c * cw, cw, tv ? at(in.top_chunk, c) : 0);
        put_bits(top_->bottom_add, c, 1, at(in.bottom_add, c));
        put_bits(top_->bottom_chunk, c * cw, cw, at(in.bottom_chunk, c));
      }
    }
  }

  ArrayOutputs sample() const {
    const int R = params_.rows, C = params_.cols;
    const int sw = params_.accumulator.width(), cw = params_.chunk_accumulator.width();
    ArrayOutputs out;
    out.valid.resize(C);
    out.psum.resize(C);
    out.chunk.resize(C);
    out.value.resize(C);
    out.value_events.resize(C);
    for (int c = 0; c < C; ++c) {
      out.valid[c] = static_cast<std::uint8_t>(get_bits(top_->out_valid, c, 1));
      out.psum[c] = get_bits(top_->out_psum, c * sw, sw);
      out.chunk[c] = get_bits(top_->out_chunk, c * cw, cw);
      out.value[c] = get_bits(top_->out_value, c * cw, cw);
      out.value_events[c] = static_cast<std::uint8_t>(get_bits(top_->out_events, c * 4, 4));
    }
    if constexpr (kOs) out.overrun = top_->overrun;
    out.pe_events.resize(static_cast<std::size_t>(R) * C);
    for (int i = 0; i < R * C; ++i)
      out.pe_events[i] = static_cast<PeEventBits>(get_bits(top_->pe_events, i * 13, 13));
    if constexpr (kFused) {  // pe_terms: PE i's {cut_terms, inexact_terms} at i * (2G + 2)
      const int g1 = LBASIM_FUSED_TERMS + 1;
      out.pe_inexact_terms.resize(static_cast<std::size_t>(R) * C);
      out.pe_cut_terms.resize(static_cast<std::size_t>(R) * C);
      for (int i = 0; i < R * C; ++i) {
        out.pe_inexact_terms[i] = get_bits(top_->pe_terms, i * 2 * g1, g1);
        out.pe_cut_terms[i] = get_bits(top_->pe_terms, i * 2 * g1 + g1, g1);
      }
    }
    return out;
  }

  ArrayParams params_;
  VerilatedContext ctx_;
  std::unique_ptr<Model> top_;
  std::unique_ptr<VerilatedVcdC> vcd_;
  bool dump_ = false;
  std::uint64_t time_ = 0;
};

}  // namespace

std::unique_ptr<ArrayDut> LBASIM_DUT_FACTORY() { return std::make_unique<Dut<LBASIM_VMODEL>>(); }

}  // namespace lbasim::rtl
