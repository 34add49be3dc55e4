// Reading JSON input field by field, so that every error names the file, the field's path and
// the bad value the same way: "cfg.json: field 'arrays[2]': "9y9" is invalid; expected ...".
#pragma once

#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace lbasim {

// A value inside a JSON document and where it sits. Holds a reference: the document must
// outlive the field. Every accessor throws InputError on a value of the wrong kind.
class JsonField {
 public:
  // `source` names the document in messages: its file, or e.g. "config" for inline JSON.
  JsonField(std::string source, const nlohmann::json& j, std::string where = "");

  [[noreturn]] void fail(std::string_view why) const;  // "{source}: field '{where}': {why}"
  const nlohmann::json& value() const { return j_; }
  const std::string& where() const { return where_; }
  const std::string& source() const { return source_; }

  bool has(std::string_view key) const;
  JsonField at(std::string_view key) const;  // an object's member; missing: an error
  JsonField at(std::size_t i) const;         // an array's element
  std::size_t size() const;                  // of an array
  // Refuses members other than `keys` (a typo must not be silently ignored).
  void only_keys(std::initializer_list<std::string_view> keys) const;

  std::string str() const;
  bool boolean() const;
  std::int64_t integer(std::int64_t min, std::int64_t max = INT64_MAX) const;
  double number() const;  // finite
  std::vector<std::int64_t> ints(std::int64_t min, std::size_t count = 0) const;
  std::vector<std::string> strings(bool non_empty = true) const;

 private:
  std::string source_;
  const nlohmann::json& j_;
  std::string where_;
};

// Parses a JSON file (errors name the file, and line and column for syntax errors).
nlohmann::json read_json_file(const std::filesystem::path& path);

// Writes JSON (pretty, trailing newline) atomically (write_file_atomic).
void write_json_file(const std::filesystem::path& path, const nlohmann::json& j);

}  // namespace lbasim
