// JsonField: every error names the document, the field's path and the value.
#include "lbasim/base/json_field.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>

#include "lbasim/base/error.h"

namespace lbasim {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no InputError";
  return "";
}

const nlohmann::json kDoc = nlohmann::json::parse(R"({
  "name": "x", "count": 3, "rate": 2.5, "on": true,
  "arrays": [{"shape": [2, 3]}, {"shape": [4, -1]}], "tags": ["a", "b"]})");

TEST(JsonField, ReadsValuesAndPaths) {
  const JsonField root("spec.json", kDoc);
  EXPECT_EQ(root.at("name").str(), "x");
  EXPECT_EQ(root.at("count").integer(0), 3);
  EXPECT_EQ(root.at("rate").number(), 2.5);
  EXPECT_TRUE(root.at("on").boolean());
  EXPECT_EQ(root.at("arrays").at(0).at("shape").ints(1), (std::vector<std::int64_t>{2, 3}));
  EXPECT_EQ(root.at("tags").strings(), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(root.at("arrays").at(1).at("shape").where(), "arrays[1].shape");
  EXPECT_TRUE(root.has("rate"));
  EXPECT_FALSE(root.has("nope"));
}

TEST(JsonField, ErrorsNameFileFieldAndValue) {
  const JsonField root("spec.json", kDoc);
  EXPECT_THAT(error_of([&] { root.at("arrays").at(1).at("shape").ints(1); }),
              AllOf(HasSubstr("spec.json: field 'arrays[1].shape[1]'"), HasSubstr("-1"),
                    HasSubstr("expected an integer >= 1")));
  EXPECT_THAT(error_of([&] { root.at("arrays").at(0).at("dims"); }),
              HasSubstr("spec.json: missing field 'arrays[0].dims'"));
  EXPECT_THAT(error_of([&] { root.at("count").integer(0, 2); }),
              AllOf(HasSubstr("field 'count'"), HasSubstr("3"), HasSubstr("0..2")));
  // Non-negative JSON integers are stored unsigned: the minimum must hold for them too.
  EXPECT_THAT(error_of([&] { root.at("count").integer(4); }),
              AllOf(HasSubstr("field 'count'"), HasSubstr("3"), HasSubstr(">= 4")));
  EXPECT_THAT(error_of([&] { root.at("count").integer(5, 9); }),
              AllOf(HasSubstr("field 'count'"), HasSubstr("5..9")));
  EXPECT_THAT(error_of([&] { root.at("arrays").at(0).at("shape").ints(3); }),
              AllOf(HasSubstr("field 'arrays[0].shape[0]'"), HasSubstr(">= 3")));
  EXPECT_THAT(error_of([&] { root.at("name").number(); }),
              AllOf(HasSubstr("field 'name'"), HasSubstr("\"x\""), HasSubstr("finite number")));
  EXPECT_THAT(error_of([&] { root.at("tags").at(5); }), HasSubstr("field 'tags'"));
  EXPECT_THAT(
      error_of([&] {
        root.only_keys({"name", "count"});
      }),
      AllOf(HasSubstr("spec.json: unknown key '"), HasSubstr("expected one of name, count")));
  EXPECT_THAT(error_of([&] { root.at("arrays").at(0).only_keys({"dims"}); }),
              HasSubstr("unknown key 'arrays[0].shape'"));
}

TEST(JsonField, ReadJsonFileNamesTheFile) {
  EXPECT_THAT(error_of([] { read_json_file("/nonexistent/x.json"); }),
              HasSubstr("/nonexistent/x.json: no such file"));
}

}  // namespace
}  // namespace lbasim
