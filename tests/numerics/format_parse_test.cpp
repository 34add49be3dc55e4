// Format parsing and validation: presets, shorthand, JSON objects, and an InputError naming the
// field and the bad value for every invalid combination.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "lbasim/base/error.h"
#include "lbasim/numerics/format.h"
#include "test_support.h"

namespace lbasim::num {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using testing::make_format;
using U = Underflow;
using O = Overflow;
using R = Rounding;
using S = Specials;

TEST(ParseFormat, Presets) {
  EXPECT_EQ(parse_format("fp32"), make_format(23, 8, 127, U::subnormal, O::inf, R::rne, S::ieee));
  EXPECT_EQ(parse_format("fp16"), make_format(10, 5, 15, U::subnormal, O::inf, R::rne, S::ieee));
  EXPECT_EQ(parse_format("bf16"), make_format(7, 8, 127, U::subnormal, O::inf, R::rne, S::ieee));
  EXPECT_EQ(parse_format("fp8_e4m3"),
            make_format(3, 4, 7, U::subnormal, O::saturate, R::rne, S::nan));
  EXPECT_EQ(parse_format("fp8_e5m2"), make_format(2, 5, 15, U::subnormal, O::inf, R::rne, S::ieee));
  EXPECT_EQ(parse_format("FP16"), parse_format("fp16"));
}

TEST(ParseFormat, ShorthandAndDefaults) {
  // Contract defaults: bias 2^(E-1)-1, flush, saturate, rtz, specials none.
  EXPECT_EQ(parse_format("M7E4"), make_format(7, 4, 7, U::flush, O::saturate, R::rtz));
  EXPECT_EQ(parse_format("M4E3"), make_format(4, 3, 3, U::flush, O::saturate, R::rtz));
  EXPECT_EQ(parse_format("M7E4b10"), make_format(7, 4, 10, U::flush, O::saturate, R::rtz));
  EXPECT_EQ(parse_format("M7E4b12"), make_format(7, 4, 12, U::flush, O::saturate, R::rtz));
  EXPECT_EQ(parse_format("m7e4B10"), parse_format("M7E4b10"));
  EXPECT_EQ(parse_format("M0E5"), make_format(0, 5, 15, U::flush, O::saturate, R::rtz));
  EXPECT_EQ(parse_format("M2E1"), make_format(2, 1, 0, U::flush, O::saturate, R::rtz));
  EXPECT_EQ(parse_format("M52E11b1023:subnormal:ieee:inf:rne"),
            make_format(52, 11, 1023, U::subnormal, O::inf, R::rne, S::ieee));
  EXPECT_EQ(parse_format("M7E4b-3"), make_format(7, 4, -3, U::flush, O::saturate, R::rtz));
}

TEST(ParseFormat, PolicySuffixes) {
  EXPECT_EQ(parse_format("M10E5b15:rne:subnormal:inf:ieee"), parse_format("fp16"));
  EXPECT_EQ(parse_format("M10E5:ieee:inf:subnormal:rne"), parse_format("fp16"));  // any order
  EXPECT_EQ(parse_format("M7E4b10:underflow=none"),
            make_format(7, 4, 10, U::none, O::saturate, R::rtz));
  EXPECT_EQ(parse_format("M7E4b10:overflow=none:rne"),
            make_format(7, 4, 10, U::flush, O::none, R::rne));
  EXPECT_EQ(parse_format("M3E4:specials=nan:subnormal:rne"), parse_format("fp8_e4m3"));
  EXPECT_EQ(parse_format("M7E4:saturate:flush:rtz:specials=none"), parse_format("M7E4"));
  Format e4m3_rtz = parse_format("fp8_e4m3");
  e4m3_rtz.rounding = R::rtz;
  EXPECT_EQ(parse_format("fp8_e4m3:rtz"), e4m3_rtz);
}

TEST(ParseFormat, ToStringRoundTrips) {
  for (const auto& nf : testing::oracle_formats()) {
    EXPECT_EQ(parse_format(nf.format.to_string()), nf.format) << nf.name;
    EXPECT_EQ(format_from_json(format_to_json(nf.format)), nf.format) << nf.name;
  }
}

TEST(FormatFromJson, ObjectsWithDefaults) {
  EXPECT_EQ(format_from_json(json::parse(R"({"man": 7, "exp": 4})")),
            make_format(7, 4, 7, U::flush, O::saturate, R::rtz));
  EXPECT_EQ(format_from_json(json::parse(R"({"man": 7, "exp": 4, "bias": 10})")),
            make_format(7, 4, 10, U::flush, O::saturate, R::rtz));
  EXPECT_EQ(format_from_json(json::parse(
                R"({"man": 10, "exp": 5, "bias": 15, "underflow": "subnormal",
                    "overflow": "inf", "rounding": "rne", "specials": "ieee"})")),
            parse_format("fp16"));
  EXPECT_EQ(format_from_json(json::parse(R"({"man": 7, "exp": 4, "bias": -3})")),
            make_format(7, 4, -3, U::flush, O::saturate, R::rtz));
  EXPECT_EQ(format_from_json(json("bf16")), parse_format("bf16"));
  EXPECT_EQ(format_from_json(json("M7E4b10")),
            make_format(7, 4, 10, U::flush, O::saturate, R::rtz));
}

// The error message must contain every one of `parts` (field name, bad value).
void expect_parse_error(const std::string& text, const std::vector<std::string>& parts) {
  try {
    const Format f = parse_format(text);
    ADD_FAILURE() << "no InputError for \"" << text << "\", parsed as " << f.to_string();
  } catch (const InputError& e) {
    for (const auto& p : parts) EXPECT_THAT(e.what(), HasSubstr(p)) << "for \"" << text << "\"";
  }
}

void expect_json_error(const std::string& text, const std::vector<std::string>& parts) {
  try {
    const Format f = format_from_json(json::parse(text));
    ADD_FAILURE() << "no InputError for " << text << ", parsed as " << f.to_string();
  } catch (const InputError& e) {
    for (const auto& p : parts) EXPECT_THAT(e.what(), HasSubstr(p)) << "for " << text;
  }
}

TEST(ParseFormat, InvalidShorthand) {
  expect_parse_error("fp64", {"fp64"});
  expect_parse_error("", {});
  expect_parse_error("M7", {"M7"});
  expect_parse_error("E4M3", {"E4M3"});
  expect_parse_error("M7E4x", {"M7E4x"});
  expect_parse_error("M53E4", {"53"});
  expect_parse_error("M7E12", {"12"});
  expect_parse_error("M7E0", {"0"});
  expect_parse_error("M7E4:bogus", {"bogus"});
  expect_parse_error("M7E4:inf", {"inf"});      // inf overflow needs ieee specials
  expect_parse_error("M7E4:rtz:rne", {"rne"});  // conflicting rounding
  expect_parse_error("M7E4:flush:subnormal", {"subnormal"});
  expect_parse_error("M7E4:underflow=maybe", {"underflow", "maybe"});
  expect_parse_error("M7E4:overflow=wrap", {"overflow", "wrap"});
  expect_parse_error("M7E4:specials=all", {"specials", "all"});
  expect_parse_error("M7E4:colour=red", {"colour"});
  expect_parse_error("M7E4b", {"M7E4b"});
  expect_parse_error("M7E4b2000", {"2000"});  // values far outside double
  expect_parse_error("M7E4:", {});
}

TEST(Validate, InvalidFields) {
  auto expect_invalid = [](Format f, std::vector<std::string> parts) {
    try {
      validate(f);
      ADD_FAILURE() << "validate accepted " << f.man << "," << f.exp << "," << f.bias;
    } catch (const InputError& e) {
      for (const auto& p : parts) EXPECT_THAT(e.what(), HasSubstr(p));
    }
  };
  const Format ok = make_format(7, 4, 7, U::flush, O::saturate, R::rtz);
  Format f = ok;
  f.man = -1;
  expect_invalid(f, {"man", "-1"});
  f = ok;
  f.man = 53;
  expect_invalid(f, {"man", "53"});
  f = ok;
  f.exp = 0;
  expect_invalid(f, {"exp", "0"});
  f = ok;
  f.exp = 12;
  expect_invalid(f, {"exp", "12"});
  f = ok;
  f.overflow = O::inf;
  expect_invalid(f, {"inf"});
  f = ok;
  f.bias = 5000;
  expect_invalid(f, {"bias", "5000"});
  f = ok;
  f.bias = -5000;
  expect_invalid(f, {"bias", "-5000"});
  f = make_format(52, 11, 1023, U::subnormal, O::saturate, R::rne, S::none);  // max is 2^1024
  expect_invalid(f, {"1023"});
  EXPECT_NO_THROW(validate(ok));
  EXPECT_NO_THROW(validate(testing::fp8_e4m3()));
}

TEST(FormatFromJson, InvalidObjects) {
  expect_json_error(R"({"exp": 4})", {"man"});
  expect_json_error(R"({"man": 7})", {"exp"});
  expect_json_error(R"({"man": 99, "exp": 4})", {"man", "99"});
  expect_json_error(R"({"man": 7, "exp": 40})", {"exp", "40"});
  expect_json_error(R"({"man": "7", "exp": 4})", {"man"});
  expect_json_error(R"({"man": 7.5, "exp": 4})", {"man"});
  expect_json_error(R"({"man": 7, "exp": 4, "foo": 1})", {"foo"});
  expect_json_error(R"({"man": 7, "exp": 4, "rounding": "up"})", {"rounding", "up"});
  expect_json_error(R"({"man": 7, "exp": 4, "underflow": "gradual"})", {"underflow", "gradual"});
  expect_json_error(R"({"man": 7, "exp": 4, "overflow": "inf"})", {"overflow", "inf"});
  expect_json_error(R"({"man": 7, "exp": 4, "specials": "yes"})", {"specials", "yes"});
  expect_json_error(R"({"man": 7, "exp": 4, "bias": "ten"})", {"bias"});
  expect_json_error(R"("fp64")", {"fp64"});
  expect_json_error(R"(5)", {});
  expect_json_error(R"([7, 4])", {});
}

// A JSON integer past int64 must not wrap into a valid bias (nlohmann reads
// 18446744073709551615 as an unsigned integer; as int64 it would be -1, a valid-looking bias).
TEST(FormatFromJson, HugeUnsignedBiasIsOutOfRange) {
  expect_json_error(R"({"man": 7, "exp": 4, "bias": 18446744073709551615})",
                    {"bias", "18446744073709551615"});
  expect_json_error(R"({"man": 7, "exp": 4, "bias": 9223372036854775808})", {"bias"});
}

}  // namespace
}  // namespace lbasim::num
