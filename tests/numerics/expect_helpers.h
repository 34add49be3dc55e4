// GoogleTest checks shared by the numerics suites.
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "lbasim/base/error.h"
#include "lbasim/numerics/accumulate.h"
#include "lbasim/numerics/events.h"
#include "mpfr_oracle.h"

namespace lbasim::num::testing {

// The golden model's counts of one stage equal the oracle's.
inline void expect_counts(const EventCounts& got, const oracle::Counts& want,
                          const std::string& what) {
  EXPECT_EQ(got.ops, want.ops) << what;
  EXPECT_EQ(got.overflow, want.overflow) << what;
  EXPECT_EQ(got.underflow, want.underflow) << what;
  EXPECT_EQ(got.swamped, want.swamped) << what;
  EXPECT_EQ(got.inexact, want.inexact) << what;
}

// accum_config_from_json refuses `text` with an InputError whose message holds every part.
inline void expect_config_error(const char* text, const std::vector<std::string>& parts) {
  try {
    accum_config_from_json(nlohmann::json::parse(text));
    ADD_FAILURE() << "no InputError for " << text;
  } catch (const InputError& e) {
    for (const std::string& p : parts) EXPECT_THAT(e.what(), ::testing::HasSubstr(p)) << text;
  }
}

}  // namespace lbasim::num::testing
