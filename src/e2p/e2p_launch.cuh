#pragma once
// Pieces the CUDA kernels of EquirectToPinhole share (e2p.cu, e2p_u8_tiled.cu): the launch parameters and the
// uint8 3-channel bilinear sampler without conversion instructions.
#include <cuda_runtime.h>

#include <cstdint>

#include "e2p_kernels.hpp"

namespace trackkit::detail::e2p {

constexpr int kBlockX = 32, kBlockY = 8;

/// One launch: up to kMaxViewsPerLaunch views of B frames; strides in elements.

struct Launch {
  ViewRays rays[kMaxViewsPerLaunch];
  Equirect equirect;
  FrameStrides in;
  int64_t in_frame;
  int64_t out_pixel, out_row, out_channel, out_image, out_frame;
  int32_t channels, out_width, out_height, views;
};

/// Byte Q of w as the float 1 + byte / 2^15 (bits 0x3F80bb00): one byte permute, no conversion instruction.
template <int Q>
__device__ __forceinline__ float unit_byte(uint32_t w) {
  return __uint_as_float(__byte_perm(w, 0x3F800000u, 0x7604u | (Q << 4)));
}

/// Floor of v (|v| < 2^22) as an integer and a float without conversion instructions: v - 0.5 rounded to nearest.
/// At an exact integer it may give v - 1 with fraction 1, which interpolates to the same value.
__device__ __forceinline__ int32_t floor_split(float v, float& floor_value) {
  const float m = (v - 0.5f) + 12582912.f;
  floor_value = m - 12582912.f;
  return __float_as_int(m) - 0x4B400000;
}

/// Bilinear position: the top-left tap (x0, y0) and the weights (ax, ay) of (sx, sy), by floor_split().
struct Taps {
  int32_t x0, y0;
  float ax, ay;
};
__device__ __forceinline__ Taps taps_of(float sx, float sy) {
  Taps t;
  float fx0, fy0;
  t.x0 = floor_split(sx, fx0), t.y0 = floor_split(sy, fy0);
  t.ax = sx - fx0, t.ay = sy - fy0;
  return t;
}

/// Bilinear of 3-channel taps given as words: top row ta = (p00, p01.r), tb = (p01.g, p01.b, ..), bottom row
/// likewise; each byte becomes the float 1 + byte / 2^15 by a byte permute and the result is rounded by one add
/// (+383 puts the level in the low mantissa byte).
__device__ __forceinline__ void lerp_u8c3(uint32_t ta, uint32_t tb, uint32_t da, uint32_t db, float ax, float ay,
                                          uint32_t* levels) {
  const float p00[3] = {unit_byte<0>(ta), unit_byte<1>(ta), unit_byte<2>(ta)};
  const float p01[3] = {unit_byte<3>(ta), unit_byte<0>(tb), unit_byte<1>(tb)};
  const float p10[3] = {unit_byte<0>(da), unit_byte<1>(da), unit_byte<2>(da)};
  const float p11[3] = {unit_byte<3>(da), unit_byte<0>(db), unit_byte<1>(db)};
#pragma unroll
  for (int c = 0; c < 3; ++c) {
    const float upper = p00[c] + ax * (p01[c] - p00[c]), lower = p10[c] + ax * (p11[c] - p10[c]);
    levels[c] = __float_as_uint((upper + ay * (lower - upper)) + 383.f) & 0xffu;
  }
}

/// The uint8 [.,3] bilinear sample of taps inside the frame (0 <= x0 <= W - 2, 0 <= y0 <= H - 2) into
/// levels[0..2]. A row's two taps (6 bytes) come from two or three aligned 4-byte loads (32-bit word indices from
/// the frame's base: rows are a multiple of 4 bytes long, frames < 2 GiB), aligned by funnel shifts.
__device__ __forceinline__ void bilinear_u8c3_inside(const uint8_t* frame, uint32_t row_bytes, Taps t,
                                                     uint32_t* levels) {
  const uint32_t at = static_cast<uint32_t>(t.y0) * row_bytes + 3u * static_cast<uint32_t>(t.x0);
  const uint32_t shift = 8 * (at & 3);
  const uint32_t* top = reinterpret_cast<const uint32_t*>(frame) + (at >> 2);
  const uint32_t* bottom = reinterpret_cast<const uint32_t*>(frame) + ((at >> 2) + (row_bytes >> 2));
  const bool third = (at & 3) == 3; // the 6 bytes reach into a third word
  const uint32_t t0 = __ldg(top), t1 = __ldg(top + 1), t2 = third ? __ldg(top + 2) : 0u;
  const uint32_t d0 = __ldg(bottom), d1 = __ldg(bottom + 1), d2 = third ? __ldg(bottom + 2) : 0u;
  lerp_u8c3(__funnelshift_r(t0, t1, shift), __funnelshift_r(t1, t2, shift), __funnelshift_r(d0, d1, shift),
            __funnelshift_r(d1, d2, shift), t.ax, t.ay, levels);
}

/// One uint8 [.,3] bilinear sample at (sx, sy) into levels[0..2]: bilinear_u8c3_inside() where the four taps lie
/// inside the frame and rows allow word loads (Wide), else sample_pixel() with the seam and pole rules.
template <bool Wide>
__device__ __forceinline__ void bilinear_u8c3(const uint8_t* frame, const Launch& p, float sx, float sy,
                                              uint32_t* levels) {
  const Taps t = taps_of(sx, sy);
  // Both taps of both rows inside: 0 <= x0 <= W - 2 and 0 <= y0 <= H - 2, as two unsigned compares.
  if (Wide && static_cast<uint32_t>(t.x0) < static_cast<uint32_t>(p.equirect.width - 1) &&
      static_cast<uint32_t>(t.y0) < static_cast<uint32_t>(p.equirect.height - 1)) {
    bilinear_u8c3_inside(frame, static_cast<uint32_t>(p.in.row), t, levels);
  } else {
    uint8_t values[3];
    sample_pixel<1>(frame, p.in, 3, p.equirect, sx, sy, values, 1);
    levels[0] = values[0], levels[1] = values[1], levels[2] = values[2];
  }
}

/// B frames x launch.views views, uint8 [.,3] bilinear, by tiles of 64 x 64 pixels whose taps are staged in shared
/// memory where they fit (e2p_u8_tiled.cu). Output images must be < 4 GiB (32-bit offsets).
void launch_u8c3_tiled(bool wide, int64_t images, cudaStream_t stream, const uint8_t* in, uint8_t* out,
                       const Launch& launch);

} // namespace trackkit::detail::e2p
