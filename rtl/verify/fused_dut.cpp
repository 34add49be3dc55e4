// FusedDut over one Verilated fused_dot model. Compiled once per parameter set; CMake passes the
// model's class and header, the formats (the strings it turned into -G parameters), G and F.
#include "fused_dut.h"

#include <verilated.h>

#include <array>
#include <type_traits>

#include LBASIM_VMODEL_HEADER
#include "lbasim/numerics/format.h"

namespace lbasim::rtl {
namespace {

static_assert(LBASIM_FUSED_TERMS >= 1 && LBASIM_FUSED_TERMS <= 63);

// A port's bits as 32-bit words, low first; wide enough for G codes of up to 64 bits.
using Words = std::array<std::uint32_t, 2 * LBASIM_FUSED_TERMS + 2>;

void pack(Words& words, std::span<const std::uint64_t> codes, int width) {
  words.fill(0);
  for (std::size_t i = 0; i < codes.size(); ++i)
    for (int b = 0; b < width; ++b)
      if ((codes[i] >> b) & 1) {
        const std::size_t bit = i * static_cast<std::size_t>(width) + static_cast<std::size_t>(b);
        words[bit / 32] |= std::uint32_t{1} << (bit % 32);
      }
}

// Verilator holds ports of up to 64 bits in an integer, wider ones in VlWide words.
template <class Port>
void set_port(Port& port, const Words& words) {
  if constexpr (std::is_integral_v<Port>) {
    port = static_cast<Port>(words[0] | (std::uint64_t{words[1]} << 32));
  } else {
    for (std::size_t i = 0; i < sizeof(Port) / sizeof(EData); ++i) port[i] = words[i];
  }
}

class VerilatedFused final : public FusedDut {
 public:
  VerilatedFused()
      : unit_{num::parse_format(LBASIM_FMT_A), num::parse_format(LBASIM_FMT_W),
              num::parse_format(LBASIM_FMT_ACC), LBASIM_FUSED_TERMS, LBASIM_FUSED_ALIGN},
        context_(std::make_unique<VerilatedContext>()),
        model_(std::make_unique<LBASIM_VMODEL>(context_.get(), "fused_dot")) {}
  ~VerilatedFused() override { model_->final(); }

  const FusedUnit& unit() const override { return unit_; }

  FusedOutputs eval(std::span<const std::uint64_t> a, std::span<const std::uint64_t> w,
                    std::uint64_t acc_in) override {
    pack(words_, a, unit_.a.width());
    set_port(model_->a, words_);
    pack(words_, w, unit_.w.width());
    set_port(model_->w, words_);
    model_->acc_in = acc_in;
    model_->eval();
    return {model_->acc_out, model_->events, model_->inexact_terms, model_->cut_terms};
  }

 private:
  FusedUnit unit_;
  std::unique_ptr<VerilatedContext> context_;
  std::unique_ptr<LBASIM_VMODEL> model_;
  Words words_{};
};

}  // namespace

std::unique_ptr<FusedDut> make_fused_dut() { return std::make_unique<VerilatedFused>(); }

}  // namespace lbasim::rtl
