#pragma once
// Cost matrices and gated matching for the tracker's association steps (ByteTrack's matching.py semantics).
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace trackkit::detail {

struct TrackBox {
  double x1, y1, x2, y2;
  int64_t cls;
};

/// Row-major n x m matrix of 1 - IoU(a_i, b_j); +inf (never matched) where the classes differ.
std::vector<double> iou_distance(const std::vector<TrackBox>& a, const std::vector<TrackBox>& b, double offset);

/// cost <- 1 - (1 - cost) * score_j, column j being detection j (ByteTrack's fuse_score, same rounding).
void fuse_score(std::vector<double>& cost, size_t rows, const std::vector<double>& scores);

struct Matching {
  std::vector<std::pair<int64_t, int64_t>> pairs; ///< (row, column), rows ascending
  std::vector<int64_t> unmatched_rows, unmatched_cols;
};

/// Minimum-cost assignment with cost limit `thresh` (lap.lapjv(extend_cost=True, cost_limit=thresh)).
Matching match(const std::vector<double>& cost, int64_t rows, int64_t cols, double thresh);

} // namespace trackkit::detail
