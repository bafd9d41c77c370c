// EquirectToPinhole on CUDA: one launch for B frames x V views. Each thread computes `Pix` neighbouring output
// pixels of one row: their rays on the fly (no coordinate grid in memory), the taps, the value. Views' rays
// travel as a __grid_constant__ parameter (read through the constant cache, uniform in a block).
// uint8 [.,3] bilinear (the 360 pipeline's case) has its own path without conversion instructions (see
// e2p_bilinear_u8c3_kernel). Everything else goes through sample_pixel(), the CPU path's own function
// (e2p_formula.hpp).
#include <ATen/Dispatch.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#include <c10/util/Half.h>

#include <algorithm>
#include <cstdint>

#include "core/cuda_check.hpp"
#include "e2p/e2p_kernels.hpp"
#include "trackkit/error.hpp"

namespace trackkit::detail::e2p {
namespace {

constexpr int kBlockX = 32, kBlockY = 8;

struct Launch {
  ViewRays rays[kMaxViewsPerLaunch];
  Equirect equirect;
  FrameStrides in;
  int64_t in_frame;
  int64_t out_pixel, out_row, out_channel, out_image, out_frame;
  int32_t channels, out_width, out_height, views;
};

template <int Mode, int Pix, typename T>
__global__ void __launch_bounds__(kBlockX* kBlockY)
    e2p_generic_kernel(const T* __restrict__ in, T* __restrict__ out, const __grid_constant__ Launch p) {
  const int32_t j = blockIdx.y * kBlockY + threadIdx.y;
  if (j >= p.out_height) return;
  const int32_t i0 = (blockIdx.x * kBlockX + threadIdx.x) * Pix;
  const int32_t b = blockIdx.z / p.views, v = blockIdx.z - b * p.views;
  const T* frame = in + b * p.in_frame;
  T* image = out + b * p.out_frame + v * p.out_image + j * p.out_row;
  const RowRay row = row_ray(p.rays[v], static_cast<float>(j));
#pragma unroll
  for (int k = 0; k < Pix; ++k) {
    const int32_t i = i0 + k;
    if (i >= p.out_width) break;
    float sx, sy;
    source_position(p.rays[v], row, p.equirect, static_cast<float>(i), sx, sy);
    sample_pixel<Mode>(frame, p.in, p.channels, p.equirect, sx, sy, image + i * p.out_pixel, p.out_channel);
  }
}

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

/// uint8 [.,3] bilinear: positions as everywhere, then for taps inside the image the two horizontal neighbours of a
/// row (6 bytes) come from two or three aligned 4-byte loads, are aligned by funnel shifts and turn into floats
/// 1 + byte / 2^15 by byte permutes; the result is rounded by one add (+383 puts the level in the low mantissa
/// byte) and four pixels' 12 bytes are stored as three words. Taps across the seam or a pole take sample_pixel().
template <int Pix, bool Wide>
__global__ void __launch_bounds__(kBlockX* kBlockY)
    e2p_bilinear_u8c3_kernel(const uint8_t* __restrict__ in, uint8_t* __restrict__ out,
                             const __grid_constant__ Launch p) {
  const int32_t j = blockIdx.y * kBlockY + threadIdx.y;
  if (j >= p.out_height) return;
  const int32_t i0 = (blockIdx.x * kBlockX + threadIdx.x) * Pix;
  if (i0 >= p.out_width) return;
  const int32_t b = blockIdx.z / p.views, v = blockIdx.z - b * p.views;
  const uint8_t* frame = in + b * p.in_frame;
  uint8_t* row_out = out + b * p.out_frame + v * p.out_image + j * p.out_row;
  const int32_t w = p.equirect.width, h = p.equirect.height, stride = static_cast<int32_t>(p.in.row);
  const RowRay row = row_ray(p.rays[v], static_cast<float>(j));
  uint32_t levels[Pix * 3];
#pragma unroll
  for (int k = 0; k < Pix; ++k) {
    float sx, sy, fx0, fy0;
    source_position(p.rays[v], row, p.equirect, static_cast<float>(i0 + k), sx, sy);
    const int32_t x0 = floor_split(sx, fx0), y0 = floor_split(sy, fy0);
    const float ax = sx - fx0, ay = sy - fy0;
    if (Wide && x0 >= 0 && x0 + 1 < w && y0 >= 0 && y0 + 1 < h) {
      const int32_t at = y0 * stride + 3 * x0, shift = 8 * (at & 3);
      const uint32_t* top = reinterpret_cast<const uint32_t*>(frame + (at & ~3));
      const uint32_t* bottom = reinterpret_cast<const uint32_t*>(frame + (at & ~3) + stride);
      const bool third = (at & 3) == 3; // the 6 bytes reach into a third word
      const uint32_t t0 = __ldg(top), t1 = __ldg(top + 1), t2 = third ? __ldg(top + 2) : 0u;
      const uint32_t d0 = __ldg(bottom), d1 = __ldg(bottom + 1), d2 = third ? __ldg(bottom + 2) : 0u;
      const uint32_t ta = __funnelshift_r(t0, t1, shift), tb = __funnelshift_r(t1, t2, shift);
      const uint32_t da = __funnelshift_r(d0, d1, shift), db = __funnelshift_r(d1, d2, shift);
      const float p00[3] = {unit_byte<0>(ta), unit_byte<1>(ta), unit_byte<2>(ta)};
      const float p01[3] = {unit_byte<3>(ta), unit_byte<0>(tb), unit_byte<1>(tb)};
      const float p10[3] = {unit_byte<0>(da), unit_byte<1>(da), unit_byte<2>(da)};
      const float p11[3] = {unit_byte<3>(da), unit_byte<0>(db), unit_byte<1>(db)};
#pragma unroll
      for (int c = 0; c < 3; ++c) {
        const float upper = p00[c] + ax * (p01[c] - p00[c]), lower = p10[c] + ax * (p11[c] - p10[c]);
        levels[3 * k + c] = __float_as_uint((upper + ay * (lower - upper)) + 383.f) & 0xffu;
      }
    } else {
      uint8_t values[3];
      sample_pixel<1>(frame, p.in, 3, p.equirect, sx, sy, values, 1);
      levels[3 * k] = values[0], levels[3 * k + 1] = values[1], levels[3 * k + 2] = values[2];
    }
  }
  uint8_t* dst = row_out + 3 * i0;
  if (Pix == 4 && i0 + 4 <= p.out_width && (reinterpret_cast<uintptr_t>(dst) & 3) == 0) {
    uint32_t* words = reinterpret_cast<uint32_t*>(dst);
#pragma unroll
    for (int q = 0; q < 3; ++q) {
      const uint32_t lo = __byte_perm(levels[4 * q], levels[4 * q + 1], 0x0040u);
      const uint32_t hi = __byte_perm(levels[4 * q + 2], levels[4 * q + 3], 0x0040u);
      words[q] = __byte_perm(lo, hi, 0x5410u);
    }
  } else {
    for (int k = 0; k < Pix * 3 && i0 + k / 3 < p.out_width; ++k) dst[k] = static_cast<uint8_t>(levels[k]);
  }
}

template <int Pix, typename T>
void launch_generic(int mode, dim3 grid, cudaStream_t stream, const T* in, T* out, const Launch& launch) {
  const dim3 block(kBlockX, kBlockY);
  if (mode == 0) {
    e2p_generic_kernel<0, Pix, T><<<grid, block, 0, stream>>>(in, out, launch);
  } else if (mode == 1) {
    e2p_generic_kernel<1, Pix, T><<<grid, block, 0, stream>>>(in, out, launch);
  } else {
    e2p_generic_kernel<3, Pix, T><<<grid, block, 0, stream>>>(in, out, launch);
  }
}

template <int Pix>
void launch_u8c3(bool wide, dim3 grid, cudaStream_t stream, const uint8_t* in, uint8_t* out, const Launch& launch) {
  const dim3 block(kBlockX, kBlockY);
  if (wide) {
    e2p_bilinear_u8c3_kernel<Pix, true><<<grid, block, 0, stream>>>(in, out, launch);
  } else {
    e2p_bilinear_u8c3_kernel<Pix, false><<<grid, block, 0, stream>>>(in, out, launch);
  }
}

} // namespace

void project_cuda(const at::Tensor& frames, const Projection& p, at::Tensor& out) {
  const c10::cuda::CUDAGuard guard(frames.device());
  const cudaStream_t stream = c10::cuda::getCurrentCUDAStream(frames.device().index());
  const int64_t batch = frames.size(0), views = static_cast<int64_t>(p.rays.size());
  if (batch == 0 || views == 0 || out.numel() == 0) return;
  const bool u8c3 = frames.scalar_type() == at::kByte && p.mode == 1 && p.channels == 3 && p.in.pixel == 3 &&
                    p.in.channel == 1 && p.out_pixel == 3 && p.out_channel == 1;
  // Word loads need 4-byte aligned rows (then no word crosses into memory the frames do not own) and 32-bit offsets.
  const bool aligned = (reinterpret_cast<uintptr_t>(frames.const_data_ptr()) & 3) == 0 && p.in.row % 4 == 0 &&
                       p.in_frame % 4 == 0 && p.in_frame < (int64_t{1} << 31);
  const int pix = u8c3 ? p.pixels_per_thread : 4;
  Launch launch{};
  launch.equirect = p.equirect;
  launch.in = p.in;
  launch.in_frame = p.in_frame;
  launch.out_pixel = p.out_pixel, launch.out_row = p.out_row, launch.out_channel = p.out_channel;
  launch.out_image = p.out_image, launch.out_frame = p.out_frame;
  launch.channels = p.channels;
  launch.out_width = static_cast<int32_t>(p.out_width), launch.out_height = static_cast<int32_t>(p.out_height);
  for (int64_t first = 0; first < views; first += kMaxViewsPerLaunch) {
    const int64_t count = std::min<int64_t>(kMaxViewsPerLaunch, views - first);
    std::copy(p.rays.begin() + first, p.rays.begin() + first + count, launch.rays);
    launch.views = static_cast<int32_t>(count);
    const int64_t tile = static_cast<int64_t>(kBlockX) * pix;
    const dim3 grid(static_cast<unsigned>((p.out_width + tile - 1) / tile),
                    static_cast<unsigned>((p.out_height + kBlockY - 1) / kBlockY),
                    static_cast<unsigned>(batch * count));
    if (grid.y > 65535 || grid.z > 65535) {
      fail_argument("EquirectToPinhole", "frames", "give too many frames x views or rows for one CUDA launch");
    }
    AT_DISPATCH_SWITCH(frames.scalar_type(), "EquirectToPinhole", AT_DISPATCH_CASE(at::kByte, [&] {
                         const uint8_t* in = frames.const_data_ptr<uint8_t>();
                         uint8_t* dst = out.mutable_data_ptr<uint8_t>() + first * p.out_image;
                         if (!u8c3) return launch_generic<4>(p.mode, grid, stream, in, dst, launch);
                         const bool wide = p.wide_loads && aligned;
                         if (pix == 1) return launch_u8c3<1>(wide, grid, stream, in, dst, launch);
                         if (pix == 2) return launch_u8c3<2>(wide, grid, stream, in, dst, launch);
                         launch_u8c3<4>(wide, grid, stream, in, dst, launch);
                       }) AT_DISPATCH_CASE(at::kHalf, [&] {
                         launch_generic<4>(p.mode, grid, stream, frames.const_data_ptr<at::Half>(),
                                           out.mutable_data_ptr<at::Half>() + first * p.out_image, launch);
                       }) AT_DISPATCH_CASE(at::kFloat, [&] {
                         launch_generic<4>(p.mode, grid, stream, frames.const_data_ptr<float>(),
                                           out.mutable_data_ptr<float>() + first * p.out_image, launch);
                       }));
    TK_CUDA_CHECK_LAUNCH("EquirectToPinhole");
  }
}

} // namespace trackkit::detail::e2p
