#pragma once
// The per-pixel arithmetic of the crop kernels, shared by the CPU and CUDA versions so both compute the same
// expression (both are compiled without fused multiply-adds, so they agree bit for bit): an affine map from crop
// pixel indices to frame index coordinates (pixel centres at integers, as OpenCV), bilinear sampling of uint8 BGR/RGB
// frames, and the per-channel normalisation.
// Box crops of the OpenCV kind reuse the letterbox's replica of OpenCV's fixed-point resize.
#include <cmath>
#include <cstdint>

#include "ops/letterbox_formula.hpp"

namespace trackkit::detail {

enum CropMode : int32_t {
  kCropAffine = 0,      // aligned crops: affine map, taps outside the frame read `fill`
  kCropSubpixelBox = 1, // box crops, float edges: the sample point is clamped to the rectangle
  kCropOpenCVBox = 2    // box crops, integer edges in `rect` (x1, y1, x2, y2): OpenCV's fixed-point resize
};

/// What is the same for every crop of a call.
struct CropNorm {
  float mean[3];      // per output channel, 0..255 units
  float inv_std[3];   // 1 / std
  int32_t channel[3]; // frame channel read for output channel c
  float fill;         // value of taps outside the frame (aligned crops)
  int32_t mode;       // kCropAffine, kCropSubpixelBox or kCropOpenCVBox
  int32_t quantize;   // 1: sampled values rounded to integers (half up), as uint8 crops are
  int64_t out_h, out_w;
};

/// One frame tap: a pixel inside the frame, or `fill` outside it (only reachable for aligned crops).
TK_HOST_DEVICE float frame_tap(const uint8_t* frame, int64_t h, int64_t w, int64_t x, int64_t y, int32_t c,
                               float fill) {
  if (x < 0 || y < 0 || x >= w || y >= h) return fill;
  return static_cast<float>(frame[(y * w + x) * 3 + c]);
}

/// OpenCV's vertical taps: unlike the horizontal ones (linear_tap), rows before the first or past the last keep their
/// fractional weights and read the clipped row twice (resizeGeneric_Invoker clips row indices, not the weights).
TK_HOST_DEVICE LinearTap linear_tap_rows(int64_t d, double scale, int64_t size) {
  float f = static_cast<float>((static_cast<double>(d) + 0.5) * scale - 0.5);
  const auto s = static_cast<int32_t>(floorf(f));
  f -= static_cast<float>(s);
  const auto last = static_cast<int32_t>(size - 1);
  const int32_t i0 = s < 0 ? 0 : (s > last ? last : s), i1 = s + 1 < 0 ? 0 : (s + 1 > last ? last : s + 1);
  return {i0, i1, round_half_even((1.f - f) * 2048.f), round_half_even(f * 2048.f)};
}

/// Normalised values of crop pixel (u, v): `affine` (6 floats, row-major 2x3) maps (u, v, 1) to the frame's index
/// coordinates; `rect` (x_min, y_min, x_max, y_max) bounds the sample point of box crops.
TK_HOST_DEVICE void crop_pixel(const uint8_t* frame, int64_t h, int64_t w, const float* affine, const float* rect,
                               int64_t u, int64_t v, const CropNorm& n, float out[3]) {
  if (n.mode == kCropOpenCVBox) { // cv2.resize(frame[y1:y2, x1:x2]): taps inside the cut crop, OpenCV's scale
    const auto x1 = static_cast<int64_t>(rect[0]), y1 = static_cast<int64_t>(rect[1]);
    const auto cw = static_cast<int64_t>(rect[2]) - x1, ch = static_cast<int64_t>(rect[3]) - y1;
    const LinearTap tx = linear_tap(u, 1.0 / (static_cast<double>(n.out_w) / static_cast<double>(cw)), cw);
    const LinearTap ty = linear_tap_rows(v, 1.0 / (static_cast<double>(n.out_h) / static_cast<double>(ch)), ch);
    for (int c = 0; c < 3; ++c) {
      const uint8_t* p = frame + (y1 * w + x1) * 3 + n.channel[c];
      const int32_t value = resize_linear_u8(p, w * 3, 3, tx, ty);
      out[c] = (static_cast<float>(value) - n.mean[c]) * n.inv_std[c];
    }
    return;
  }
  const bool clamp = n.mode == kCropSubpixelBox;
  const float fu = static_cast<float>(u), fv = static_cast<float>(v);
  float x = affine[0] * fu + affine[1] * fv + affine[2];
  float y = affine[3] * fu + affine[4] * fv + affine[5];
  if (clamp) {
    x = fminf(fmaxf(x, rect[0]), rect[2]);
    y = fminf(fmaxf(y, rect[1]), rect[3]);
  }
  const float x0f = floorf(x), y0f = floorf(y);
  const float ax = x - x0f, ay = y - y0f;
  int64_t x0 = static_cast<int64_t>(x0f), y0 = static_cast<int64_t>(y0f);
  int64_t x1 = x0 + 1, y1 = y0 + 1;
  if (clamp) { // the second tap of a point on the last pixel centre has weight 0: keep its index in the frame
    x1 = x1 < w ? x1 : w - 1;
    y1 = y1 < h ? y1 : h - 1;
  }
  for (int c = 0; c < 3; ++c) {
    const int32_t ch = n.channel[c];
    const float t00 = frame_tap(frame, h, w, x0, y0, ch, n.fill), t01 = frame_tap(frame, h, w, x1, y0, ch, n.fill);
    const float t10 = frame_tap(frame, h, w, x0, y1, ch, n.fill), t11 = frame_tap(frame, h, w, x1, y1, ch, n.fill);
    const float top = (1.f - ax) * t00 + ax * t01, bottom = (1.f - ax) * t10 + ax * t11;
    float value = (1.f - ay) * top + ay * bottom;
    if (n.quantize) value = floorf(value + 0.5f);
    out[c] = (value - n.mean[c]) * n.inv_std[c];
  }
}

} // namespace trackkit::detail
