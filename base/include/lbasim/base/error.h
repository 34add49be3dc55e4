// Errors lbasim reports to users: bad input named by where it came from.
#pragma once

#include <stdexcept>
#include <string>

namespace lbasim {

// A user-facing input error: the message names the file or field, the bad value and what was
// expected. The command line prints it and exits with status 1, writing no output.
class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Prefixes an InputError's message with where the input came from (a file, a config key).
[[noreturn]] inline void rethrow_with_context(const std::string& where, const InputError& e) {
  throw InputError(where + ": " + e.what());
}

}  // namespace lbasim
