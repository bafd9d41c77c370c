// Clustering against analytic cases (tie rule, linkages, density and noise), against scikit-learn's output on the
// reference embeddings (tools/embedder/reference_embed.py), and the scores against scikit-learn's.
#include <ATen/ATen.h>

#include <cmath>
#include <string>
#include <vector>

#include "catch.hpp"
#include "embedder/embedder_test_util.hpp"
#include "trackkit/cluster.hpp"
#include "trackkit/error.hpp"

namespace {

std::vector<int64_t> values(const at::Tensor& t) {
  const at::Tensor c = t.to(at::kCPU, at::kLong).contiguous();
  return std::vector<int64_t>(c.data_ptr<int64_t>(), c.data_ptr<int64_t>() + c.numel());
}

at::Tensor unit_vectors(const std::vector<double>& degrees) {
  std::vector<double> v;
  for (double d : degrees) v.push_back(std::cos(d * M_PI / 180)), v.push_back(std::sin(d * M_PI / 180));
  return at::tensor(v, at::kDouble).view({-1, 2});
}

trackkit::ClusterOptions agglomerative(trackkit::Linkage linkage, double threshold) {
  trackkit::ClusterOptions o;
  o.linkage = linkage, o.distance_threshold = threshold;
  return o;
}

} // namespace

TEST_CASE(
    "agglomerative linkages on a line of equal steps: single chains while complete and average pair up by the tie rule",
    "[embedder][cluster]") {
  // d(i,j) = 0.25 |i - j| exactly: every neighbour pair ties; the lowest rows merge first.
  const at::Tensor i = at::arange(5, at::kFloat);
  const at::Tensor d = 0.25 * (i.unsqueeze(0) - i.unsqueeze(1)).abs();
  using trackkit::Linkage;
  CHECK(values(trackkit::cluster_distances(d, agglomerative(Linkage::Single, 0.3))) ==
        std::vector<int64_t>{0, 0, 0, 0, 0});
  CHECK(values(trackkit::cluster_distances(d, agglomerative(Linkage::Complete, 0.3))) ==
        std::vector<int64_t>{0, 0, 1, 1, 2});
  CHECK(values(trackkit::cluster_distances(d, agglomerative(Linkage::Average, 0.3))) ==
        std::vector<int64_t>{0, 0, 1, 1, 2});
  // Average: {2,3} to 4 is mean(0.5, 0.25) = 0.375: merged below 0.4, not below 0.375 (strict, as scikit-learn).
  CHECK(values(trackkit::cluster_distances(d, agglomerative(Linkage::Average, 0.4))) ==
        std::vector<int64_t>{0, 0, 1, 1, 1});
  CHECK(values(trackkit::cluster_distances(d, agglomerative(Linkage::Average, 0.375))) ==
        std::vector<int64_t>{0, 0, 1, 1, 2});
  CHECK(values(trackkit::cluster_distances(d, agglomerative(Linkage::Complete, 0.0))) ==
        std::vector<int64_t>{0, 1, 2, 3, 4});
}

TEST_CASE("agglomerative clustering of directions groups by angle and numbers clusters by first row",
          "[embedder][cluster]") {
  // Groups at 0-20 degrees, 90-95 and 200, interleaved; within-group distances <= 1 - cos 20 = 0.06, between >= 0.66.
  const at::Tensor e =
      unit_vectors({90, 0, 200, 10, 95, 20}) * embedder_test::doubles({3.0, 1, 2, 5, 1, 1}).view({6, 1});
  for (auto linkage : {trackkit::Linkage::Average, trackkit::Linkage::Complete, trackkit::Linkage::Single})
    CHECK(values(trackkit::cluster_embeddings(e, agglomerative(linkage, 0.1))) ==
          std::vector<int64_t>{0, 1, 2, 1, 0, 1});
  CHECK(trackkit::cluster_embeddings(at::zeros({0, 4})).size(0) == 0);
}

TEST_CASE("density clustering: core points with their reach and noise", "[embedder][cluster]") {
  // Four close directions (core with min_samples 3, eps 0.01 ~ 8 degrees), one border point 7 degrees past the last
  // core point, and two isolated points -> noise.
  const at::Tensor e = unit_vectors({0, 3, 6, 9, 16, 120, 240});
  trackkit::ClusterOptions o;
  o.method = trackkit::ClusterMethod::Density, o.eps = 0.01, o.min_samples = 3;
  CHECK(values(trackkit::cluster_embeddings(e, o)) == std::vector<int64_t>{0, 0, 0, 0, 0, -1, -1});
  o.min_samples = 1; // every point is a core point: 16 degrees joins as a core point, the others are clusters of one
  CHECK(values(trackkit::cluster_embeddings(e, o)) == std::vector<int64_t>{0, 0, 0, 0, 0, 1, 2});
}

