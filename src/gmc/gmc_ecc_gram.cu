// The Gram matrix of one batched ECC iteration (gmc_ecc_formula.hpp) for every pair in one kernel: warp,
// bilinear sampling of the image and its gradients, Jacobian and all sums in a single read of the level,
// instead of some thirty elementwise ATen passes. CPU twin: gmc_ecc_gram_cpu.cpp.
#include <ATen/ops/zeros.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>

#include <algorithm>

#include "core/cuda_check.hpp"
#include "gmc_ecc_formula.hpp"
#include "gmc_torch.hpp"

namespace trackkit::detail::gmc {
namespace {

constexpr int kThreads = 256;

// Grid: x strides over a pair's pixels, y = pair. Each thread sums its pixels in float (a few dozen terms of
// zero-mean rows), a warp adds its lanes, and the block's warps meet in shared double before one atomic add
// per entry to the pair's row of `out`.
template <int P>
__global__ void ecc_gram_kernel(const float* __restrict__ templ, const float* __restrict__ sources,
                                const float* __restrict__ params, const float* __restrict__ offsets,
                                double* __restrict__ out, int64_t h, int64_t w) {
  constexpr int K = P + 3, E = K * (K + 1) / 2;
  __shared__ double block_sum[E];
  for (int e = threadIdx.x; e < E; e += blockDim.x) block_sum[e] = 0;
  __syncthreads();
  const int64_t n = blockIdx.y, hw = h * w;
  float m[8];
  for (int k = 0; k < 8; ++k) m[k] = params[n * 8 + k];
  const float t_ref = offsets[2 * n], i_ref = offsets[2 * n + 1];
  float acc[E];
  for (int e = 0; e < E; ++e) acc[e] = 0.f;
  float row[K];
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < hw;
       i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    if (!ecc_pixel_row<P>(templ + n * hw, sources + n * 3 * hw, m, t_ref, i_ref, h, w, i, row)) continue;
    int e = 0;
#pragma unroll
    for (int a = 0; a < K; ++a) {
#pragma unroll
      for (int b = a; b < K; ++b, ++e) acc[e] += row[a] * row[b];
    }
  }
#pragma unroll
  for (int e = 0; e < E; ++e) {
    float v = acc[e];
    for (int offset = 16; offset > 0; offset /= 2) v += __shfl_down_sync(0xffffffffu, v, offset);
    if ((threadIdx.x & 31) == 0) atomicAdd(&block_sum[e], static_cast<double>(v));
  }
  __syncthreads();
  for (int e = threadIdx.x; e < E; e += blockDim.x) atomicAdd(&out[n * E + e], block_sum[e]);
}

} // namespace

at::Tensor ecc_gram_cuda(const EccGramInput& in, int p) {
  const c10::cuda::CUDAGuard guard(in.templ.device());
  const int64_t n = in.templ.size(0), h = in.templ.size(1), w = in.templ.size(2), k = p + 3;
  at::Tensor out = at::zeros({n, k * (k + 1) / 2}, in.templ.options().dtype(at::kDouble));
  if (n == 0 || h * w == 0) return out;
  if (n > 65535) fail_argument("GMC", "frames", "hold more pairs than one CUDA launch takes (65535)");
  // About 64 pixels a thread: enough blocks to fill the GPU with small batches, few atomics with large.
  const int64_t blocks = std::clamp<int64_t>((h * w + kThreads * 64 - 1) / (kThreads * 64), 1, 1024);
  const dim3 grid(static_cast<unsigned>(blocks), static_cast<unsigned>(n));
  const cudaStream_t stream = c10::cuda::getCurrentCUDAStream(in.templ.device().index());
  const float* t = in.templ.const_data_ptr<float>();
  const float* s = in.sources.const_data_ptr<float>();
  const float* m = in.params.const_data_ptr<float>();
  const float* r = in.offsets.const_data_ptr<float>();
  double* o = out.mutable_data_ptr<double>();
  if (p == 2) ecc_gram_kernel<2><<<grid, kThreads, 0, stream>>>(t, s, m, r, o, h, w);
  if (p == 3) ecc_gram_kernel<3><<<grid, kThreads, 0, stream>>>(t, s, m, r, o, h, w);
  if (p == 6) ecc_gram_kernel<6><<<grid, kThreads, 0, stream>>>(t, s, m, r, o, h, w);
  TK_CUDA_CHECK_LAUNCH("GMC ecc_gram");
  return out;
}

} // namespace trackkit::detail::gmc
