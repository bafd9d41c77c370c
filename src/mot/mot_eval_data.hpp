#pragma once
// Internal to the MOT evaluator: the preprocessed sequence the metrics read, and the matching they share.
#include <cstdint>
#include <vector>

#include "trackkit/mot.hpp"

namespace trackkit {
namespace mot {
namespace detail {

/// numpy's np.finfo(float).eps, which TrackEval adds to or subtracts from every threshold.
constexpr double kEps = 2.220446049250313e-16;

/// A gt/tracker pair of one frame with positive IoU (pairs with IoU 0 never count in any metric).
struct Entry {
  int32_t row; ///< index of the gt box within its frame
  int32_t col; ///< index of the tracker box within its frame
  double sim;  ///< IoU
};

/// A sequence after TrackEval's preprocessing, frame by frame (boxes in file order within a frame), ids
/// relabelled to 0..num_ids-1 in increasing order of the original ids.
struct SequenceData {
  int64_t num_frames = 0;
  int64_t num_gt_ids = 0, num_tracker_ids = 0;
  int64_t num_removed_tracker_dets = 0;
  std::vector<int64_t> gt_begin, tracker_begin, entry_begin; ///< per frame, size num_frames + 1
  std::vector<int32_t> gt_ids, tracker_ids;                  ///< contiguous ids of each box
  std::vector<Entry> entries;                                ///< per frame, row-major order
  /// (gt id, tracker id) pairs that occur in `entries`, and the pair of each entry.
  std::vector<int32_t> pair_gt, pair_tracker, entry_pair;

  int64_t num_gt_dets() const { return static_cast<int64_t>(gt_ids.size()); }
  int64_t num_tracker_dets() const { return static_cast<int64_t>(tracker_ids.size()); }
  int64_t num_pairs() const { return static_cast<int64_t>(pair_gt.size()); }
};

/// Validates the rows, computes the IoUs and applies the preprocessing of `options`.
SequenceData prepare_sequence(const std::vector<Row>& gt, const std::vector<Row>& tracker, const EvalOptions& options);

/// An edge of a bipartite graph with a positive score.
struct Edge {
  int32_t row;
  int32_t col;
  double score;
};

/// Maximum-score matching of a sparse bipartite graph: the pairs with positive score that
/// scipy.optimize.linear_sum_assignment(-score) picks on the dense matrix (score 0 elsewhere), up to ties.
/// The graph is split into connected components; single-row or single-column components take their best
/// edge, larger ones go to trackkit::linear_assignment. Buffers are kept between calls.
class Matcher {
 public:
  /// Indices (into `edges`) of the matched edges, written to `matched`.
  void solve(int32_t rows, int32_t cols, const std::vector<Edge>& edges, std::vector<int32_t>& matched);

 private:
  int32_t find(int32_t v);
  std::vector<int32_t> parent_, comp_of_root_, comp_begin_, comp_edges_, comp_of_edge_, fill_, local_row_, local_col_,
      rows_, cols_;
  std::vector<int32_t> edge_at_;
  std::vector<double> cost_;
};

ClearMetrics eval_clear(const SequenceData& d, Matcher& matcher);
IdentityMetrics eval_identity(const SequenceData& d, Matcher& matcher);
HotaMetrics eval_hota(const SequenceData& d, Matcher& matcher);
void finalize_clear(ClearMetrics& m);
void finalize_identity(IdentityMetrics& m);
void finalize_hota(HotaMetrics& m);
/// Divides TP-weighted association and localisation sums by each alpha's TP count (at least 1; 1e-10 for LocA).
void set_association_scores(HotaMetrics::PerAlpha& r, const AlphaArray& ass_a, const AlphaArray& ass_re,
                            const AlphaArray& ass_pr, const AlphaArray& loc);

} // namespace detail
} // namespace mot
} // namespace trackkit
