#include <ATen/ops/empty.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>

#include "cluster_formula.hpp"
#include "cluster_kernels.hpp"
#include "core/cuda_check.hpp"

namespace trackkit::detail {
namespace {

constexpr int kThreads = 1024;

// The whole merge loop in one block (so every step is separated by __syncthreads alone, with no launch per merge):
// per step a block-wide argmin over the rows' cached nearest neighbours, the Lance-Williams update of the kept row
// and column, then the cache refreshed (a full rescan only for rows whose neighbour was one of the merged pair).
// The same steps as agglomerate_cpu, in parallel.
__global__ void agglomerate_kernel(float* __restrict__ d, int64_t n, int32_t linkage, float threshold,
                                   uint8_t* __restrict__ active, float* __restrict__ size, float* __restrict__ nn_d,
                                   int64_t* __restrict__ nn, int64_t* __restrict__ merges,
                                   int64_t* __restrict__ count) {
  __shared__ float best_d[kThreads];
  __shared__ int64_t best_i[kThreads];
  __shared__ int64_t pair[2];
  const int t = threadIdx.x;
  for (int64_t i = t; i < n; i += kThreads) active[i] = 1, size[i] = 1.f;
  __syncthreads();
  for (int64_t i = t; i < n; i += kThreads) nearest(d + i * n, active, n, i, nn_d[i], nn[i]);
  __syncthreads();
  int64_t merged = 0;
  while (true) {
    float bd = 0;
    int64_t bi = -1;
    for (int64_t i = t; i < n; i += kThreads)
      if (active[i] && nn[i] >= 0 && (bi < 0 || closer(nn_d[i], i, bd, bi))) bd = nn_d[i], bi = i;
    best_d[t] = bd, best_i[t] = bi;
    __syncthreads();
    for (int s = kThreads / 2; s > 0; s >>= 1) {
      if (t < s && best_i[t + s] >= 0 && (best_i[t] < 0 || closer(best_d[t + s], best_i[t + s], best_d[t], best_i[t])))
        best_d[t] = best_d[t + s], best_i[t] = best_i[t + s];
      __syncthreads();
    }
    if (t == 0) {
      const int64_t i = best_i[0];
      if (i < 0 || !(best_d[0] < threshold)) {
        pair[0] = -1;
      } else {
        const int64_t j = nn[i];
        pair[0] = i < j ? i : j, pair[1] = i < j ? j : i;
        merges[2 * merged] = pair[0], merges[2 * merged + 1] = pair[1];
      }
    }
    __syncthreads();
    const int64_t a = pair[0], b = pair[1];
    if (a < 0) break;
    ++merged;
    for (int64_t k = t; k < n; k += kThreads) {
      if (!active[k] || k == a || k == b) continue;
      const float v = merged_distance(linkage, d[a * n + k], d[b * n + k], size[a], size[b]);
      d[a * n + k] = v, d[k * n + a] = v;
    }
    __syncthreads();
    if (t == 0) active[b] = 0, size[a] += size[b];
    __syncthreads();
    for (int64_t k = t; k < n; k += kThreads) {
      if (!active[k]) continue;
      if (k == a || nn[k] == a || nn[k] == b)
        nearest(d + k * n, active, n, k, nn_d[k], nn[k]);
      else if (closer(d[k * n + a], a, nn_d[k], nn[k]))
        nn_d[k] = d[k * n + a], nn[k] = a;
    }
    __syncthreads();
  }
  if (t == 0) count[0] = merged;
}

} // namespace

void agglomerate_cuda(at::Tensor& distances, int32_t linkage, float threshold, at::Tensor& merges, at::Tensor& count) {
  const int64_t n = distances.size(0);
  const c10::cuda::CUDAGuard guard(distances.device());
  const auto o = distances.options();
  at::Tensor active = at::empty({n}, o.dtype(at::kByte)), size = at::empty({n}, o.dtype(at::kFloat));
  at::Tensor nn_d = at::empty({n}, o.dtype(at::kFloat)), nn = at::empty({n}, o.dtype(at::kLong));
  agglomerate_kernel<<<1, kThreads, 0, c10::cuda::getCurrentCUDAStream()>>>(
      distances.mutable_data_ptr<float>(), n, linkage, threshold, active.mutable_data_ptr<uint8_t>(),
      size.mutable_data_ptr<float>(), nn_d.mutable_data_ptr<float>(), nn.mutable_data_ptr<int64_t>(),
      merges.mutable_data_ptr<int64_t>(), count.mutable_data_ptr<int64_t>());
  TK_CUDA_CHECK_LAUNCH("agglomerate");
}

} // namespace trackkit::detail
