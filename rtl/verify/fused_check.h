// Compares a fused dot-product device with the golden model, lbasim::num::fused_step, case by
// case on codes: edge encodings, random vectors (cancellation, terms far below E, short and
// all-zero groups, swamping) and exhaustive sweeps of small units. Compared bit for bit: the
// result code, its events, which terms' alignment dropped bits and which were cut to zero.
#pragma once

#include <cstdint>
#include <cstdio>
#include <random>
#include <vector>

#include "fmaq_check.h"
#include "fused_dut.h"

namespace lbasim::rtl {

// How often the golden model saw each event, so tests can tell the vectors reach them.
struct FusedCoverage {
  std::uint64_t events[4] = {};  // overflow, underflow, inexact, swamped (Event bit order)
  std::uint64_t align_inexact = 0, cut = 0;  // cases with at least one such term
};

class FusedChecker {
 public:
  // Mismatches are described on `log`, the first `max_reports` of them.
  explicit FusedChecker(FusedDut& dut, std::FILE* log = stderr, std::uint64_t max_reports = 10);

  // One step on a[0..G), w[0..G), acc; the golden model sees the first `count` products (the
  // rest must be zero codes: a short group). True if the device agrees.
  bool check(const std::vector<std::uint64_t>& a, const std::vector<std::uint64_t>& w,
             std::uint64_t acc, int count);
  // Each pair of edge_codes() of a and w as a lone product against 4 edge accumulator codes
  // (every one with all_acc), then n groups of edge codes, some of them short.
  void check_edges(std::uint64_t n, std::uint64_t seed, bool all_acc = false);
  // n cases drawn from a mix of generators (see fused_check.cpp).
  void check_random(std::uint64_t n, std::uint64_t seed);
  // Every combination of G a codes, G w codes and the accumulator code: 2^(G(|a|+|w|)+|acc|)
  // cases; with stride s > 1 every s-th of them (an odd s moves every field).
  void check_exhaustive(std::uint64_t stride = 1);
  std::uint64_t exhaustive_cases() const;

  const CheckStats& stats() const { return stats_; }
  const FusedCoverage& coverage() const { return coverage_; }

 private:
  double value(std::uint64_t code, const num::Format& f, const std::vector<double>& table) const;
  std::uint64_t code_near(double x, const num::Format& f, std::mt19937_64& rng) const;
  std::uint64_t random_code(const num::Format& f, int exp_lo, int exp_hi,
                            std::mt19937_64& rng) const;
  void report(const std::vector<std::uint64_t>& a, const std::vector<std::uint64_t>& w,
              std::uint64_t acc, int count, const FusedOutputs& want,
              const FusedOutputs& got) const;

  FusedDut& dut_;
  const FusedUnit& u_;
  std::FILE* log_;
  std::uint64_t max_reports_;
  CheckStats stats_;
  FusedCoverage coverage_;
  int floor_a_, floor_w_;
  // Decoded values of every code of the narrow formats (empty for wide ones).
  std::vector<double> a_values_, w_values_, acc_values_;
  std::vector<double> av_, wv_;  // scratch
};

}  // namespace lbasim::rtl
