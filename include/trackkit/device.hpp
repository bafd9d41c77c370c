#pragma once
// Device and precision choices shared by every component's options.
#include <c10/core/Device.h>
#include <c10/core/ScalarType.h>

#include <string>
#include <string_view>

#include "trackkit/export.hpp"

namespace trackkit {

enum class Precision { FP32, FP16, BF16 };

/// "fp32" / "fp16" / "bf16" (also "float32", "half", "float16", "bfloat16"); throws Error naming `argument`.
TRACKKIT_API Precision parse_precision(std::string_view text, std::string_view argument = "precision");
TRACKKIT_API const char* precision_name(Precision precision) noexcept;
TRACKKIT_API c10::ScalarType scalar_type(Precision precision) noexcept;

/// True when this build has CUDA kernels, LibTorch has CUDA and at least one GPU is visible.
TRACKKIT_API bool cuda_available() noexcept;
TRACKKIT_API int cuda_device_count() noexcept;
/// True when trackkit was built with its CUDA kernels (TRACKKIT_CUDA).
TRACKKIT_API bool built_with_cuda() noexcept;

/// Resolves "cpu", "cuda", "cuda:N" or "auto" (cuda:0 when a GPU is available, else cpu).
/// Throws Error naming `argument` for unknown text (InvalidArgument) or an unavailable GPU (Device).
TRACKKIT_API c10::Device parse_device(std::string_view text, std::string_view argument = "device");

/// The device and precision every component's options carry.
struct DeviceOptions {
  std::string device = "auto";           ///< "auto", "cpu", "cuda" or "cuda:N"
  Precision precision = Precision::FP32; ///< compute precision of models (coordinates stay FP32)
};

} // namespace trackkit
