// Small helpers shared by the subcommands: option parsing and result files.
#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "lbasim/numerics/format.h"

namespace lbasim::cli {

// parse_format with the option's name in the error message.
num::Format parse_format_option(const std::string& option, const std::string& text);

// Reads a JSON file; errors name the file (and the line/column for syntax errors).
nlohmann::json read_json_file(const std::filesystem::path& path);

// Writes JSON (pretty, trailing newline) atomically.
void write_json_file(const std::filesystem::path& path, const nlohmann::json& j);

// "[i, j]" for flat index `flat` of an array of `shape`.
std::string index_string(const std::vector<std::int64_t>& shape, std::size_t flat);

}  // namespace lbasim::cli
