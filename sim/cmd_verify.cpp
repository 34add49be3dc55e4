// lbasim verify fmaq: the Verilated fmaq RTL (paper configuration) against the golden model.
#include <fmt/core.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>

#include "commands.h"
#include "fmaq_check.h"
#include "rtl_models.h"

namespace lbasim::cli {
namespace {

struct VerifyOptions {
  bool exhaustive = false;
  std::uint64_t vectors = 1'000'000;
  std::uint64_t seed = 1;
  std::uint64_t max_reports = 10;
};

void verify_fmaq(const VerifyOptions& opt) {
  auto dut = rtl_fmaq_model();
  const rtl::FmaqFormats& f = dut->formats();
  fmt::print("fmaq RTL vs golden model: a={} w={} product={} accumulator={}\n", f.a.to_string(),
             f.w.to_string(), f.product.to_string(), f.accumulator.to_string());
  rtl::FmaqChecker checker(*dut, stderr, opt.max_reports);
  const auto start = std::chrono::steady_clock::now();
  const auto seconds = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  if (opt.exhaustive) {
    checker.check_exhaustive([&](std::uint64_t done, std::uint64_t total) {
      fmt::print("  {:>10} / {} cases, {:.0f} cases/s, {} mismatches\n", done, total,
                 done / seconds(), checker.stats().mismatches);
      std::fflush(stdout);
    });
  } else {
    checker.check_edges();
    checker.check_random(opt.vectors, opt.seed);
  }
  const double s = seconds();
  const rtl::CheckStats& st = checker.stats();
  fmt::print("{} cases in {:.1f} s ({:.0f} cases/s): {} mismatches\n", st.cases, s, st.cases / s,
             st.mismatches);
  if (st.mismatches != 0)
    throw std::runtime_error(fmt::format("the RTL differs from the golden model in {} of {} cases",
                                         st.mismatches, st.cases));
}

}  // namespace

void add_verify_command(CLI::App& app) {
  auto* verify = app.add_subcommand("verify", "Check RTL against the golden numerics model");
  verify->require_subcommand(1);
  auto opt = std::make_shared<VerifyOptions>();
  auto* fmaq = verify->add_subcommand(
      "fmaq",
      "Verilated fmaq (paper configuration) vs lbasim::num::fmaq, bit for bit; "
      "exits 1 on any mismatch");
  fmaq->add_flag("--exhaustive", opt->exhaustive,
                 "Every a x w x acc code (268M cases) instead of edges plus random vectors");
  fmaq->add_option("--vectors,-n", opt->vectors, "Random vectors after the edge encodings")
      ->check(CLI::PositiveNumber);
  fmaq->add_option("--seed", opt->seed, "Seed of the random vectors");
  fmaq->add_option("--max-reports", opt->max_reports, "Mismatches described in full");
  fmaq->callback([opt] { verify_fmaq(*opt); });
}

}  // namespace lbasim::cli
