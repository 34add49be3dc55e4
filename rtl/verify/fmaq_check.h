// Compares an FMAq device with the golden model, lbasim::num::fmaq, case by case on codes:
// edge encodings, random vectors and exhaustive sweeps. Every output is compared bit for bit
// (product and accumulator codes, and the event bits of both roundings).
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "fmaq_dut.h"

namespace lbasim::rtl {

struct CheckStats {
  std::uint64_t cases = 0;
  std::uint64_t mismatches = 0;
};

class FmaqChecker {
 public:
  // Mismatches are described on `log`, the first `max_reports` of them.
  explicit FmaqChecker(FmaqDut& dut, std::FILE* log = stderr, std::uint64_t max_reports = 10);

  // One case; true if the device agrees with the golden model.
  bool check(std::uint64_t a, std::uint64_t w, std::uint64_t acc);
  // Every combination of edge_codes() of the three input formats.
  void check_edges();
  // n cases: uniform a and w codes; acc uniform, near the product's binade, or near -product.
  void check_random(std::uint64_t n, std::uint64_t seed);
  // Every a x w x acc code; `progress(done, total)` is called about every 2^22 cases.
  void check_exhaustive(const std::function<void(std::uint64_t, std::uint64_t)>& progress = {});

  const CheckStats& stats() const { return stats_; }
  std::uint64_t exhaustive_cases() const;

 private:
  double value(std::uint64_t code, const num::Format& f, const std::vector<double>& table) const;
  std::uint64_t acc_near_product(std::uint64_t a, std::uint64_t w, std::mt19937_64& rng);
  void report(std::uint64_t a, std::uint64_t w, std::uint64_t acc, const FmaqOutputs& want,
              const FmaqOutputs& got) const;

  FmaqDut& dut_;
  const FmaqFormats& f_;
  std::FILE* log_;
  std::uint64_t max_reports_;
  CheckStats stats_;
  // Decoded values of every code of the narrow formats (empty for wide ones).
  std::vector<double> a_values_, w_values_, acc_values_;
};

// Codes worth testing in a format: both signs of zero, codes of exponent 0 (subnormals, or the
// codes flush decodes as zero), the smallest normals, one and its neighbours, values whose
// fraction is at or next to one half, the largest finite values, and inf/NaN codes.
std::vector<std::uint64_t> edge_codes(const num::Format& f);

// Decoded values of every code of a format up to 16 bits wide (empty for wider ones), and a
// code's value, from such a table or decoded.
std::vector<double> code_values(const num::Format& f);
double code_value(std::uint64_t code, const num::Format& f, const std::vector<double>& table);
// Largest exponent code of a finite value.
std::uint64_t top_finite_exp(const num::Format& f);

// "0x1f3 (-1.25)": a code and its value in f.
std::string describe_code(std::uint64_t code, const num::Format& f);
// "overflow|inexact" or "-".
std::string describe_events(std::uint8_t events);

}  // namespace lbasim::rtl
