#include <ATen/Parallel.h>

#include <vector>

#include "cluster_formula.hpp"
#include "cluster_kernels.hpp"

namespace trackkit::detail {

// Generic agglomerative clustering with a nearest-neighbour cache (each row's closest active column), the
// same steps as the CUDA kernel (cluster.cu) in sequence.
void agglomerate_cpu(at::Tensor& distances, int32_t linkage, float threshold, at::Tensor& merges, at::Tensor& count) {
  const int64_t n = distances.size(0);
  float* d = distances.mutable_data_ptr<float>();
  int64_t* out = merges.mutable_data_ptr<int64_t>();
  std::vector<uint8_t> active(n, 1);
  std::vector<float> size(n, 1.f), nn_d(n);
  std::vector<int64_t> nn(n);
  at::parallel_for(0, n, 64, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) nearest(d + i * n, active.data(), n, i, nn_d[i], nn[i]);
  });
  int64_t merged = 0;
  while (true) {
    int64_t a = -1;
    float best = 0;
    for (int64_t i = 0; i < n; ++i)
      if (active[i] && nn[i] >= 0 && (a < 0 || closer(nn_d[i], i, best, a))) best = nn_d[i], a = i;
    if (a < 0 || !(best < threshold)) break;
    int64_t b = nn[a];
    if (b < a) std::swap(a, b);
    out[2 * merged] = a, out[2 * merged + 1] = b, ++merged;
    for (int64_t k = 0; k < n; ++k) {
      if (!active[k] || k == a || k == b) continue;
      const float v = merged_distance(linkage, d[a * n + k], d[b * n + k], size[a], size[b]);
      d[a * n + k] = v, d[k * n + a] = v;
    }
    active[b] = 0, size[a] += size[b];
    at::parallel_for(0, n, 256, [&](int64_t begin, int64_t end) {
      for (int64_t k = begin; k < end; ++k) {
        if (!active[k]) continue;
        if (k == a || nn[k] == a || nn[k] == b)
          nearest(d + k * n, active.data(), n, k, nn_d[k], nn[k]);
        else if (closer(d[k * n + a], a, nn_d[k], nn[k]))
          nn_d[k] = d[k * n + a], nn[k] = a;
      }
    });
  }
  count.mutable_data_ptr<int64_t>()[0] = merged;
}

} // namespace trackkit::detail
