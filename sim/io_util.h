// Small helpers shared by the subcommands: option parsing and result files.
#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "lbasim/base/json_field.h"
#include "lbasim/numerics/format.h"

namespace lbasim::cli {

// parse_format with the option's name in the error message.
num::Format parse_format_option(const std::string& option, const std::string& text);

// JSON files are read and written by the base library's functions (errors name the file).
using lbasim::read_json_file;
using lbasim::write_json_file;

// "[i, j]" for flat index `flat` of an array of `shape`.
std::string index_string(const std::vector<std::int64_t>& shape, std::size_t flat);

}  // namespace lbasim::cli
