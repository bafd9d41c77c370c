#include "trackkit/linear_assignment.hpp"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>

#include "trackkit/check.hpp"
#include "trackkit/error.hpp"

namespace trackkit {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// Minimum-cost assignment of every row of a dense n x m matrix (n <= m) by shortest augmenting paths with
// row/column potentials (the Hungarian method in its Jonker-Volgenant form): O(n^2 m), exact.
// Returns col_of_row.
std::vector<int64_t> solve_dense(const std::vector<double>& a, int64_t n, int64_t m) {
  // 1-based internally: index 0 is the virtual column an augmenting path starts from.
  std::vector<double> u(n + 1, 0.0), v(m + 1, 0.0), min_slack(m + 1);
  std::vector<int64_t> row_of_col(m + 1, 0), way(m + 1, 0);
  std::vector<char> used(m + 1);
  for (int64_t i = 1; i <= n; ++i) {
    row_of_col[0] = i;
    int64_t j0 = 0;
    std::fill(min_slack.begin(), min_slack.end(), kInf);
    std::fill(used.begin(), used.end(), 0);
    do {
      used[j0] = 1;
      const int64_t i0 = row_of_col[j0];
      const double* row = a.data() + (i0 - 1) * m;
      double delta = kInf;
      int64_t j1 = 0;
      for (int64_t j = 1; j <= m; ++j) {
        if (used[j]) continue;
        const double slack = row[j - 1] - u[i0] - v[j];
        if (slack < min_slack[j]) {
          min_slack[j] = slack;
          way[j] = j0;
        }
        if (min_slack[j] < delta) {
          delta = min_slack[j];
          j1 = j;
        }
      }
      for (int64_t j = 0; j <= m; ++j) {
        if (used[j]) {
          u[row_of_col[j]] += delta;
          v[j] -= delta;
        } else {
          min_slack[j] -= delta;
        }
      }
      j0 = j1;
    } while (row_of_col[j0] != 0);
    do { // flip the path
      const int64_t j1 = way[j0];
      row_of_col[j0] = row_of_col[j1];
      j0 = j1;
    } while (j0 != 0);
  }
  std::vector<int64_t> col_of_row(n, -1);
  for (int64_t j = 1; j <= m; ++j)
    if (row_of_col[j] != 0) col_of_row[row_of_col[j] - 1] = j - 1;
  return col_of_row;
}

// Solves any shape by transposing to rows <= cols.
std::vector<int64_t> solve_any(const std::vector<double>& a, int64_t n, int64_t m) {
  if (n <= m) return solve_dense(a, n, m);
  std::vector<double> t(a.size());
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < m; ++j) t[j * n + i] = a[i * m + j];
  const std::vector<int64_t> row_of_col = solve_dense(t, m, n);
  std::vector<int64_t> col_of_row(n, -1);
  for (int64_t j = 0; j < m; ++j) col_of_row[row_of_col[j]] = j;
  return col_of_row;
}

// lap.lapjv's extension: (r+c) square, every row and column may instead take a dummy partner at
// cost_limit / 2, so leaving a pair unassigned costs cost_limit and no pair above it is ever chosen.
std::vector<int64_t> solve_extended(const std::vector<double>& c, int64_t r, int64_t k, double cost_limit,
                                    double forbidden) {
  const int64_t n = r + k;
  std::vector<double> a(n * n, cost_limit / 2);
  for (int64_t i = 0; i < r; ++i)
    for (int64_t j = 0; j < k; ++j) a[i * n + j] = c[i * k + j] == kInf ? forbidden : c[i * k + j];
  for (int64_t i = r; i < n; ++i) std::fill(a.begin() + i * n + k, a.begin() + (i + 1) * n, 0.0);
  std::vector<int64_t> col_of_row = solve_dense(a, n, n);
  col_of_row.resize(r);
  for (int64_t& j : col_of_row)
    if (j >= k) j = -1;
  return col_of_row;
}

