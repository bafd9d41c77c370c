#pragma once
// Cost matrices and gated matching for the tracker's association steps (ByteTrack's matching.py semantics).
// Only overlapping pairs of the same class are ever listed: every other pair costs exactly 1 (IoU 0), which
// no association limit below 1 accepts, so the costs stay sparse and the matching near-linear.
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "trackkit/linear_assignment.hpp"

namespace trackkit::detail {

struct TrackBox {
  double x1, y1, x2, y2;
  int64_t cls;
};

/// (i, j, 1 - IoU(a_i, b_j)) for every pair of the same class whose boxes overlap (IoU > 0), found by a sweep
/// over x; `offset` 1 is the "+1 pixel" IoU of cython_bbox. Ordered by i, then j.
std::vector<AssignmentEdge> overlap_costs(const std::vector<TrackBox>& a, const std::vector<TrackBox>& b,
                                          double offset);

/// cost <- 1 - (1 - cost) * score_j, j being the detection (ByteTrack's fuse_score, same rounding).
void fuse_score(std::vector<AssignmentEdge>& costs, const std::vector<double>& scores);

struct Matching {
  std::vector<std::pair<int64_t, int64_t>> pairs; ///< (row, column), rows ascending
  std::vector<int64_t> unmatched_rows, unmatched_cols;
};

/// Minimum-cost assignment with cost limit `thresh` < 1 (lap.lapjv(extend_cost=True, cost_limit=thresh)).
Matching match(const std::vector<AssignmentEdge>& costs, int64_t rows, int64_t cols, double thresh);

} // namespace trackkit::detail
