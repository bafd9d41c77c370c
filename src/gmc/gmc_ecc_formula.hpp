#pragma once
// One pixel's contribution to a batched ECC iteration, shared by the CUDA kernel (gmc_ecc_gram.cu) and its
// CPU twin (gmc_ecc_gram_cpu.cpp) so both compute the same expression. The pixel's row is
// r = [J (P values), T - t_ref, I(W(x)) - i_ref, 1] and the iteration needs the Gram matrix sum r r^T over
// the pixels whose warped position lies inside the input image: from it come the Hessian J J^T, the
// projections of the zero-mean images, their norms and the valid-pixel count (gmc_ecc_torch.cpp).
// Subtracting each image's mean (t_ref, i_ref) first keeps float32 sums free of cancellation.
#include <cmath>
#include <cstdint>

#include "core/host_device.hpp"

namespace trackkit::detail::gmc {

/// Parameters of pixel i (row-major in an h x w level). templ: the pair's template level; sources: its
/// input level, x- and y-gradient planes (3 x h x w); m: the centred warp m00 m01 m02 m10 m11 m12 then
/// cos(theta) sin(theta) (euclidean). P = 2 (translation), 3 (euclidean) or 6 (affine). Returns false
/// (row untouched) when the warped pixel falls outside the input.
template <int P>
TK_HOST_DEVICE bool ecc_pixel_row(const float* templ, const float* sources, const float* m, float t_ref, float i_ref,
                                  int64_t h, int64_t w, int64_t i, float* row) {
  const int64_t y = i / w, x = i - y * w;
  const float cx = 0.5f * static_cast<float>(w), cy = 0.5f * static_cast<float>(h);
  const float X = static_cast<float>(x) + 0.5f - cx, Y = static_cast<float>(y) + 0.5f - cy;
  const float u = m[0] * X + m[1] * Y + m[2] + cx, v = m[3] * X + m[4] * Y + m[5] + cy; // continuous
  if (!(u >= 0.5f && u <= static_cast<float>(w) - 0.5f && v >= 0.5f && v <= static_cast<float>(h) - 0.5f)) {
    return false;
  }
  // Bilinear at pixel-index coordinates (what grid_sample and OpenCV's warpAffine compute inside the image).
  const float fx = u - 0.5f, fy = v - 0.5f;
  const int64_t x0 = static_cast<int64_t>(floorf(fx)), y0 = static_cast<int64_t>(floorf(fy));
  const float ax = fx - static_cast<float>(x0), ay = fy - static_cast<float>(y0);
  const int64_t x1 = x0 + 1 < w ? x0 + 1 : w - 1, y1 = y0 + 1 < h ? y0 + 1 : h - 1;
  const float w00 = (1 - ax) * (1 - ay), w01 = ax * (1 - ay), w10 = (1 - ax) * ay, w11 = ax * ay;
  float s[3];
  for (int c = 0; c < 3; ++c) {
    const float* p = sources + c * h * w;
    s[c] = w00 * p[y0 * w + x0] + w01 * p[y0 * w + x1] + w10 * p[y1 * w + x0] + w11 * p[y1 * w + x1];
  }
  const float gx = s[1], gy = s[2];
  if (P == 2) {
    row[0] = gx, row[1] = gy;
  } else if (P == 3) {
    const float c = m[6], sn = m[7];
    row[0] = gx * (-sn * X - c * Y) + gy * (c * X - sn * Y), row[1] = gx, row[2] = gy;
  } else {
    row[0] = gx * X, row[1] = gx * Y, row[2] = gx, row[3] = gy * X, row[4] = gy * Y, row[5] = gy;
  }
  row[P] = templ[i] - t_ref;
  row[P + 1] = s[0] - i_ref;
  row[P + 2] = 1.f;
  return true;
}

} // namespace trackkit::detail::gmc
