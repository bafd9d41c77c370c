#pragma once
// Identity clustering of embeddings on their device (cosine distance): agglomerative clustering with a distance
// threshold (average / complete / single linkage) and a density-based option (DBSCAN) that leaves noise unlabelled;
// deterministic, with scores against ground-truth ids. See docs/embedder.md.
#include <ATen/core/Tensor.h>

#include <cstdint>

#include "trackkit/export.hpp"

namespace trackkit {

enum class ClusterMethod {
  Agglomerative, ///< merge the two closest clusters while their linkage distance is < distance_threshold
  Density        ///< DBSCAN: core points (>= min_samples neighbours within eps, itself included) and their reach
};

enum class Linkage {
  Average,  ///< mean pairwise distance (UPGMA)
  Complete, ///< largest pairwise distance
  Single    ///< smallest pairwise distance
};

struct ClusterOptions {
  ClusterMethod method = ClusterMethod::Agglomerative;
  Linkage linkage = Linkage::Average;
  /// Agglomerative: clusters closer than this (cosine distance 1 - cos, in [0,2]) merge, as scikit-learn's
  /// AgglomerativeClustering(distance_threshold=...) does.
  double distance_threshold = 0.5;
  double eps = 0.3;        ///< Density: neighbours are within this cosine distance (<=, as scikit-learn's DBSCAN)
  int64_t min_samples = 3; ///< Density: neighbours (itself included) that make a core point
};

/// embeddings float [N,D] (CPU or CUDA; rows need not be normalised, a zero row is an error) -> int64 [N] labels on
/// the same device: clusters numbered 0, 1, ... in the order of their first row (Density: of their first core row,
/// scikit-learn's numbering); Density labels noise -1. Ties between equal distances go to the lowest row indices,
/// so the result does not depend on the device's thread timing. N may be 0.
TRACKKIT_API at::Tensor cluster_embeddings(const at::Tensor& embeddings, const ClusterOptions& options = {});

/// The same from a symmetric distance matrix float32 [N,N] (zero diagonal), e.g. to cluster other distances.
TRACKKIT_API at::Tensor cluster_distances(const at::Tensor& distances, const ClusterOptions& options = {});

struct ClusterScores {
  double purity = 0;        ///< share of rows whose cluster's most common true id is theirs
  double adjusted_rand = 0; ///< adjusted Rand index (Hubert & Arabie), 1 = identical partitions
  int64_t clusters = 0;     ///< distinct labels (noise -1 counts as one label, as in scikit-learn's scores)
};

/// Scores labels against true ids (both int64 [N], any values); computed on the CPU.
TRACKKIT_API ClusterScores score_clusters(const at::Tensor& labels, const at::Tensor& truth);

} // namespace trackkit
