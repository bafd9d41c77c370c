#pragma once
// One output sample of Pillow's fixed-point resampling pass (ImagingResampleHorizontal/Vertical_8bpc), shared by
// the CPU and CUDA kernels (pil_resize_cpu.cpp, pil_resize.cu) so both give Pillow's bytes.
#include <cstdint>

#include "core/host_device.hpp"

namespace trackkit::detail {

constexpr int kPilPrecisionBits = 32 - 8 - 2; // Pillow's PRECISION_BITS for 8-bit images

/// clip8((2^21 + sum_k src[(first + k) * stride] * w[k]) >> 22) over `taps` weights; inputs past `last` (whose
/// weights are 0) read `last`. Sums stay below 2^31: the weights sum to 2^22, the values to 255.
TK_HOST_DEVICE uint8_t pil_sample(const uint8_t* src, int64_t stride, int64_t first, int64_t last, const int32_t* w,
                                  int64_t taps) {
  int32_t acc = int32_t{1} << (kPilPrecisionBits - 1);
  for (int64_t k = 0; k < taps; ++k) {
    const int64_t i = first + k < last ? first + k : last;
    acc += static_cast<int32_t>(src[i * stride]) * w[k];
  }
  acc >>= kPilPrecisionBits;
  return static_cast<uint8_t>(acc < 0 ? 0 : (acc > 255 ? 255 : acc));
}

} // namespace trackkit::detail
