#include "lbasim/base/json_field.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>

#include "lbasim/base/atomic_file.h"
#include "lbasim/base/error.h"

namespace lbasim {

JsonField::JsonField(std::string source, const nlohmann::json& j, std::string where)
    : source_(std::move(source)), j_(j), where_(std::move(where)) {}

void JsonField::fail(std::string_view why) const {
  if (where_.empty()) throw InputError(fmt::format("{}: {}", source_, why));
  throw InputError(fmt::format("{}: field '{}': {}", source_, where_, why));
}

bool JsonField::has(std::string_view key) const {
  return j_.is_object() && j_.contains(std::string(key));
}

JsonField JsonField::at(std::string_view key) const {
  if (!j_.is_object()) fail(fmt::format("expected an object, got {}", j_.dump()));
  const std::string w = where_.empty() ? std::string(key) : fmt::format("{}.{}", where_, key);
  const auto it = j_.find(std::string(key));
  if (it == j_.end()) throw InputError(fmt::format("{}: missing field '{}'", source_, w));
  return JsonField(source_, *it, w);
}

JsonField JsonField::at(std::size_t i) const {
  if (!j_.is_array() || i >= j_.size())
    fail(fmt::format("expected an array of more than {} elements, got {}", i, j_.dump()));
  return JsonField(source_, j_.at(i), fmt::format("{}[{}]", where_, i));
}

std::size_t JsonField::size() const {
  if (!j_.is_array()) fail(fmt::format("{} is not an array", j_.dump()));
  return j_.size();
}

void JsonField::only_keys(std::initializer_list<std::string_view> keys) const {
  if (!j_.is_object()) fail(fmt::format("expected an object, got {}", j_.dump()));
  for (const auto& [key, value] : j_.items())
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
      std::string expected;
      for (const auto k : keys) expected += fmt::format("{}{}", expected.empty() ? "" : ", ", k);
      throw InputError(fmt::format("{}: unknown key '{}'; expected one of {}", source_,
                                   where_.empty() ? key : fmt::format("{}.{}", where_, key),
                                   expected));
    }
}

std::string JsonField::str() const {
  if (!j_.is_string()) fail(fmt::format("{} is not a string", j_.dump()));
  return j_.get<std::string>();
}

bool JsonField::boolean() const {
  if (!j_.is_boolean()) fail(fmt::format("{} is not true or false", j_.dump()));
  return j_.get<bool>();
}

std::int64_t JsonField::integer(std::int64_t min, std::int64_t max) const {
  const bool ok =
      j_.is_number_integer() &&
      (j_.is_number_unsigned() ? j_.get<std::uint64_t>() <= static_cast<std::uint64_t>(max)
                               : j_.get<std::int64_t>() <= max) &&
      // nlohmann stores every non-negative integer as unsigned: compare those unsigned too.
      (j_.is_number_unsigned()
           ? min <= 0 || j_.get<std::uint64_t>() >= static_cast<std::uint64_t>(min)
           : j_.get<std::int64_t>() >= min);
  if (!ok) {
    if (max == INT64_MAX)
      fail(fmt::format("{} is invalid; expected an integer >= {}", j_.dump(), min));
    fail(fmt::format("{} is invalid; expected an integer in {}..{}", j_.dump(), min, max));
  }
  return j_.get<std::int64_t>();
}

double JsonField::number() const {
  if (!j_.is_number() || !std::isfinite(j_.get<double>()))
    fail(fmt::format("{} is not a finite number", j_.dump()));
  return j_.get<double>();
}

std::vector<std::int64_t> JsonField::ints(std::int64_t min, std::size_t count) const {
  if (!j_.is_array() || (count != 0 && j_.size() != count))
    fail(fmt::format("{} is invalid; expected {} integers >= {}", j_.dump(),
                     count ? std::to_string(count) : std::string("a list of"), min));
  std::vector<std::int64_t> v;
  for (std::size_t i = 0; i < j_.size(); ++i) v.push_back(at(i).integer(min));
  return v;
}

std::vector<std::string> JsonField::strings(bool non_empty) const {
  if (!j_.is_array() || (non_empty && j_.empty()))
    fail(fmt::format("{} is not a {}list of strings", j_.dump(), non_empty ? "non-empty " : ""));
  std::vector<std::string> v;
  for (std::size_t i = 0; i < j_.size(); ++i) v.push_back(at(i).str());
  return v;
}

nlohmann::json read_json_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in)
    throw InputError(
        fmt::format("{}: {}", path.string(),
                    std::filesystem::exists(path) ? "cannot be read" : "no such file"));
  try {
    return nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw InputError(fmt::format("{}: not valid JSON: {}", path.string(), e.what()));
  }
}

void write_json_file(const std::filesystem::path& path, const nlohmann::json& j) {
  write_file_atomic(path, j.dump(2) + "\n");
}

}  // namespace lbasim
