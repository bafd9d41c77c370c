// Sparse maximum-score bipartite matching for the MOT evaluator (split into connected components).
#include <algorithm>
#include <cstdint>
#include <vector>

#include "mot_eval_data.hpp"
#include "trackkit/linear_assignment.hpp"

namespace trackkit {
namespace mot {
namespace detail {

int32_t Matcher::find(int32_t v) {
  while (parent_[v] != v) {
    parent_[v] = parent_[parent_[v]];
    v = parent_[v];
  }
  return v;
}

void Matcher::solve(int32_t rows, int32_t cols, const std::vector<Edge>& edges, std::vector<int32_t>& matched) {
  matched.clear();
  const int32_t num_edges = static_cast<int32_t>(edges.size());
  if (num_edges == 0) return;
  if (num_edges == 1) {
    matched.push_back(0);
    return;
  }
  // Union-find over rows (0..rows-1) and columns (rows..rows+cols-1).
  const int32_t nodes = rows + cols;
  parent_.resize(nodes);
  for (int32_t v = 0; v < nodes; ++v) parent_[v] = v;
  for (const Edge& e : edges) {
    const int32_t a = find(e.row), b = find(rows + e.col);
    if (a != b) parent_[a] = b;
  }
  // Group the edges by component (counting sort keeps their order).
  comp_of_root_.assign(nodes, -1);
  int32_t num_comps = 0;
  comp_begin_.clear();
  std::vector<int32_t>& comp_of_edge = comp_of_edge_;
  comp_of_edge.resize(num_edges);
  for (int32_t k = 0; k < num_edges; ++k) {
    const int32_t root = find(edges[k].row);
    if (comp_of_root_[root] < 0) comp_of_root_[root] = num_comps++;
    comp_of_edge[k] = comp_of_root_[root];
  }
  comp_begin_.assign(num_comps + 1, 0);
  for (int32_t k = 0; k < num_edges; ++k) ++comp_begin_[comp_of_edge[k] + 1];
  for (int32_t c = 0; c < num_comps; ++c) comp_begin_[c + 1] += comp_begin_[c];
  comp_edges_.resize(num_edges);
  fill_.assign(comp_begin_.begin(), comp_begin_.end() - 1);
  for (int32_t k = 0; k < num_edges; ++k) comp_edges_[fill_[comp_of_edge[k]]++] = k;

  local_row_.assign(rows, -1);
  local_col_.assign(cols, -1);
  for (int32_t c = 0; c < num_comps; ++c) {
    const int32_t* ce = comp_edges_.data() + comp_begin_[c];
    const int32_t n = comp_begin_[c + 1] - comp_begin_[c];
    if (n == 1) {
      matched.push_back(ce[0]);
      continue;
    }
    rows_.clear(), cols_.clear();
    for (int32_t k = 0; k < n; ++k) {
      const Edge& e = edges[ce[k]];
      if (local_row_[e.row] < 0) local_row_[e.row] = static_cast<int32_t>(rows_.size()), rows_.push_back(e.row);
      if (local_col_[e.col] < 0) local_col_[e.col] = static_cast<int32_t>(cols_.size()), cols_.push_back(e.col);
    }
    const int32_t nr = static_cast<int32_t>(rows_.size()), nc = static_cast<int32_t>(cols_.size());
    if (nr == 1 || nc == 1) {
      int32_t best = ce[0];
      for (int32_t k = 1; k < n; ++k)
        if (edges[ce[k]].score > edges[best].score) best = ce[k];
      matched.push_back(best);
    } else {
      // Dense sub-problem; pairs without an edge score 0 (they may be assigned but never count).
      cost_.assign(static_cast<size_t>(nr) * nc, 0.0);
      edge_at_.assign(static_cast<size_t>(nr) * nc, -1);
      for (int32_t k = 0; k < n; ++k) {
        const Edge& e = edges[ce[k]];
        const size_t at = static_cast<size_t>(local_row_[e.row]) * nc + local_col_[e.col];
        cost_[at] = -e.score;
        edge_at_[at] = ce[k];
      }
      const Assignment a = linear_assignment(cost_.data(), nr, nc);
      for (int32_t i = 0; i < nr; ++i) {
        const int64_t j = a.row_to_col[i];
        if (j >= 0 && edge_at_[static_cast<size_t>(i) * nc + j] >= 0)
          matched.push_back(edge_at_[static_cast<size_t>(i) * nc + j]);
      }
    }
    for (int32_t r : rows_) local_row_[r] = -1;
    for (int32_t col : cols_) local_col_[col] = -1;
  }
}

} // namespace detail
} // namespace mot
} // namespace trackkit
