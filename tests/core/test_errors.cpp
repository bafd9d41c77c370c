// Errors, argument checks, devices, precision, logging and version.
#include <ATen/ATen.h>

#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "catch.hpp"
#include "trackkit/core.hpp"

using trackkit::Error;
using trackkit::ErrorCode;
using trackkit::TensorCheck;

namespace {

// Runs f, which must throw trackkit::Error; returns (code, message).
template <typename F>
std::pair<ErrorCode, std::string> error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return {e.code(), e.what()};
  }
  FAIL("expected trackkit::Error");
  return {};
}

} // namespace

TEST_CASE("error codes have stable values and names") {
  // The C ABI relies on these numbers.
  CHECK(static_cast<int>(ErrorCode::InvalidArgument) == 1);
  CHECK(static_cast<int>(ErrorCode::Internal) == 8);
  CHECK(std::string(trackkit::error_code_name(ErrorCode::OutOfMemory)) == "out of memory");
  const Error e(ErrorCode::NotFound, "load: path 'x.pt' does not exist");
  CHECK(e.code() == ErrorCode::NotFound);
  CHECK(std::string(e.what()) == "load: path 'x.pt' does not exist");
}

TEST_CASE("TensorCheck names the function, the argument, the expectation and what was given") {
  const at::Tensor t = at::zeros({5, 3});
  auto [code, msg] = error_of([&] { TensorCheck("box_iou", "boxes1", t).shape({"N", 4}); });
  CHECK(code == ErrorCode::InvalidArgument);
  CHECK(msg == "box_iou: boxes1 must have shape [N,4], got [5,3]");

  std::tie(code, msg) = error_of([&] { TensorCheck("f", "frames", t).dim(4); });
  CHECK(msg == "f: frames must have 4 dimensions, got shape [5,3]");

  std::tie(code, msg) = error_of([&] { TensorCheck("f", "frames", t).dtype(at::kByte); });
  CHECK(msg == "f: frames must have dtype Byte, got Float");

  std::tie(code, msg) = error_of([&] { TensorCheck("f", "ids", t.to(at::kLong)).floating(); });
  CHECK(msg == "f: ids must have dtype Half or BFloat16 or Float or Double, got Long");

  std::tie(code, msg) = error_of([&] { TensorCheck("f", "x", t).device_type(c10::kCUDA); });
  CHECK(code == ErrorCode::Device);
  CHECK(msg == "f: x must be on cuda, got a tensor on cpu");

  std::tie(code, msg) = error_of([&] { TensorCheck("f", "x", t.t()).contiguous(); });
  CHECK(msg.find("f: x must be contiguous") == 0);

  std::tie(code, msg) = error_of([&] { TensorCheck("f", "x", at::zeros({0, 4})).non_empty(); });
  CHECK(msg == "f: x must not be empty, got shape [0,4]");

  std::tie(code, msg) = error_of([&] { TensorCheck("f", "x", at::Tensor()); });
  CHECK(msg == "f: x is an undefined tensor");

  std::tie(code, msg) = error_of([&] { TensorCheck("f", "x", t).last_dim(4, 2, 3); });
  CHECK(msg == "f: x must have shape [...,4] with 2 to 3 dimensions, got [5,3]");
}

TEST_CASE("TensorCheck::finite rejects NaN and infinity, accepts finite and empty") {
  at::Tensor t = at::rand({4, 4});
  CHECK_NOTHROW(TensorCheck("f", "boxes", t).finite());
  CHECK_NOTHROW(TensorCheck("f", "boxes", at::empty({0, 4})).finite());
  t[2][1] = std::numeric_limits<float>::quiet_NaN();
  auto [code, msg] = error_of([&] { TensorCheck("f", "boxes", t).finite(); });
  CHECK(msg == "f: boxes contains NaN or infinite values");
  t[2][1] = std::numeric_limits<float>::infinity();
  CHECK_THROWS_AS(TensorCheck("f", "boxes", t).finite(), Error);
}

