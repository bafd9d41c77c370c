#pragma once
// Catch2 v2/v3 shim: tests include this and use TEST_CASE, REQUIRE, Approx and TK_SKIP alike on both.
#if TK_CATCH2_MAJOR == 3
#include <catch2/catch_approx.hpp>
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>
using Catch::Approx;
/// Skips the rest of the test case with a reason (reported as skipped).
#define TK_SKIP(reason) SKIP(reason)
#else
#include <catch2/catch.hpp>
/// v2 has no skip: the reason is printed as a warning and the test case returns.
#define TK_SKIP(reason)          \
  do {                           \
    WARN("SKIPPED: " << reason); \
    return;                      \
  } while (0)
#endif
#include <cstdlib>
#include <functional>
#include <string>

#include "trackkit/error.hpp"

/// Test data folder from TRACKKIT_DATA ("" when unset).
inline std::string tk_test_data_dir() {
  const char* dir = std::getenv("TRACKKIT_DATA");
  return dir != nullptr ? std::string(dir) : std::string();
}

/// The message of the trackkit::Error that `f` throws ("" when it throws none).
inline std::string tk_error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const trackkit::Error& e) {
    return e.what();
  }
  return "";
}
