#pragma once
// One output pixel of the grey, area-downscaled frame, shared by the CPU and CUDA kernels so both compute the
// same expression: the mean over a factor x factor block of BT.601 luma (OpenCV's cvtColor weights).
#include <cstdint>

#include "core/host_device.hpp"

namespace trackkit::detail::gmc {

/// frame: one [H,W,C] uint8 image (C = 1 or 3, channel order B,G,R unless rgb); (x, y): output pixel.
TK_HOST_DEVICE float grey_block_mean(const uint8_t* frame, int64_t width, int channels, int factor, int64_t x,
                                     int64_t y, bool rgb) {
  const float wb = 0.114f, wg = 0.587f, wr = 0.299f;
  const int ib = rgb ? 2 : 0, ir = rgb ? 0 : 2;
  float sum = 0.f;
  for (int dy = 0; dy < factor; ++dy) {
    const uint8_t* row = frame + ((y * factor + dy) * width + x * factor) * channels;
    for (int dx = 0; dx < factor; ++dx) {
      const uint8_t* p = row + dx * channels;
      sum += channels == 1 ? static_cast<float>(p[0]) : wb * p[ib] + wg * p[1] + wr * p[ir];
    }
  }
  return sum / static_cast<float>(factor * factor);
}

} // namespace trackkit::detail::gmc