TEST_CASE("TensorCheck passes valid tensors through every check") {
  const at::Tensor t = at::rand({2, 7, 4});
  CHECK_NOTHROW(TensorCheck("f", "x", t)
                    .dim(3)
                    .shape({"B", 7, 4})
                    .last_dim(4)
                    .floating()
                    .dtype(at::kFloat)
                    .device_type(c10::kCPU)
                    .same_device(at::zeros({1}), "y")
                    .contiguous()
                    .non_empty()
                    .finite());
}

TEST_CASE("parse_device accepts cpu/auto/cuda:N and names the argument otherwise") {
  CHECK(trackkit::parse_device("cpu") == c10::Device(c10::kCPU));
  CHECK(trackkit::parse_device("CPU") == c10::Device(c10::kCPU));
  const c10::Device automatic = trackkit::parse_device("auto");
  CHECK(automatic.is_cuda() == trackkit::cuda_available());

  auto [code, msg] = error_of([] { trackkit::parse_device("gpu0", "options.device"); });
  CHECK(code == ErrorCode::InvalidArgument);
  CHECK(msg == "parse_device: options.device must be auto, cpu, cuda or cuda:N, got 'gpu0'");
  CHECK_THROWS_AS(trackkit::parse_device("cuda:"), Error);
  CHECK_THROWS_AS(trackkit::parse_device("cuda:x"), Error);

  const int n = trackkit::cuda_device_count();
  std::tie(code, msg) = error_of([n] { trackkit::parse_device("cuda:" + std::to_string(n)); });
  CHECK(code == ErrorCode::Device);
  if (n > 0) {
    CHECK(trackkit::parse_device("cuda") == c10::Device(c10::kCUDA, 0));
    CHECK(msg.find("only " + std::to_string(n) + " GPU(s) are visible") != std::string::npos);
  }
}

TEST_CASE("precision names round-trip and map to dtypes") {
  using trackkit::Precision;
  for (Precision p : {Precision::FP32, Precision::FP16, Precision::BF16}) {
    CHECK(trackkit::parse_precision(trackkit::precision_name(p)) == p);
  }
  CHECK(trackkit::scalar_type(Precision::FP16) == at::kHalf);
  CHECK(trackkit::scalar_type(Precision::BF16) == at::kBFloat16);
  CHECK(trackkit::parse_precision("half") == Precision::FP16);
  auto [code, msg] = error_of([] { trackkit::parse_precision("int8", "detector.precision"); });
  CHECK(msg == "parse_precision: detector.precision must be fp32, fp16 or bf16, got 'int8'");
}

TEST_CASE("logging filters by level and reaches a custom sink") {
  using trackkit::LogLevel;
  const LogLevel saved = trackkit::log_level();
  std::vector<std::pair<LogLevel, std::string>> seen;
  trackkit::configure_logging(LogLevel::Info, [&](LogLevel l, std::string_view m) { seen.emplace_back(l, m); });
  REQUIRE(seen.size() == 1);
  CHECK(seen[0].first == LogLevel::Info);
  CHECK(seen[0].second == "logging configured: level=info, sink=custom");

  trackkit::configure_logging(LogLevel::Warn, [&](LogLevel l, std::string_view m) { seen.emplace_back(l, m); });
  CHECK(seen.size() == 1); // the info line is below warn
  CHECK(trackkit::log_level() == LogLevel::Warn);

  CHECK(trackkit::parse_log_level("WARNING") == LogLevel::Warn);
  CHECK(trackkit::parse_log_level("off") == LogLevel::Off);
  CHECK_THROWS_AS(trackkit::parse_log_level("loud"), Error);
  trackkit::set_log_sink({});
  trackkit::set_log_level(saved);
}

TEST_CASE("version and build info describe this build") {
  CHECK(std::string(trackkit::version()) == TRACKKIT_VERSION_STRING);
  const std::string info = trackkit::build_info();
  CHECK(info.find(std::string("trackkit ") + TRACKKIT_VERSION_STRING) == 0);
  CHECK(info.find(trackkit::built_with_cuda() ? "CUDA kernels ON" : "CUDA kernels OFF") != std::string::npos);
#ifdef TRACKKIT_WITH_CUDA
  CHECK(trackkit::built_with_cuda());
#else
  CHECK_FALSE(trackkit::built_with_cuda());
#endif
}
