#include "association.hpp"

#include <algorithm>
#include <numeric>

#include "ops/box_iou_formula.hpp"

namespace trackkit::detail {

std::vector<AssignmentEdge> overlap_costs(const std::vector<TrackBox>& a, const std::vector<TrackBox>& b,
                                          double offset) {
  std::vector<AssignmentEdge> out;
  if (a.empty() || b.empty()) return out;
  // b sorted by x1: the candidates for box i are those with x1 in (a.x1 - widest b - offset, a.x2 + offset).
  std::vector<size_t> order(b.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t p, size_t q) { return b[p].x1 < b[q].x1; });
  std::vector<double> sorted_x1(b.size()), area_b(b.size());
  double widest = 0;
  for (size_t k = 0; k < b.size(); ++k) {
    sorted_x1[k] = b[order[k]].x1;
    widest = std::max(widest, b[k].x2 - b[k].x1);
    area_b[k] = clamped_area(b[k].x1, b[k].y1, b[k].x2, b[k].y2, offset);
  }
  std::vector<AssignmentEdge> row;
  for (size_t i = 0; i < a.size(); ++i) {
    const double box_a[4] = {a[i].x1, a[i].y1, a[i].x2, a[i].y2};
    const double area_a = clamped_area(box_a[0], box_a[1], box_a[2], box_a[3], offset);
    const auto begin = std::upper_bound(sorted_x1.begin(), sorted_x1.end(), a[i].x1 - widest - offset - 1.0);
    row.clear();
    for (auto it = begin; it != sorted_x1.end() && *it < a[i].x2 + offset; ++it) {
      const size_t j = order[it - sorted_x1.begin()];
      if (b[j].cls != a[i].cls) continue;
      const double box_b[4] = {b[j].x1, b[j].y1, b[j].x2, b[j].y2};
      const double iou = pair_iou(box_a, area_a, box_b, area_b[j], offset);
      if (iou > 0) row.push_back({static_cast<int64_t>(i), static_cast<int64_t>(j), 1.0 - iou});
    }
    std::sort(row.begin(), row.end(), [](const AssignmentEdge& p, const AssignmentEdge& q) { return p.col < q.col; });
    out.insert(out.end(), row.begin(), row.end());
  }
  return out;
}

void fuse_score(std::vector<AssignmentEdge>& costs, const std::vector<double>& scores) {
  for (AssignmentEdge& e : costs) e.cost = 1.0 - (1.0 - e.cost) * scores[e.col];
}

Matching match(const std::vector<AssignmentEdge>& costs, int64_t rows, int64_t cols, double thresh) {
  Matching m;
  const Assignment a = linear_assignment_sparse(rows, cols, costs, thresh);
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
