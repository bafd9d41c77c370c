#pragma once
// YUV -> 8-bit BGR/RGB, the per-pixel arithmetic the CPU (yuv_to_bgr_cpu.cpp) and CUDA (yuv_to_bgr.cu) kernels
// share. Samples are first scaled to 8-bit units (so one set of coefficients serves 8-, 10-, 12- and 16-bit video),
// then the range is expanded and the colour matrix applied (ITU-R BT.601 / BT.709 / BT.2020, the non-constant
// luminance equations) and the result rounded half up and clamped to [0,255]. float32 throughout, in this order, on
// both sides; the CUDA file is compiled with --fmad=false and the CPU file with -ffp-contract=off, so that neither
// fuses a multiply and an add and both give the same byte for every input.
#include <cstdint>

#include "core/host_device.hpp"

namespace trackkit::detail::video {

/// Everything about one plane set that the per-pixel formula needs, precomputed on the host (yuv_coefficients()).
struct YuvCoefficients {
  float luma_scale, luma_bias;     // Y' (0..255 scale) = raw_y * luma_scale + luma_bias
  float chroma_scale, chroma_bias; // Cb, Cr (-127.5..127.5 scale) = raw * chroma_scale + chroma_bias
  float r_cr, g_cb, g_cr, b_cb;    // R = Y' + r_cr Cr, G = Y' - g_cb Cb - g_cr Cr, B = Y' + b_cb Cb
};

/// Coefficients for samples of `bits` significant bits (8..16, after any right shift of the raw sample), full
/// (JPEG, 0..2^bits-1) or limited (MPEG: luma 16..235 and chroma 16..240 scaled by 2^(bits-8)) range, and the
/// matrix's luma weights kr, kb (kg = 1 - kr - kb).
inline YuvCoefficients yuv_coefficients(int bits, bool full_range, double kr, double kb) {
  const double max_code = static_cast<double>((1 << bits) - 1), step = static_cast<double>(1 << (bits - 8));
  // Full range: code D of n bits means D / (2^n - 1) of white, chroma centred on 2^(n-1). Limited range: code
  // D means D / 2^(n-8) on the 8-bit scale, white at 235, black at 16, chroma 16..240 centred on 128.
  const double unit = full_range ? 255.0 / max_code : 1.0 / step;
  const double luma_gain = full_range ? 1.0 : 255.0 / 219.0, chroma_gain = full_range ? 1.0 : 255.0 / 224.0;
  const double luma_black = full_range ? 0.0 : 16.0;
  const double chroma_zero = full_range ? static_cast<double>(1 << (bits - 1)) * unit : 128.0;
  const double kg = 1.0 - kr - kb;
  YuvCoefficients c;
  c.luma_scale = static_cast<float>(unit * luma_gain);
  c.luma_bias = static_cast<float>(-luma_black * luma_gain);
  c.chroma_scale = static_cast<float>(unit * chroma_gain);
  c.chroma_bias = static_cast<float>(-chroma_zero * chroma_gain);
  c.r_cr = static_cast<float>(2.0 * (1.0 - kr));
  c.b_cb = static_cast<float>(2.0 * (1.0 - kb));
  c.g_cb = static_cast<float>(2.0 * (1.0 - kb) * kb / kg);
  c.g_cr = static_cast<float>(2.0 * (1.0 - kr) * kr / kg);
  return c;
}

/// Rounds half up and clamps to a byte. Truncating x + 0.5 equals flooring it wherever the clamp keeps the result
/// (x + 0.5 > 0); written with integers so that the CPU loops vectorise. |x| stays far below 2^31 (no NaN: integer
/// inputs).
TK_HOST_DEVICE uint8_t to_byte(float x) {
  const int32_t v = static_cast<int32_t>(x + 0.5f);
  return static_cast<uint8_t>(v < 0 ? 0 : v > 255 ? 255 : v);
}

/// One pixel: raw luma and chroma samples (already shifted to their significant bits) -> 3 bytes at out in the
/// order blue, green, red (rgb = false) or red, green, blue.
TK_HOST_DEVICE void yuv_pixel(const YuvCoefficients& c, uint32_t y, uint32_t u, uint32_t v, bool rgb, uint8_t* out) {
  const float luma = static_cast<float>(y) * c.luma_scale + c.luma_bias;
  const float cb = static_cast<float>(u) * c.chroma_scale + c.chroma_bias;
  const float cr = static_cast<float>(v) * c.chroma_scale + c.chroma_bias;
  const uint8_t r = to_byte(luma + c.r_cr * cr);
  const uint8_t g = to_byte(luma - c.g_cb * cb - c.g_cr * cr);
  const uint8_t b = to_byte(luma + c.b_cb * cb);
  out[0] = rgb ? r : b;
  out[1] = g;
  out[2] = rgb ? b : r;
}

/// One plane of samples: element (row j, column i) at base + j * row_bytes + i * step_bytes, of `bytes` (1 or 2,
/// little-endian) and right-shifted by `shift` (P010 keeps its 10 bits at the top of 16: shift 6).
struct Plane {
  const uint8_t* base;
  int64_t row_bytes, step_bytes;
  int bytes, shift;
};

TK_HOST_DEVICE uint32_t sample(const Plane& p, int64_t row, int64_t column) {
  const uint8_t* at = p.base + row * p.row_bytes + column * p.step_bytes;
  const uint32_t raw = p.bytes == 1 ? at[0] : static_cast<uint32_t>(at[0]) | (static_cast<uint32_t>(at[1]) << 8);
  return raw >> p.shift;
}

/// A frame's three planes. Chroma sample (i >> chroma_shift_x, j >> chroma_shift_y) serves pixel (i, j): nearest
/// chroma, each 2x2 block of 4:2:0 sharing one sample, as libswscale's unscaled YUV -> RGB converters and
/// OpenCV's cvtColor do.
struct YuvPlanes {
  Plane y, u, v;
  int chroma_shift_x, chroma_shift_y;
  int64_t width, height;
};

TK_HOST_DEVICE void convert_pixel(const YuvPlanes& f, const YuvCoefficients& c, bool rgb, int64_t row, int64_t column,
                                  uint8_t* out) {
  const int64_t cr = row >> f.chroma_shift_y, cc = column >> f.chroma_shift_x;
  yuv_pixel(c, sample(f.y, row, column), sample(f.u, cr, cc), sample(f.v, cr, cc), rgb, out);
}

} // namespace trackkit::detail::video
