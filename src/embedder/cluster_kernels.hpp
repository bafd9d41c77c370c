#pragma once
// The agglomerative clustering kernels behind trackkit::cluster_distances (src/embedder/cluster.cpp).
#include <ATen/core/Tensor.h>

#include <cstdint>

namespace trackkit::detail {

/// distances float32 [N,N] contiguous (overwritten: it holds the clusters' linkage distances as they merge).
/// Merges the two closest clusters (ties: lowest row, then lowest column) while their distance is < threshold;
/// merged clusters keep the lower row index. Writes merges int64 [N,2] (kept row, removed row) in merge order and
/// count int64 [1] (how many rows of merges are valid). Runs on the device of `distances`.
void agglomerate_cpu(at::Tensor& distances, int32_t linkage, float threshold, at::Tensor& merges, at::Tensor& count);
#ifdef TRACKKIT_WITH_CUDA
void agglomerate_cuda(at::Tensor& distances, int32_t linkage, float threshold, at::Tensor& merges, at::Tensor& count);
#endif

} // namespace trackkit::detail
