// Grey conversion and area downscale of a batch of frames in one kernel (CPU twin: gmc_downscale_cpu.cpp).
// Reading the uint8 frames once is the whole cost; everything after works on the 1/factor^2 smaller image.
#include <ATen/ops/empty.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>

#include "core/cuda_check.hpp"
#include "gmc_grey_formula.hpp"
#include "gmc_torch.hpp"

namespace trackkit::detail::gmc {
namespace {

__global__ void grey_downscale_kernel(const uint8_t* __restrict__ in, float* __restrict__ out, int64_t height,
                                      int64_t width, int channels, int factor, int64_t h, int64_t w, bool rgb) {
  const int64_t x = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  const int64_t y = blockIdx.y;
  const int64_t b = blockIdx.z;
  if (x >= w) return;
  const uint8_t* frame = in + b * height * width * channels;
  out[(b * h + y) * w + x] = grey_block_mean(frame, width, channels, factor, x, y, rgb);
}

} // namespace

at::Tensor grey_downscale_cuda(const at::Tensor& frames, int factor, bool rgb) {
  const c10::cuda::CUDAGuard guard(frames.device());
  const int64_t b = frames.size(0), height = frames.size(1), width = frames.size(2);
  const int64_t h = height / factor, w = width / factor;
  at::Tensor out = at::empty({b, h, w}, frames.options().dtype(at::kFloat));
  if (out.numel() == 0) return out;
  if (h > 65535 || b > 65535) fail_argument("GMC", "frames", "are too many or too tall for the CUDA kernel");
  constexpr int kThreads = 128;
  const dim3 grid(static_cast<unsigned>((w + kThreads - 1) / kThreads), static_cast<unsigned>(h),
                  static_cast<unsigned>(b));
  grey_downscale_kernel<<<grid, kThreads, 0, c10::cuda::getCurrentCUDAStream(frames.device().index())>>>(
      frames.const_data_ptr<uint8_t>(), out.mutable_data_ptr<float>(), height, width, static_cast<int>(frames.size(3)),
      factor, h, w, rgb);
  TK_CUDA_CHECK_LAUNCH("GMC grey_downscale");
  return out;
}

} // namespace trackkit::detail::gmc
