#pragma once
// Linear assignment (rectangular, with gating): the matching step of the tracker and of the MOT metrics.
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <limits>
#include <vector>

#include "trackkit/export.hpp"

namespace trackkit {

struct Assignment {
  std::vector<int64_t> row_to_col; ///< column assigned to each row, -1 if none
  std::vector<int64_t> col_to_row; ///< row assigned to each column, -1 if none
  double cost = 0;                 ///< sum of the assigned pairs' costs
};

/// Minimum-cost assignment of the rows of a `rows x cols` row-major cost matrix to its columns (any shape,
/// either side may be 0). Entries equal to +infinity are forbidden pairs.
///
/// cost_limit = +inf (default): a maximum number of pairs is assigned, and among those the cheapest set
///   (scipy.optimize.linear_sum_assignment, but infeasible pairs are left out instead of raising).
/// cost_limit = L: minimises  sum(assigned costs) + L/2 * (unassigned rows + unassigned columns), so a pair
///   costing more than L is never assigned (the gating of ByteTrack's `lap.lapjv(cost, extend_cost=True,
///   cost_limit=L)`, with the same result).
/// Exact (shortest augmenting paths with potentials). NaN costs or a NaN/negative limit throw Error.
TRACKKIT_API Assignment linear_assignment(const double* cost, int64_t rows, int64_t cols,
                                          double cost_limit = std::numeric_limits<double>::infinity());

/// One allowed pair of a sparse problem.
struct AssignmentEdge {
  int64_t row, col;
  double cost;
};

/// The gated problem (finite cost_limit) given as its allowed pairs only: pairs not listed are never
/// assigned. Solved per connected component, so a mostly-gated tracking frame costs near-linear time.
/// Equals linear_assignment() on a dense matrix holding these costs and +inf elsewhere.
TRACKKIT_API Assignment linear_assignment_sparse(int64_t rows, int64_t cols, const std::vector<AssignmentEdge>& edges,
                                                 double cost_limit);

/// The same for a CPU tensor `[rows, cols]` of float32 or float64.
TRACKKIT_API Assignment linear_assignment(const at::Tensor& cost,
                                          double cost_limit = std::numeric_limits<double>::infinity());

} // namespace trackkit