// Pairs above the limit are never assigned, so the problem splits into the connected components of the
// allowed pairs (edges), solved one by one; unlisted pairs are forbidden. Tracking matrices are mostly
// gated, which keeps them near-linear.
std::vector<int64_t> solve_gated(int64_t rows, int64_t cols, const std::vector<AssignmentEdge>& edges,
                                 double cost_limit) {
  double max_abs = 0;
  std::vector<int64_t> parent(rows + cols);
  for (int64_t v = 0; v < rows + cols; ++v) parent[v] = v;
  auto find = [&](int64_t v) {
    while (parent[v] != v) v = parent[v] = parent[parent[v]];
    return v;
  };
  for (const AssignmentEdge& e : edges) {
    if (e.cost > cost_limit) continue;
    max_abs = std::max(max_abs, std::abs(e.cost));
    parent[find(e.row)] = find(rows + e.col);
  }
  const double forbidden = cost_limit + 1.0 + max_abs; // dearer than leaving both unassigned
  // Number the components that have rows and columns, and every row and column inside its component.
  const int64_t vertices = rows + cols;
  std::vector<int64_t> component(vertices, -1), local(vertices), sizes; // sizes: rows, cols per component
  std::vector<int64_t> first_of_root(vertices, -1);
  for (int64_t v = 0; v < vertices; ++v) {
    const int64_t root = find(v);
    if (first_of_root[root] < 0) {
      first_of_root[root] = static_cast<int64_t>(sizes.size() / 2);
      sizes.insert(sizes.end(), {0, 0});
    }
    const int64_t c = first_of_root[root];
    component[v] = c;
    local[v] = sizes[2 * c + (v < rows ? 0 : 1)]++;
  }
  const int64_t count = static_cast<int64_t>(sizes.size() / 2);
  std::vector<int64_t> offset(count + 1, 0); // flat storage of each component's matrix
  for (int64_t c = 0; c < count; ++c) offset[c + 1] = offset[c] + sizes[2 * c] * sizes[2 * c + 1];
  std::vector<double> matrices(offset[count], forbidden);
  for (const AssignmentEdge& e : edges) {
    if (e.cost > cost_limit) continue;
    const int64_t c = component[e.row];
    matrices[offset[c] + local[e.row] * sizes[2 * c + 1] + local[rows + e.col]] = e.cost;
  }
  std::vector<int64_t> members(vertices), start(2 * count + 1, 0); // rows then columns of each component
  for (int64_t v = 0; v < vertices; ++v) ++start[2 * component[v] + (v < rows ? 0 : 1) + 1];
  for (int64_t k = 0; k < 2 * count; ++k) start[k + 1] += start[k];
  for (int64_t v = 0; v < vertices; ++v) members[start[2 * component[v] + (v < rows ? 0 : 1)] + local[v]] = v;

  std::vector<int64_t> col_of_row(rows, -1);
  for (int64_t c = 0; c < count; ++c) {
    const int64_t r = sizes[2 * c], k = sizes[2 * c + 1];
    if (r == 0 || k == 0) continue;
    const int64_t* row_ids = members.data() + start[2 * c];
    const int64_t* col_ids = members.data() + start[2 * c + 1];
    if (r == 1 && k == 1 && matrices[offset[c]] < cost_limit) { // the common case: one track, one detection
      col_of_row[row_ids[0]] = col_ids[0] - rows;
      continue;
    }
    const std::vector<double> sub(matrices.begin() + offset[c], matrices.begin() + offset[c + 1]);
    const std::vector<int64_t> assigned = solve_extended(sub, r, k, cost_limit, forbidden);
    for (int64_t a = 0; a < r; ++a)
      if (assigned[a] >= 0) col_of_row[row_ids[a]] = col_ids[assigned[a]] - rows;
  }
  return col_of_row;
}

} // namespace

