// Identity clustering: checks, cosine distances, agglomerative merging (cluster_cpu.cpp / cluster.cu), DBSCAN as
// tensor operations on the input's device, and scores against true ids.
#include "trackkit/cluster.hpp"

#include <ATen/ATen.h>

#include <map>
#include <numeric>
#include <string>
#include <vector>

#include "cluster_formula.hpp"
#include "cluster_kernels.hpp"
#include "trackkit/check.hpp"

namespace trackkit {
namespace {

void check_options(const char* function, const ClusterOptions& o) {
  if (!(o.distance_threshold >= 0 && o.distance_threshold <= 2.5))
    fail_argument(function, "options.distance_threshold",
                  "must be in [0,2.5], got " + std::to_string(o.distance_threshold));
  if (!(o.eps >= 0 && o.eps <= 2.5))
    fail_argument(function, "options.eps", "must be in [0,2.5], got " + std::to_string(o.eps));
  if (o.min_samples < 1)
    fail_argument(function, "options.min_samples", "must be >= 1, got " + std::to_string(o.min_samples));
}

/// Labels 0, 1, ... by the rank of each row's key (a cluster's smallest row); key -1 (noise) stays -1.
at::Tensor rank_labels(const at::Tensor& keys) {
  const auto [values, inverse, counts] = at::_unique2(keys, /*sorted=*/true, /*return_inverse=*/true);
  const int64_t offset = values.numel() > 0 && values.min().item<int64_t>() < 0 ? 1 : 0;
  return at::where(keys < 0, at::full_like(keys, -1), inverse - offset);
}

/// Agglomerative: merges from the kernels, then union-find on the host (labels = smallest member row).
at::Tensor agglomerative(at::Tensor d, const ClusterOptions& o) {
  const int64_t n = d.size(0);
  const int32_t linkage = o.linkage == Linkage::Complete ? detail::kLinkComplete
                          : o.linkage == Linkage::Single ? detail::kLinkSingle
                                                         : detail::kLinkAverage;
  at::Tensor merges = at::zeros({std::max<int64_t>(n, 1), 2}, d.options().dtype(at::kLong));
  at::Tensor count = at::zeros({1}, d.options().dtype(at::kLong));
  const auto threshold = static_cast<float>(o.distance_threshold);
#ifdef TRACKKIT_WITH_CUDA
  if (d.is_cuda()) {
    detail::agglomerate_cuda(d, linkage, threshold, merges, count);
  } else
#endif
  {
    detail::agglomerate_cpu(d, linkage, threshold, merges, count);
  }
  const int64_t m = count.item<int64_t>();
  const at::Tensor pairs = merges.narrow(0, 0, m).cpu();
  std::vector<int64_t> parent(n);
  std::iota(parent.begin(), parent.end(), 0);
  auto root = [&](int64_t i) {
    while (parent[i] != i) i = parent[i] = parent[parent[i]];
    return i;
  };
  const auto p = pairs.accessor<int64_t, 2>();
  for (int64_t k = 0; k < m; ++k) {
    const int64_t a = root(p[k][0]), b = root(p[k][1]);
    parent[std::max(a, b)] = std::min(a, b);
  }
  std::vector<int64_t> keys(n);
  for (int64_t i = 0; i < n; ++i) keys[i] = root(i);
  return rank_labels(at::tensor(keys, at::kLong)).to(d.device());
}

/// DBSCAN: core points, their connected components by min-label propagation with pointer jumping (component label
/// = its smallest core row), border points taking the smallest label among their core neighbours, which is the
/// cluster scikit-learn's expansion order gives them.
at::Tensor density(const at::Tensor& d, const ClusterOptions& o) {
  const int64_t n = d.size(0);
  const at::Tensor adjacent = d <= o.eps;
  const at::Tensor core = adjacent.sum(1) >= o.min_samples;
  const at::Tensor rows = at::arange(n, d.options().dtype(at::kLong));
  const at::Tensor none = at::full({n}, n, rows.options());
  const at::Tensor core_links = adjacent & core.unsqueeze(0) & core.unsqueeze(1);
  at::Tensor label = at::where(core, rows, none);
  while (true) {
    const at::Tensor reach = at::where(core_links, label.unsqueeze(0).expand({n, n}), n).amin(1);
    at::Tensor next = at::where(core, at::minimum(label, reach), none);
    next = at::where(core, next.index_select(0, next.clamp_max(n - 1)), none); // pointer jumping
    if (at::equal(next, label)) break;
    label = next;
  }
  const at::Tensor border = at::where(adjacent & core.unsqueeze(0), label.unsqueeze(0).expand({n, n}), n).amin(1);
  const at::Tensor keys = at::where(core, label, at::where(border < n, border, at::full_like(border, -1)));
  return rank_labels(keys);
}

at::Tensor cluster_checked(const at::Tensor& d, const ClusterOptions& o) {
  if (d.size(0) == 0) return at::zeros({0}, d.options().dtype(at::kLong));
  return o.method == ClusterMethod::Density ? density(d, o) : agglomerative(d.clone(), o);
}

} // namespace

at::Tensor cluster_distances(const at::Tensor& distances, const ClusterOptions& options) {
  check_options("cluster_distances", options);
  TensorCheck check("cluster_distances", "distances", distances);
  check.dim(2).floating();
  if (distances.size(0) != distances.size(1))
    check.fail("must be square [N,N], got " + shape_string(distances.sizes()));
  check.finite();
  return cluster_checked(distances.to(at::kFloat).contiguous(), options);
}

at::Tensor cluster_embeddings(const at::Tensor& embeddings, const ClusterOptions& options) {
  check_options("cluster_embeddings", options);
  TensorCheck check("cluster_embeddings", "embeddings", embeddings);
  check.shape({"N", "D"}).floating().finite();
  const at::Tensor x = embeddings.to(at::kFloat);
  const at::Tensor norm = x.norm(2, 1, true);
  if (x.size(0) > 0 && (norm == 0).any().item<bool>()) check.fail("has a row of zeros (no direction)");
  const at::Tensor unit = x / norm;
  at::Tensor d = (1 - at::mm(unit, unit.t())).clamp(0, 2);
  d.fill_diagonal_(0);
  return cluster_checked(d.contiguous(), options);
}

ClusterScores score_clusters(const at::Tensor& labels, const at::Tensor& truth) {
  TensorCheck("score_clusters", "labels", labels).dim(1).dtype({at::kLong, at::kInt});
  TensorCheck check("score_clusters", "truth", truth);
  check.dim(1).dtype({at::kLong, at::kInt});
  if (truth.size(0) != labels.size(0))
    check.fail("must have as many rows as labels (" + std::to_string(labels.size(0)) + "), got " +
               std::to_string(truth.size(0)));
  const at::Tensor l = labels.to(at::kCPU, at::kLong).contiguous(), t = truth.to(at::kCPU, at::kLong).contiguous();
  const int64_t n = l.size(0);
  std::map<std::pair<int64_t, int64_t>, int64_t> table;
  std::map<int64_t, int64_t> by_label, by_truth, best_of_label;
  for (int64_t i = 0; i < n; ++i) {
    const int64_t a = l.data_ptr<int64_t>()[i], b = t.data_ptr<int64_t>()[i];
    ++table[{a, b}], ++by_label[a], ++by_truth[b];
  }
  auto pairs = [](double c) { return c * (c - 1) / 2; };
  double index = 0, sum_label = 0, sum_truth = 0;
  for (const auto& [key, c] : table) {
    index += pairs(static_cast<double>(c));
    best_of_label[key.first] = std::max(best_of_label[key.first], c);
  }
  for (const auto& [k, c] : by_label) sum_label += pairs(static_cast<double>(c));
  for (const auto& [k, c] : by_truth) sum_truth += pairs(static_cast<double>(c));
  ClusterScores s;
  s.clusters = static_cast<int64_t>(by_label.size());
  if (n == 0) return s;
  int64_t majority = 0;
  for (const auto& [k, c] : best_of_label) majority += c;
  s.purity = static_cast<double>(majority) / static_cast<double>(n);
  const double expected = sum_label * sum_truth / pairs(static_cast<double>(n));
  const double maximum = (sum_label + sum_truth) / 2;
  // Both partitions trivial (all singletons or one cluster each): identical partitions score 1, as scikit-learn.
  s.adjusted_rand = maximum == expected ? 1.0 : (index - expected) / (maximum - expected);
  return s;
}

} // namespace trackkit
