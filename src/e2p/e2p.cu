// EquirectToPinhole on CUDA: one launch for B frames x V views. Each thread computes `Pix` neighbouring output
// pixels of one row: their rays on the fly (no coordinate grid in memory), the taps, the value. Views' rays
// travel as a __grid_constant__ parameter (read through the constant cache, uniform in a block).
// uint8 [.,3] bilinear (the 360 pipeline's case) has its own sampler without conversion instructions
// (e2p_launch.cuh), by default in the tiled kernel (e2p_u8_tiled.cu), else in e2p_bilinear_u8c3_kernel. Everything
// else goes through sample_pixel(), the CPU path's own function (e2p_formula.hpp).
#include <ATen/Dispatch.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#include <c10/util/Half.h>

#include <algorithm>
#include <cstdint>

#include "core/cuda_check.hpp"
#include "e2p_kernels.hpp"
#include "e2p_launch.cuh"
#include "trackkit/error.hpp"

namespace trackkit::detail::e2p {
namespace {

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

/// uint8 [.,3] bilinear, Pix neighbouring pixels of a row per thread, each tracing its own ray, stored in groups of
/// four pixels: 12 bytes as three aligned words. (The default is the tiled kernel, e2p_u8_tiled.cu.)
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
  uint8_t* dst = out + b * p.out_frame + v * p.out_image + j * p.out_row + 3 * i0;
  const ViewRays& rays = p.rays[v];
  const RowRay row = row_ray(rays, static_cast<float>(j));
  constexpr int kGroup = Pix < 4 ? Pix : 4;
  const bool words = kGroup == 4 && (reinterpret_cast<uintptr_t>(dst) & 3) == 0;
#pragma unroll
  for (int g = 0; g < Pix; g += kGroup) {
    uint32_t levels[kGroup * 3];
#pragma unroll
    for (int k = 0; k < kGroup; ++k) {
      float sx, sy;
      source_position(rays, row, p.equirect, static_cast<float>(i0 + g + k), sx, sy);
      bilinear_u8c3<Wide>(frame, p, sx, sy, levels + 3 * k);
    }
    uint8_t* group = dst + 3 * g;
    if (words && i0 + g + 4 <= p.out_width) {
      uint32_t* word = reinterpret_cast<uint32_t*>(group);
#pragma unroll
      for (int q = 0; q < 3; ++q) {
        const uint32_t lo = __byte_perm(levels[4 * q], levels[4 * q + 1], 0x0040u);
        const uint32_t hi = __byte_perm(levels[4 * q + 2], levels[4 * q + 3], 0x0040u);
        word[q] = __byte_perm(lo, hi, 0x5410u);
      }
    } else {
      for (int k = 0; k < kGroup * 3 && i0 + g + k / 3 < p.out_width; ++k) group[k] = static_cast<uint8_t>(levels[k]);
    }
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
                         if (p.tiles && p.out_image < (int64_t{1} << 32)) {
                           return launch_u8c3_tiled(wide, grid.z, stream, in, dst, launch);
                         }
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
