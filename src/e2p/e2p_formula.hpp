#pragma once
// The per-pixel arithmetic of EquirectToPinhole, shared by the CUDA kernel (e2p.cu) and the CPU path
// (e2p_cpu.cpp) so both compute the same expression: a view pixel's ray, its longitude and latitude, the
// equirect position they fall on, and the taps around it with the seam and pole rules.
//
// Index coordinates: equirect pixel k has its centre at k (continuous coordinate k + 0.5, docs/conventions.md).
// Longitude -pi..pi spans the width left to right, latitude +pi/2..-pi/2 the height top to bottom:
//   sx = lon * W / (2 pi) + W / 2 - 0.5,   sy = H / 2 - lat * H / pi - 0.5.
// Seam: columns wrap modulo W. Poles: a row above row 0 (below row H-1) is the mirrored row on the opposite
// meridian, column + W/2: the sphere continues over the pole, so no tap is clamped or dropped.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "core/host_device.hpp"

namespace trackkit::detail::e2p {

/// A view's rays: direction of pixel (i, j) (indices, centre at i, j) = a * i + b * j + c, in the equirect's
/// frame (x right = longitude +90°, y down = south pole, z forward = longitude 0). Built on the host in double.
struct ViewRays {
  float ax, ay, az, bx, by, bz, cx, cy, cz;
};

/// The equirect the rays land on.
struct Equirect {
  int32_t width, height;
  float lon_scale, lat_scale; // W / (2 pi), H / pi
};

/// lo / hi for 0 <= lo <= hi: the GPU's approximate division (a reciprocal and a product, 2 ulp), the CPU's exact one.
TK_HOST_DEVICE float ratio(float lo, float hi) {
#ifdef __CUDA_ARCH__
  return __fdividef(lo, hi);
#else
  return lo / hi;
#endif
}

/// sqrt(v) for v > 0: the GPU's reciprocal square root times v (no IEEE fix-up branch), the CPU's sqrt.
TK_HOST_DEVICE float root(float v) {
#ifdef __CUDA_ARCH__
  return v * rsqrtf(v);
#else
  return std::sqrt(v);
#endif
}

/// atan(a) for a in [0, 1]: a degree-15 odd minimax polynomial, |error| < 1.2e-7 rad (1.5e-4 px at 8K).
TK_HOST_DEVICE float atan_unit(float a) {
  const float t = a * a;
  float p = -0.004054546356201172f;
  p = p * t + 0.021862883120775223f;
  p = p * t - 0.05591222271323204f;
  p = p * t + 0.09642189741134644f;
  p = p * t - 0.1390862613916397f;
  p = p * t + 0.19946564733982086f;
  p = p * t - 0.33329859375953674f;
  p = p * t + 0.9999993443489075f;
  return p * a;
}

/// atan2(y, x) for x >= 0 without library calls: one division, the polynomial, a select and a sign.
TK_HOST_DEVICE float atan2_right(float y, float x) {
  const float ay = fabsf(y);
  const float r = atan_unit(ratio(fminf(x, ay), fmaxf(fmaxf(x, ay), 1e-30f)));
  return copysignf(ay > x ? 1.5707963267948966f - r : r, y);
}

/// atan2(y, x) for any x: atan2_right on |x|, mirrored for x < 0.
TK_HOST_DEVICE float fast_atan2(float y, float x) {
  const float ax = fabsf(x), ay = fabsf(y);
  float r = atan_unit(ratio(fminf(ax, ay), fmaxf(fmaxf(ax, ay), 1e-30f)));
  r = ay > ax ? 1.5707963267948966f - r : r;
  return copysignf(x < 0.f ? 3.141592653589793f - r : r, y);
}

/// The part of a view's ray that depends on the row only: b * j + c (computed once per row).
struct RowRay {
  float x, y, z;
};
TK_HOST_DEVICE RowRay row_ray(const ViewRays& v, float j) {
  return {v.bx * j + v.cx, v.by * j + v.cy, v.bz * j + v.cz};
}

/// Equirect index coordinates (sx, sy) seen by pixel i of the row.
TK_HOST_DEVICE void source_position(const ViewRays& v, const RowRay& row, const Equirect& e, float i, float& sx,
                                    float& sy) {
  const float x = v.ax * i + row.x, y = v.ay * i + row.y, z = v.az * i + row.z;
  const float lon = fast_atan2(x, z);
  const float lat = atan2_right(-y, root(fmaxf(x * x + z * z, 1e-30f)));
  sx = lon * e.lon_scale + (0.5f * static_cast<float>(e.width) - 0.5f);
  sy = (0.5f * static_cast<float>(e.height) - 0.5f) - lat * e.lat_scale;
}

/// Moves tap (x, y) into the image: over a pole onto the opposite meridian, then across the seam. Valid for
/// y in [-H, 2H) and x in (-W, 2W) before the pole shift, which every interpolation here stays within.
TK_HOST_DEVICE void wrap_tap(int32_t& x, int32_t& y, int32_t width, int32_t height) {
  if (y < 0) {
    y = -1 - y, x += width >> 1;
  } else if (y >= height) {
    y = 2 * height - 1 - y, x += width >> 1;
  }
  if (x < 0) {
    x += width;
  } else if (x >= width) {
    x -= width;
    if (x >= width) x -= width;
  }
}

/// Keys' cubic convolution weights (a = -0.75, as OpenCV's INTER_CUBIC and PyTorch's bicubic) for taps at
/// -1, 0, 1, 2 around a fraction t in [0, 1).
TK_HOST_DEVICE void cubic_weights(float t, float w[4]) {
  const float a = -0.75f;
  const float t1 = t + 1.f, t2 = 1.f - t;
  w[0] = ((a * t1 - 5.f * a) * t1 + 8.f * a) * t1 - 4.f * a;
  w[1] = ((a + 2.f) * t - (a + 3.f)) * t * t + 1.f;
  w[2] = ((a + 2.f) * t2 - (a + 3.f)) * t2 * t2 + 1.f;
  w[3] = 1.f - w[0] - w[1] - w[2];
}

/// v in [0, 255] rounded to the nearest integer (ties to even) without a conversion instruction: adding 1.5 * 2^23
/// leaves the rounded value in the sum's low mantissa bits.
TK_HOST_DEVICE uint32_t round_level(float v) {
  const float m = v + 12582912.f;
#ifdef __CUDA_ARCH__
  return __float_as_uint(m) & 0xffu;
#else
  uint32_t bits;
  std::memcpy(&bits, &m, sizeof bits);
  return bits & 0xffu;
#endif
}

/// Float sample value -> stored value: uint8 clamps to [0, 255] and rounds to nearest (ties to even), floats convert.
template <typename T>
TK_HOST_DEVICE T store_value(float v) {
  if constexpr (sizeof(T) == 1) {
    return static_cast<T>(round_level(fminf(fmaxf(v, 0.f), 255.f)));
  } else {
    return static_cast<T>(v);
  }
}

/// A read through the read-only data cache on the GPU (uint8, float; half converts after a plain load).
template <typename T>
TK_HOST_DEVICE float load_value(const T* p) {
#ifdef __CUDA_ARCH__
  if constexpr (std::is_same_v<T, uint8_t> || std::is_same_v<T, float>) return static_cast<float>(__ldg(p));
#endif
  return static_cast<float>(*p);
}

/// Strides (elements) of one equirect frame: between neighbouring pixels in a row, rows, channels.
struct FrameStrides {
  int64_t pixel, row, channel;
};

/// Samples all `channels` of frame at (sx, sy) with interpolation Mode (0 nearest, 1 bilinear, 3 bicubic) and
/// writes them to out[c * out_channel].
template <int Mode, typename T>
TK_HOST_DEVICE void sample_pixel(const T* frame, FrameStrides s, int channels, const Equirect& e, float sx, float sy,
                                 T* out, int64_t out_channel) {
  const int32_t w = e.width, h = e.height;
  if constexpr (Mode == 0) {
    int32_t x = static_cast<int32_t>(floorf(sx + 0.5f)), y = static_cast<int32_t>(floorf(sy + 0.5f));
    wrap_tap(x, y, w, h);
    const T* p = frame + y * s.row + x * s.pixel;
    for (int c = 0; c < channels; ++c) out[c * out_channel] = p[c * s.channel];
  } else if constexpr (Mode == 1) {
    const float fx0 = floorf(sx), fy0 = floorf(sy);
    const float ax = sx - fx0, ay = sy - fy0;
    int32_t xs[4], ys[4];
    xs[0] = xs[2] = static_cast<int32_t>(fx0), xs[1] = xs[3] = xs[0] + 1;
    ys[0] = ys[1] = static_cast<int32_t>(fy0), ys[2] = ys[3] = ys[0] + 1;
    int64_t off[4];
    for (int k = 0; k < 4; ++k) {
      wrap_tap(xs[k], ys[k], w, h);
      off[k] = ys[k] * s.row + xs[k] * s.pixel;
    }
    for (int c = 0; c < channels; ++c) {
      const T* p = frame + c * s.channel;
      const float p00 = load_value(p + off[0]), p01 = load_value(p + off[1]);
      const float p10 = load_value(p + off[2]), p11 = load_value(p + off[3]);
      const float top = p00 + ax * (p01 - p00), bottom = p10 + ax * (p11 - p10);
      out[c * out_channel] = store_value<T>(top + ay * (bottom - top));
    }
  } else {
    const float fx0 = floorf(sx), fy0 = floorf(sy);
    float wx[4], wy[4];
    cubic_weights(sx - fx0, wx);
    cubic_weights(sy - fy0, wy);
    const int32_t x0 = static_cast<int32_t>(fx0) - 1, y0 = static_cast<int32_t>(fy0) - 1;
    for (int c = 0; c < channels; ++c) {
      const T* p = frame + c * s.channel;
      float sum = 0.f;
      for (int r = 0; r < 4; ++r) {
        float row = 0.f;
        for (int k = 0; k < 4; ++k) {
          int32_t x = x0 + k, y = y0 + r;
          wrap_tap(x, y, w, h);
          row += wx[k] * load_value(p + y * s.row + x * s.pixel);
        }
        sum += wy[r] * row;
      }
      out[c * out_channel] = store_value<T>(sum);
    }
  }
}

} // namespace trackkit::detail::e2p
