#include "trackkit/device.hpp"

#include <ATen/Context.h>
#include <ATen/detail/CUDAHooksInterface.h>

#include <cctype>
#include <string>

#include "trackkit/error.hpp"

namespace trackkit {
namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

} // namespace

Precision parse_precision(std::string_view text, std::string_view argument) {
  const std::string t = lower(text);
  if (t == "fp32" || t == "float32" || t == "float") return Precision::FP32;
  if (t == "fp16" || t == "float16" || t == "half") return Precision::FP16;
  if (t == "bf16" || t == "bfloat16") return Precision::BF16;
  fail_argument("parse_precision", argument, "must be fp32, fp16 or bf16, got '" + std::string(text) + "'");
}

const char* precision_name(Precision precision) noexcept {
  switch (precision) {
    case Precision::FP32: return "fp32";
    case Precision::FP16: return "fp16";
    case Precision::BF16: return "bf16";
  }
  return "?";
}

c10::ScalarType scalar_type(Precision precision) noexcept {
  switch (precision) {
    case Precision::FP16: return c10::kHalf;
    case Precision::BF16: return c10::kBFloat16;
    case Precision::FP32: break;
  }
  return c10::kFloat;
}

bool built_with_cuda() noexcept {
#ifdef TRACKKIT_WITH_CUDA
  return true;
#else
  return false;
#endif
}

int cuda_device_count() noexcept {
  if (!built_with_cuda()) return 0;
  try {
    return at::hasCUDA() ? static_cast<int>(at::detail::getCUDAHooks().deviceCount()) : 0;
  } catch (...) { // a broken driver reads as "no GPU", never as a crash
    return 0;
  }
}

bool cuda_available() noexcept { return cuda_device_count() > 0; }

c10::Device parse_device(std::string_view text, std::string_view argument) {
  const std::string t = lower(text);
  if (t == "cpu") return c10::Device(c10::kCPU);
  if (t == "auto") return cuda_available() ? c10::Device(c10::kCUDA, 0) : c10::Device(c10::kCPU);
  if (t.rfind("cuda", 0) != 0) {
    fail_argument("parse_device", argument, "must be auto, cpu, cuda or cuda:N, got '" + std::string(text) + "'");
  }
  int index = 0;
  if (t.size() > 4) {
    const std::string digits = t.substr(5);
    const bool ok = t[4] == ':' && !digits.empty() && digits.size() <= 4 &&
                    digits.find_first_not_of("0123456789") == std::string::npos;
    if (!ok) {
      fail_argument("parse_device", argument, "must be auto, cpu, cuda or cuda:N, got '" + std::string(text) + "'");
    }
    index = std::stoi(digits);
  }
  const int count = cuda_device_count();
  if (count == 0) {
    fail_argument("parse_device", argument,
                  "asks for '" + std::string(text) + "' but " +
                      (built_with_cuda() ? "no CUDA GPU is visible" : "trackkit was built without CUDA"),
                  ErrorCode::Device);
  }
  if (index >= count) {
    fail_argument("parse_device", argument,
                  "asks for '" + std::string(text) + "' but only " + std::to_string(count) + " GPU(s) are visible",
                  ErrorCode::Device);
  }
  return c10::Device(c10::kCUDA, static_cast<c10::DeviceIndex>(index));
}

} // namespace trackkit
