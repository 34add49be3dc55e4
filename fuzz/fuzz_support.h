// What every harness asserts: bad input may only be refused with lbasim::InputError carrying a
// message. Any other exception escaping the code under test is a bug, reported as a crash.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string_view>
#include <typeinfo>

#include "lbasim/base/error.h"

namespace lbasim::fuzz {

[[noreturn]] inline void bug(std::string_view what) {
  std::fprintf(stderr, "lbasim fuzz: %.*s\n", static_cast<int>(what.size()), what.data());
  std::abort();
}

// Runs fn(); returns true if it returned, false if it refused the input with an InputError.
template <typename Fn>
bool accepts(Fn&& fn) {
  try {
    fn();
    return true;
  } catch (const InputError& e) {
    if (std::string_view(e.what()).empty()) bug("InputError with an empty message");
    return false;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "lbasim fuzz: %s escaped: %s\n", typeid(e).name(), e.what());
    std::abort();
  } catch (...) {
    bug("a non-std exception escaped");
  }
}

// Aborts unless cond holds: an invariant of accepted input (e.g. a round trip).
inline void check(bool cond, std::string_view what) {
  if (!cond) bug(what);
}

}  // namespace lbasim::fuzz
