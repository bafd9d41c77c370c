#pragma once
// Agglomerative clustering arithmetic shared by the CPU and CUDA kernels: the Lance-Williams update of a merged
// cluster's distances and the tie rule (lower index first), so both devices merge in the same order. Both files are
// compiled without fused multiply-adds.
#include <cstdint>

#include "core/host_device.hpp"

namespace trackkit::detail {

enum LinkageCode : int32_t { kLinkAverage = 0, kLinkComplete = 1, kLinkSingle = 2 };

/// Distance from cluster k to the union of clusters a (size na) and b (size nb).
TK_HOST_DEVICE float merged_distance(int32_t linkage, float d_ak, float d_bk, float na, float nb) {
  if (linkage == kLinkComplete) return d_ak > d_bk ? d_ak : d_bk;
  if (linkage == kLinkSingle) return d_ak < d_bk ? d_ak : d_bk;
  return (na * d_ak + nb * d_bk) / (na + nb);
}

/// True when candidate (d, index) beats the current best (best_d, best_index): smaller distance, then lower index.
TK_HOST_DEVICE bool closer(float d, int64_t index, float best_d, int64_t best_index) {
  return d < best_d || (d == best_d && index < best_index);
}

/// Nearest active neighbour of row i among columns [0,n) of `row` (best distance, -1 if none).
TK_HOST_DEVICE void nearest(const float* row, const uint8_t* active, int64_t n, int64_t i, float& best_d,
                            int64_t& best) {
  best = -1;
  best_d = 0;
  for (int64_t k = 0; k < n; ++k) {
    if (k == i || !active[k]) continue;
    if (best < 0 || closer(row[k], k, best_d, best)) best_d = row[k], best = k;
  }
}

} // namespace trackkit::detail