Assignment linear_assignment(const double* cost, int64_t rows, int64_t cols, double cost_limit) {
  constexpr const char* fn = "linear_assignment";
  if (rows < 0 || cols < 0) {
    fail_argument(fn, "cost", "must have non-negative sizes, got " + std::to_string(rows) + "x" + std::to_string(cols));
  }
  if (std::isnan(cost_limit) || cost_limit < 0) {
    fail_argument(fn, "cost_limit", "must be >= 0 or infinity, got " + std::to_string(cost_limit));
  }
  if (rows * cols > 0 && cost == nullptr) fail_argument(fn, "cost", "is null");
  Assignment out;
  out.row_to_col.assign(rows, -1);
  out.col_to_row.assign(cols, -1);
  if (rows == 0 || cols == 0) return out;

  double max_abs = 0;
  for (int64_t k = 0; k < rows * cols; ++k) {
    if (std::isnan(cost[k]) || cost[k] == -kInf) {
      fail_argument(fn, "cost",
                    "contains NaN or -infinity at (" + std::to_string(k / cols) + "," + std::to_string(k % cols) + ")");
    }
    if (cost[k] != kInf) max_abs = std::max(max_abs, std::abs(cost[k]));
  }

  std::vector<int64_t> col_of_row;
  if (std::isinf(cost_limit)) {
    // A forbidden pair costs more than any set of allowed pairs could save: the solver first maximises the
    // number of allowed pairs, then minimises their cost; forbidden pairs it had to use are dropped.
    const double forbidden = (max_abs + 1.0) * 2.0 * static_cast<double>(std::min(rows, cols) + 1);
    std::vector<double> a(cost, cost + rows * cols);
    for (double& c : a)
      if (c == kInf) c = forbidden;
    col_of_row = solve_any(a, rows, cols);
  } else {
    std::vector<AssignmentEdge> edges;
    for (int64_t i = 0; i < rows; ++i)
      for (int64_t j = 0; j < cols; ++j)
        if (cost[i * cols + j] <= cost_limit) edges.push_back({i, j, cost[i * cols + j]});
    col_of_row = solve_gated(rows, cols, edges, cost_limit);
  }
  for (int64_t i = 0; i < rows; ++i) {
    const int64_t j = col_of_row[i];
    if (j < 0 || j >= cols || cost[i * cols + j] == kInf) continue;
    out.row_to_col[i] = j;
    out.col_to_row[j] = i;
    out.cost += cost[i * cols + j];
  }
  return out;
}

Assignment linear_assignment_sparse(int64_t rows, int64_t cols, const std::vector<AssignmentEdge>& edges,
                                    double cost_limit) {
  constexpr const char* fn = "linear_assignment_sparse";
  if (rows < 0 || cols < 0) fail_argument(fn, "rows/cols", "must be >= 0");
  if (!(cost_limit >= 0) || std::isinf(cost_limit)) {
    fail_argument(fn, "cost_limit", "must be finite and >= 0, got " + std::to_string(cost_limit));
  }
  for (const AssignmentEdge& e : edges) {
    if (e.row < 0 || e.row >= rows || e.col < 0 || e.col >= cols) fail_argument(fn, "edges", "has a pair out of range");
    if (std::isnan(e.cost) || e.cost == -kInf) fail_argument(fn, "edges", "has a NaN or -infinity cost");
  }
  const std::vector<int64_t> col_of_row = solve_gated(rows, cols, edges, cost_limit);
  Assignment out;
  out.row_to_col.assign(rows, -1);
  out.col_to_row.assign(cols, -1);
  for (const AssignmentEdge& e : edges) {
    if (col_of_row[e.row] != e.col || out.row_to_col[e.row] >= 0) continue;
    out.row_to_col[e.row] = e.col;
    out.col_to_row[e.col] = e.row;
    out.cost += e.cost;
  }
  return out;
}

Assignment linear_assignment(const at::Tensor& cost, double cost_limit) {
  TensorCheck("linear_assignment", "cost", cost)
      .shape({"rows", "cols"})
      .dtype({at::kFloat, at::kDouble})
      .device_type(c10::kCPU);
  const at::Tensor c = cost.to(at::kDouble).contiguous();
  return linear_assignment(c.const_data_ptr<double>(), c.size(0), c.size(1), cost_limit);
}

} // namespace trackkit
