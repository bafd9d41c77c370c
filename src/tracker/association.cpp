#include "tracker/association.hpp"

#include <limits>

#include "core/box_iou_formula.hpp"
#include "trackkit/linear_assignment.hpp"

namespace trackkit::detail {

std::vector<double> iou_distance(const std::vector<TrackBox>& a, const std::vector<TrackBox>& b, double offset) {
  std::vector<double> cost(a.size() * b.size());
  std::vector<double> area_b(b.size());
  for (size_t j = 0; j < b.size(); ++j) area_b[j] = clamped_area(b[j].x1, b[j].y1, b[j].x2, b[j].y2, offset);
  for (size_t i = 0; i < a.size(); ++i) {
    const double box_a[4] = {a[i].x1, a[i].y1, a[i].x2, a[i].y2};
    const double area_a = clamped_area(box_a[0], box_a[1], box_a[2], box_a[3], offset);
    for (size_t j = 0; j < b.size(); ++j) {
      const double box_b[4] = {b[j].x1, b[j].y1, b[j].x2, b[j].y2};
      cost[i * b.size() + j] = a[i].cls != b[j].cls ? std::numeric_limits<double>::infinity()
                                                    : 1.0 - pair_iou(box_a, area_a, box_b, area_b[j], offset);
    }
  }
  return cost;
}

void fuse_score(std::vector<double>& cost, size_t rows, const std::vector<double>& scores) {
  const size_t cols = scores.size();
  for (size_t i = 0; i < rows; ++i)
    for (size_t j = 0; j < cols; ++j) {
      double& c = cost[i * cols + j];
      if (c != std::numeric_limits<double>::infinity()) c = 1.0 - (1.0 - c) * scores[j]; // gated stays gated
    }
}

Matching match(const std::vector<double>& cost, int64_t rows, int64_t cols, double thresh) {
  Matching m;
  const Assignment a = linear_assignment(cost.data(), rows, cols, thresh);
  for (int64_t i = 0; i < rows; ++i) {
    if (a.row_to_col[i] >= 0) {
      m.pairs.emplace_back(i, a.row_to_col[i]);
    } else {
      m.unmatched_rows.push_back(i);
    }
  }
  for (int64_t j = 0; j < cols; ++j)
    if (a.col_to_row[j] < 0) m.unmatched_cols.push_back(j);
  return m;
}

} // namespace trackkit::detail
