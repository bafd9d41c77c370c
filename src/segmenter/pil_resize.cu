#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>

#include "core/cuda_check.hpp"
#include "pil_resize_formula.hpp"
#include "pil_resize_kernels.hpp"

namespace trackkit::detail {
namespace {

struct Pass {
  int64_t h, w, oh, ow, taps;
  bool horizontal;
};

// One thread per output pixel (x fastest, so writes and a horizontal pass's reads coalesce; a vertical pass reads
// neighbouring columns of the same input rows).
__global__ void pil_pass_kernel(const uint8_t* __restrict__ src, const int64_t* __restrict__ first,
                                const int32_t* __restrict__ weights, uint8_t* __restrict__ dst, Pass p) {
  const int64_t x = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  const int64_t y = blockIdx.y;
  const int64_t plane = blockIdx.z;
  if (x >= p.ow) return;
  const uint8_t* in = src + plane * p.h * p.w;
  uint8_t v;
  if (p.horizontal) {
    v = pil_sample(in + y * p.w, 1, first[x], p.w - 1, weights + x * p.taps, p.taps);
  } else {
    v = pil_sample(in + x, p.w, first[y], p.h - 1, weights + y * p.taps, p.taps);
  }
  dst[(plane * p.oh + y) * p.ow + x] = v;
}

} // namespace

void pil_pass_cuda(const at::Tensor& in, const at::Tensor& first, const at::Tensor& weights, bool horizontal,
                   at::Tensor& out) {
  const c10::cuda::CUDAGuard guard(in.device());
  const Pass p{in.size(1), in.size(2), out.size(1), out.size(2), weights.size(1), horizontal};
  if (in.size(0) == 0 || p.oh == 0 || p.ow == 0) return;
  const dim3 block(128);
  const dim3 grid(static_cast<unsigned>((p.ow + 127) / 128), static_cast<unsigned>(p.oh),
                  static_cast<unsigned>(in.size(0)));
  pil_pass_kernel<<<grid, block, 0, c10::cuda::getCurrentCUDAStream()>>>(
      in.const_data_ptr<uint8_t>(), first.const_data_ptr<int64_t>(), weights.const_data_ptr<int32_t>(),
      out.mutable_data_ptr<uint8_t>(), p);
  TK_CUDA_CHECK_LAUNCH("pil_bilinear_resize");
}

} // namespace trackkit::detail
