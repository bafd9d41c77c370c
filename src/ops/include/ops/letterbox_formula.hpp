#pragma once
// OpenCV's INTER_LINEAR resize of uint8 images, as integer arithmetic shared by the CPU and CUDA letterbox:
// source coordinates from half-pixel centres (computed in float as OpenCV does), weights quantised to 11 bits
// (INTER_RESIZE_COEF_SCALE 2048, each weight rounded on its own), horizontal sums kept as integers, and the
// vertical pass rounded the way its SIMD path (VResizeLinearVec_32s8u) does, which is what runs on x86.
#include <cmath>
#include <cstdint>

#include "core/host_device.hpp"

namespace trackkit::detail {

struct LinearTap {
  int32_t i0, i1; // source indices
  int32_t w0, w1; // weights, scaled by 2048
};

TK_HOST_DEVICE int32_t round_half_even(float v) {
#ifdef __CUDA_ARCH__
  return __float2int_rn(v);
#else
  return static_cast<int32_t>(std::nearbyint(v));
#endif
}

/// The two source samples of destination index d when `size` source pixels map onto size / scale.
TK_HOST_DEVICE LinearTap linear_tap(int64_t d, double scale, int64_t size) {
  float f = static_cast<float>((static_cast<double>(d) + 0.5) * scale - 0.5);
  int32_t s = static_cast<int32_t>(floorf(f));
  f -= static_cast<float>(s);
  if (s < 0) f = 0, s = 0;
  if (s >= size - 1) f = 0, s = static_cast<int32_t>(size - 1);
  const int32_t s1 = s + 1 < size ? s + 1 : s;
  return {s, s1, round_half_even((1.f - f) * 2048.f), round_half_even(f * 2048.f)};
}

/// One channel: p points at the channel's first byte; rows `row` bytes apart, pixels `pixel` bytes apart.
TK_HOST_DEVICE int32_t resize_linear_u8(const uint8_t* p, int64_t row, int64_t pixel, LinearTap tx, LinearTap ty) {
  const uint8_t* r0 = p + ty.i0 * row;
  const uint8_t* r1 = p + ty.i1 * row;
  const int32_t d0 = r0[tx.i0 * pixel] * tx.w0 + r0[tx.i1 * pixel] * tx.w1;
  const int32_t d1 = r1[tx.i0 * pixel] * tx.w0 + r1[tx.i1 * pixel] * tx.w1;
  const int32_t v = ((ty.w0 * (d0 >> 4)) >> 16) + ((ty.w1 * (d1 >> 4)) >> 16);
  return (v + 2) >> 2;
}

} // namespace trackkit::detail
