#pragma once
// Error conventions for metarl.
//  - std::invalid_argument: bad user input (config value, task parameter, file
//    path, action size). The CLI maps it to exit code 2.
//  - std::runtime_error: a failure at run time that is not the user's input
//    (MuJoCo error, I/O failure). The CLI maps it to exit code 1.
// Messages name the key/file/value and what was expected.

#include <sstream>
#include <stdexcept>
#include <string>

namespace metarl {

// Builds a message from stream-able parts: Cat("key ", k, " = ", v).
template <typename... Parts>
std::string Cat(const Parts&... parts) {
  std::ostringstream out;
  (out << ... << parts);
  return out.str();
}

}  // namespace metarl

// Throws std::invalid_argument with the streamed message when `cond` is false.
#define METARL_REQUIRE(cond, ...)                                \
  do {                                                           \
    if (!(cond)) throw std::invalid_argument(::metarl::Cat(__VA_ARGS__)); \
  } while (0)

// Throws std::runtime_error for broken internal invariants / runtime faults.
#define METARL_CHECK(cond, ...)                                  \
  do {                                                           \
    if (!(cond)) throw std::runtime_error(::metarl::Cat("internal check failed: ", #cond, ": ", __VA_ARGS__)); \
  } while (0)