TEST_CASE("clusters and their scores equal scikit-learn's on the reference embeddings", "[embedder][cluster]") {
  const std::string ref = embedder_test::reference_dir();
  if (!embedder_test::have(ref + "/clusters.txt"))
    TK_SKIP("no " << ref << "/clusters.txt (scripts/embedder-models.sh)");
  // The embeddings scikit-learn clustered: MOT17-04's OSNet rows, and every LFW face.
  const auto boxes = embedder_test::read_rows(ref + "/mot_boxes.txt");
  std::vector<int64_t> mot04;
  for (size_t i = 0; i < boxes.size(); ++i)
    if (boxes[i][0].find("MOT17-04-FRCNN") != std::string::npos) mot04.push_back(static_cast<int64_t>(i));
  const at::Tensor mot =
      embedder_test::read_matrix(ref + "/mot_osnet.txt").index_select(0, at::tensor(mot04, at::kLong));
  const at::Tensor lfw = embedder_test::read_matrix(ref + "/lfw_mfn.txt");
  const auto scores = embedder_test::read_rows(ref + "/cluster_scores.txt");
  at::Tensor truth;
  size_t checked = 0;
  for (const auto& row : embedder_test::read_rows(ref + "/clusters.txt")) {
    std::vector<int64_t> labels;
    for (size_t c = 3; c < row.size(); ++c) labels.push_back(std::stoll(row[c]));
    const at::Tensor expected = at::tensor(labels, at::kLong);
    if (row[1] == "truth") {
      truth = expected;
      continue;
    }
    trackkit::ClusterOptions o;
    const double parameter = std::stod(row[2]);
    if (row[1] == "dbscan") {
      o.method = trackkit::ClusterMethod::Density, o.eps = parameter, o.min_samples = row[0] == "mot" ? 3 : 2;
    } else {
      o = agglomerative(row[1] == "average" ? trackkit::Linkage::Average : trackkit::Linkage::Complete, parameter);
    }
    const at::Tensor ours = trackkit::cluster_embeddings(row[0] == "mot" ? mot : lfw, o);
    const trackkit::ClusterScores agreement = trackkit::score_clusters(ours, expected);
    const trackkit::ClusterScores ours_vs_truth = trackkit::score_clusters(ours, truth);
    INFO(row[0] << " " << row[1] << " " << parameter << ": " << agreement.clusters << " clusters, ARI vs scikit-learn "
                << agreement.adjusted_rand << "; vs truth purity " << ours_vs_truth.purity << ", ARI "
                << ours_vs_truth.adjusted_rand);
    CHECK(agreement.adjusted_rand == 1.0);
    if (row[1] == "dbscan") CHECK(values(ours) == labels); // the same numbering too
    // scikit-learn's scores of its own labels vs ours of the same labels.
    for (const auto& s : scores) {
      if (s[0] != row[0] || s[1] != row[1]) continue;
      const trackkit::ClusterScores theirs = trackkit::score_clusters(expected, truth);
      CHECK(theirs.purity == Approx(std::stod(s[2])).margin(1e-12));
      CHECK(theirs.adjusted_rand == Approx(std::stod(s[3])).margin(1e-12));
      ++checked;
    }
  }
  CHECK(checked == 6);
}

TEST_CASE("cluster scores on small cases", "[embedder][cluster]") {
  const at::Tensor a = at::tensor({0, 0, 1, 1}, at::kLong), t = at::tensor({0, 0, 0, 1}, at::kLong);
  trackkit::ClusterScores s = trackkit::score_clusters(a, t);
  CHECK(s.purity == Approx(0.75));
  CHECK(s.adjusted_rand == Approx(0.0).margin(1e-12)); // index 1 = its expectation 2 * 3 / 6
  s = trackkit::score_clusters(at::tensor({5, 5, 9, 9}, at::kLong), at::tensor({1, 1, 0, 0}, at::kLong));
  CHECK((s.purity == 1.0 && s.adjusted_rand == 1.0 && s.clusters == 2));
}

TEST_CASE("clustering rejects bad input with errors naming the argument", "[embedder][cluster]") {
  CHECK(tk_error_of([] {
          trackkit::cluster_distances(at::zeros({3, 4}));
        }) == "cluster_distances: distances must be square [N,N], got [3,4]");
  CHECK(tk_error_of([] {
          trackkit::cluster_embeddings(at::zeros({2, 4}));
        }) == "cluster_embeddings: embeddings has a row of zeros (no direction)");
  CHECK(tk_error_of([] {
          trackkit::cluster_embeddings(at::full({2, 4}, NAN));
        }).rfind("cluster_embeddings: embeddings", 0) == 0);
  trackkit::ClusterOptions o;
  o.min_samples = 0;
  CHECK(tk_error_of([&] {
          trackkit::cluster_embeddings(at::ones({2, 4}), o);
        }) == "cluster_embeddings: options.min_samples must be >= 1, got 0");
  CHECK(tk_error_of([] { trackkit::score_clusters(at::zeros({3}, at::kLong), at::zeros({2}, at::kLong)); }) ==
        "score_clusters: truth must have as many rows as labels (3), got 2");
}
