#include <ATen/Dispatch.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#include <c10/util/BFloat16.h>
#include <c10/util/Half.h>

#include "core/cuda_check.hpp"
#include "crop_kernels.hpp"

namespace trackkit::detail {
namespace {

constexpr int kThreads = 256;

// Block x = crop (no 65535 limit on N), block y = a run of 256 crop pixels; each thread writes one pixel's three
// channels, coalesced along the crop's rows.
template <typename T>
__global__ void crop_affine_kernel(const uint8_t* __restrict__ frames, int64_t h, int64_t w,
                                   const int64_t* __restrict__ frame_index, const float* __restrict__ affine,
                                   const float* __restrict__ rect, CropNorm norm, T* __restrict__ out) {
  const int64_t k = blockIdx.x;
  const int64_t p = static_cast<int64_t>(blockIdx.y) * kThreads + threadIdx.x;
  const int64_t plane = norm.out_h * norm.out_w;
  if (p >= plane) return;
  const int64_t u = p % norm.out_w, v = p / norm.out_w;
  float value[3];
  crop_pixel(frames + frame_index[k] * h * w * 3, h, w, affine + k * 6, rect + k * 4, u, v, norm, value);
  T* dst = out + k * 3 * plane + p;
  for (int c = 0; c < 3; ++c) dst[c * plane] = static_cast<T>(value[c]);
}

} // namespace

void crop_affine_cuda(const at::Tensor& frames, const at::Tensor& frame_index, const at::Tensor& affine,
                      const at::Tensor& rect, const CropNorm& norm, at::Tensor& out) {
  const int64_t n = out.size(0);
  if (n == 0) return;
  const c10::cuda::CUDAGuard guard(frames.device());
  const dim3 grid(static_cast<unsigned>(n), static_cast<unsigned>((norm.out_h * norm.out_w + kThreads - 1) / kThreads));
  const cudaStream_t stream = c10::cuda::getCurrentCUDAStream();
  AT_DISPATCH_FLOATING_TYPES_AND2(at::kHalf, at::kBFloat16, out.scalar_type(), "crop_affine_cuda", [&] {
    crop_affine_kernel<scalar_t><<<grid, kThreads, 0, stream>>>(
        frames.const_data_ptr<uint8_t>(), frames.size(1), frames.size(2), frame_index.const_data_ptr<int64_t>(),
        affine.const_data_ptr<float>(), rect.const_data_ptr<float>(), norm, out.mutable_data_ptr<scalar_t>());
  });
  TK_CUDA_CHECK_LAUNCH("crop_affine");
}

} // namespace trackkit::detail
