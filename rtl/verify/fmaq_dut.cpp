// FmaqDut over one Verilated fmaq model. Compiled once per parameter set; CMake passes the
// model's class and header and the formats (the same shorthand it turned into -G parameters).
#include "fmaq_dut.h"

#include <verilated.h>

#include LBASIM_VMODEL_HEADER
#include "lbasim/numerics/format.h"

namespace lbasim::rtl {
namespace {

class VerilatedFmaq final : public FmaqDut {
 public:
  VerilatedFmaq()
      : formats_{num::parse_format(LBASIM_FMT_A), num::parse_format(LBASIM_FMT_W),
                 num::parse_format(LBASIM_FMT_PROD), num::parse_format(LBASIM_FMT_ACC)},
        context_(std::make_unique<VerilatedContext>()),
        model_(std::make_unique<LBASIM_VMODEL>(context_.get(), "fmaq")) {}
  ~VerilatedFmaq() override { model_->final(); }

  const FmaqFormats& formats() const override { return formats_; }

  FmaqOutputs eval(std::uint64_t a, std::uint64_t w, std::uint64_t acc_in) override {
    model_->a = a;
    model_->w = w;
    model_->acc_in = acc_in;
    model_->eval();
    return {model_->acc_out, model_->prod, model_->prod_events, model_->acc_events};
  }

 private:
  FmaqFormats formats_;
  std::unique_ptr<VerilatedContext> context_;
  std::unique_ptr<LBASIM_VMODEL> model_;
};

}  // namespace

std::unique_ptr<FmaqDut> make_fmaq_dut() { return std::make_unique<VerilatedFmaq>(); }

}  // namespace lbasim::rtl
