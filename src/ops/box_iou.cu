#include <ATen/Dispatch.h>
#include <ATen/ops/empty.h>
#include <ATen/ops/zeros.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>

#include <algorithm>

#include "box_iou_kernels.hpp"
#include "core/cuda_check.hpp"
#include "ops/box_iou_formula.hpp"

namespace trackkit::detail {
namespace {

// A block computes a tile of kTileN rows x kTileM columns of one batch item: the tile's boxes are staged in
// shared memory once, then each thread writes kTileN / kBlockRows outputs down one column, so a warp's
// stores are consecutive (the kernel is bound by writing [B,N,M]).
constexpr int kTileM = 64;
constexpr int kBlockRows = 4;
constexpr int kTileN = 128; // 32 outputs a thread: enough independent stores in flight

// Copies one box and its area into shared memory; flags the argument (bit) if a coordinate is not finite.
template <typename T>
__device__ __forceinline__ void stage_box(const T* p, T (&slot)[5], int bit, int* nonfinite) {
  for (int k = 0; k < 4; ++k) slot[k] = p[k];
  slot[4] = clamped_area(p[0], p[1], p[2], p[3]);
  if (!(isfinite(p[0]) && isfinite(p[1]) && isfinite(p[2]) && isfinite(p[3]))) atomicOr(nonfinite, bit);
}

template <typename T>
__global__ void box_iou_kernel(const T* __restrict__ boxes1, const T* __restrict__ boxes2, T* __restrict__ out,
                               int64_t n, int64_t m, int* __restrict__ nonfinite) {
  __shared__ T tile_a[kTileN][5];
  __shared__ T tile_b[kTileM][5];
  const int64_t batch = blockIdx.z;
  const int64_t n0 = static_cast<int64_t>(blockIdx.y) * kTileN;
  const int64_t m0 = static_cast<int64_t>(blockIdx.x) * kTileM;
  const int tid = threadIdx.y * kTileM + threadIdx.x;

  if (tid < kTileM) {
    if (m0 + tid < m) stage_box(boxes2 + (batch * m + m0 + tid) * 4, tile_b[tid], 2, nonfinite);
  } else if (tid < kTileM + kTileN) {
    const int r = tid - kTileM;
    if (n0 + r < n) stage_box(boxes1 + (batch * n + n0 + r) * 4, tile_a[r], 1, nonfinite);
  }
  __syncthreads();

  const int64_t j = m0 + threadIdx.x;
  if (j >= m) return;
  // This thread's column box stays in registers; its output pointer steps down kBlockRows rows at a time.
  const T b[4] = {tile_b[threadIdx.x][0], tile_b[threadIdx.x][1], tile_b[threadIdx.x][2], tile_b[threadIdx.x][3]};
  const T area_b = tile_b[threadIdx.x][4];
  const int rows = static_cast<int>(n - n0 < kTileN ? n - n0 : kTileN);
  T* dst = out + (batch * n + n0 + threadIdx.y) * m + j;
#pragma unroll
  for (int k = 0; k < kTileN / kBlockRows; ++k) {
    const int r = threadIdx.y + k * kBlockRows;
    if (r < rows) dst[static_cast<int64_t>(k) * kBlockRows * m] = pair_iou(tile_a[r], tile_a[r][4], b, area_b);
  }
}

} // namespace

IouResult box_iou_cuda(const at::Tensor& boxes1, const at::Tensor& boxes2) {
  const int64_t batch = boxes1.size(0), n = boxes1.size(1), m = boxes2.size(1);
  const c10::cuda::CUDAGuard guard(boxes1.device());
  at::Tensor out = at::empty({batch, n, m}, boxes1.options());
  if (out.numel() == 0) return {out, 0};
  at::Tensor nonfinite = at::zeros({1}, boxes1.options().dtype(at::kInt));
  constexpr int64_t kMaxGridYZ = 65535;
  if ((n + kTileN - 1) / kTileN > kMaxGridYZ) {
    fail_argument("box_iou", "boxes1", "has more rows than the CUDA kernel supports (8,388,480)");
  }
  const cudaStream_t stream = c10::cuda::getCurrentCUDAStream(boxes1.device().index());
  const dim3 block(kTileM, kBlockRows);
  AT_DISPATCH_FLOATING_TYPES(boxes1.scalar_type(), "box_iou_cuda", [&] {
    // Batches beyond the grid's z limit go in further launches.
    for (int64_t b0 = 0; b0 < batch; b0 += kMaxGridYZ) {
      const int64_t chunk = std::min(kMaxGridYZ, batch - b0);
      const dim3 grid(static_cast<unsigned>((m + kTileM - 1) / kTileM),
                      static_cast<unsigned>((n + kTileN - 1) / kTileN), static_cast<unsigned>(chunk));
      box_iou_kernel<scalar_t><<<grid, block, 0, stream>>>(
          boxes1.const_data_ptr<scalar_t>() + b0 * n * 4, boxes2.const_data_ptr<scalar_t>() + b0 * m * 4,
          out.mutable_data_ptr<scalar_t>() + b0 * n * m, n, m, nonfinite.mutable_data_ptr<int>());
      TK_CUDA_CHECK_LAUNCH("box_iou");
    }
  });
  return {out, nonfinite.item<int>()};
}

} // namespace trackkit::detail
