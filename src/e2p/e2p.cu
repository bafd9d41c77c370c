// EquirectToPinhole on CUDA: one launch for B frames x V views. Each thread computes `Pix` neighbouring output
// pixels of one row: their rays on the fly (no coordinate grid in memory), the taps, the value. Views' rays
// travel as a __grid_constant__ parameter (read through the constant cache, uniform in a block).
// uint8 [.,3] bilinear (the 360 pipeline's case) has its own path: two horizontal taps (6 bytes) per pair of
// aligned 8-byte loads and the 4 pixels' 12 bytes stored as three 4-byte words. Everything else goes through
// sample_pixel(), the CPU path's own function (e2p_formula.hpp).
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
#pragma unroll
  for (int k = 0; k < Pix; ++k) {
    const int32_t i = i0 + k;
    if (i >= p.out_width) break;
    float sx, sy;
    source_position(p.rays[v], p.equirect, static_cast<float>(i), static_cast<float>(j), sx, sy);
    sample_pixel<Mode>(frame, p.in, p.channels, p.equirect, sx, sy, image + i * p.out_pixel, p.out_channel);
  }
}

/// Bytes 0..5 of the 6 starting at `at` (two neighbouring 3-byte pixels), from the one or two aligned 8-byte
/// words holding them. Rows are 8-byte aligned, so neither word leaves the rows the bytes are in.
__device__ __forceinline__ uint64_t load_pair(const uint8_t* at) {
  const uintptr_t address = reinterpret_cast<uintptr_t>(at);
  const uint64_t* word = reinterpret_cast<const uint64_t*>(address & ~uintptr_t{7});
  const uint32_t shift = static_cast<uint32_t>(address & 7) * 8;
  const uint64_t lo = __ldg(word);
  if (shift == 0) return lo;
  const uint64_t hi = shift > 16 ? __ldg(word + 1) : 0;
  return (lo >> shift) | (hi << (64 - shift));
}

__device__ __forceinline__ float byte_of(uint64_t bits, int index) {
  return static_cast<float>(static_cast<uint32_t>(bits >> (8 * index)) & 0xffu);
}

template <int Pix, bool Wide>
__global__ void __launch_bounds__(kBlockX* kBlockY)
    e2p_bilinear_u8c3_kernel(const uint8_t* __restrict__ in, uint8_t* __restrict__ out, const __grid_constant__ Launch p) {
  const int32_t j = blockIdx.y * kBlockY + threadIdx.y;
  if (j >= p.out_height) return;
  const int32_t i0 = (blockIdx.x * kBlockX + threadIdx.x) * Pix;
  if (i0 >= p.out_width) return;
  const int32_t b = blockIdx.z / p.views, v = blockIdx.z - b * p.views;
  const uint8_t* frame = in + b * p.in_frame;
  uint8_t* row_out = out + b * p.out_frame + v * p.out_image + j * p.out_row;
  const int32_t w = p.equirect.width, h = p.equirect.height;
  const int64_t stride = p.in.row;
  uint8_t values[Pix * 3];
#pragma unroll
  for (int k = 0; k < Pix; ++k) {
    float sx, sy;
    source_position(p.rays[v], p.equirect, static_cast<float>(i0 + k), static_cast<float>(j), sx, sy);
    const float fx0 = floorf(sx), fy0 = floorf(sy);
    const float ax = sx - fx0, ay = sy - fy0;
    const int32_t x0 = static_cast<int32_t>(fx0), y0 = static_cast<int32_t>(fy0);
    if (Wide && x0 >= 0 && x0 + 1 < w && y0 >= 0 && y0 + 1 < h) {
      const uint8_t* top = frame + y0 * stride + 3 * x0;
      const uint64_t t = load_pair(top), d = load_pair(top + stride);
#pragma unroll
      for (int c = 0; c < 3; ++c) {
        const float p00 = byte_of(t, c), p01 = byte_of(t, 3 + c), p10 = byte_of(d, c), p11 = byte_of(d, 3 + c);
        const float upper = p00 + ax * (p01 - p00), lower = p10 + ax * (p11 - p10);
        values[3 * k + c] = store_value<uint8_t>(upper + ay * (lower - upper));
      }
    } else {
      sample_pixel<1>(frame, p.in, 3, p.equirect, sx, sy, values + 3 * k, 1);
    }
  }
  uint8_t* dst = row_out + 3 * i0;
  if (Pix == 4 && i0 + 4 <= p.out_width && (reinterpret_cast<uintptr_t>(dst) & 3) == 0) {
    uint32_t* words = reinterpret_cast<uint32_t*>(dst);
#pragma unroll
    for (int q = 0; q < 3; ++q) {
      words[q] = values[4 * q] | (values[4 * q + 1] << 8) | (values[4 * q + 2] << 16) |
                 (static_cast<uint32_t>(values[4 * q + 3]) << 24);
    }
  } else {
    for (int k = 0; k < Pix * 3 && i0 + k / 3 < p.out_width; ++k) dst[k] = values[k];
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
  // Pair loads need 8-byte aligned rows (then no 8-byte word crosses into memory the frames do not own).
  const bool aligned = (reinterpret_cast<uintptr_t>(frames.const_data_ptr()) & 7) == 0 && p.in.row % 8 == 0 &&
                       p.in_frame % 8 == 0;
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
    AT_DISPATCH_SWITCH(frames.scalar_type(), "EquirectToPinhole",
                       AT_DISPATCH_CASE(at::kByte, [&] {
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
