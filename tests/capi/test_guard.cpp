// tk_guard: what each kind of C++ exception becomes at the C boundary (status and tk_last_error()).
#include <ATen/ATen.h>
#include <c10/util/Exception.h>

#include <new>
#include <stdexcept>
#include <string>

#include "catch.hpp"
#include "guard.hpp"
#include "trackkit/error.hpp"

namespace {

const c10::SourceLocation here{"test", "test_guard.cpp", 1};

template <typename Body>
tk_status run(Body&& body) {
  return trackkit::capi::tk_guard("tk_test", std::forward<Body>(body));
}

std::string last_error() { return tk_last_error(); }

} // namespace

TEST_CASE("tk_guard maps trackkit errors to their status and keeps the message") {
  CHECK(run([] { trackkit::fail_argument("tk_test", "frames", "must be uint8"); }) == TK_ERR_INVALID_ARGUMENT);
  CHECK(last_error().find("frames") != std::string::npos);
  CHECK(run([] { throw trackkit::Error(trackkit::ErrorCode::Cuda, "launch failed"); }) == TK_ERR_CUDA);
  CHECK(run([] { throw trackkit::Error(trackkit::ErrorCode::NotFound, "no file"); }) == TK_ERR_NOT_FOUND);
  CHECK(run([] {}) == TK_OK);
  CHECK(last_error().empty());
}

TEST_CASE("tk_guard maps LibTorch's CUDA failures to TK_ERR_CUDA, not TK_ERR_INTERNAL") {
  CHECK(run([] { throw c10::AcceleratorError(here, 700, "CUDA error: an illegal memory access was encountered"); }) ==
        TK_ERR_CUDA);
  CHECK(last_error().rfind("tk_test: ", 0) == 0);
  CHECK(last_error().find("illegal memory access") != std::string::npos);
  CHECK(run([] { throw c10::Error(here, "CUDA error: unspecified launch failure"); }) == TK_ERR_CUDA);
  CHECK(run([] { throw c10::Error(here, "CUDA driver error: invalid device context"); }) == TK_ERR_CUDA);
  CHECK(run([] { throw c10::Error(here, "Expected all tensors to be on the same device"); }) == TK_ERR_INTERNAL);
}

TEST_CASE("tk_guard maps memory exhaustion and other exceptions") {
  CHECK(run([] { throw c10::OutOfMemoryError(here, "CUDA out of memory. Tried to allocate 2 GiB"); }) ==
        TK_ERR_OUT_OF_MEMORY);
  CHECK(run([] { throw std::bad_alloc(); }) == TK_ERR_OUT_OF_MEMORY);
  // LibTorch's real CPU allocator failure (a 2^60-byte request), not a hand-written message.
  CHECK(run([] { at::empty({int64_t(1) << 58}, at::kFloat); }) == TK_ERR_OUT_OF_MEMORY);
  CHECK(last_error().rfind("tk_test: out of host memory: ", 0) == 0);
  CHECK(run([] { throw std::runtime_error("boom"); }) == TK_ERR_INTERNAL);
  CHECK(last_error() == "tk_test: boom");
  CHECK(run([] { throw 42; }) == TK_ERR_INTERNAL);
  CHECK(last_error() == "tk_test: unknown exception");
}
