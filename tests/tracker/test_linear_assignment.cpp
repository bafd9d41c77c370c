// linear_assignment against exhaustive search over all partial matchings, and known small cases.
#include <ATen/ATen.h>

#include <functional>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "catch.hpp"
#include "trackkit/error.hpp"
#include "trackkit/linear_assignment.hpp"

using trackkit::linear_assignment;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

struct Best {
  int pairs = -1;
  double objective = kInf;
  std::vector<int64_t> row_to_col;
};

// Enumerates every partial matching of allowed (finite) pairs. With a finite limit the objective is
// sum(costs) + limit/2 * unassigned; with an infinite one, most pairs first, then least cost.
Best exhaustive(const std::vector<double>& c, int rows, int cols, double limit) {
  Best best;
  std::vector<int64_t> assign(rows, -1);
  std::vector<char> used(cols, 0);
  std::function<void(int, int, double)> go = [&](int r, int pairs, double sum) {
    if (r == rows) {
      const double objective = std::isinf(limit) ? sum : sum + limit / 2 * (rows + cols - 2 * pairs);
      const bool better = std::isinf(limit)
                              ? (pairs > best.pairs || (pairs == best.pairs && objective < best.objective))
                              : objective < best.objective;
      if (better) best = {pairs, objective, assign};
      return;
    }
    go(r + 1, pairs, sum);
    for (int j = 0; j < cols; ++j) {
      if (used[j] || c[r * cols + j] == kInf) continue;
      used[j] = 1;
      assign[r] = j;
      go(r + 1, pairs + 1, sum + c[r * cols + j]);
      used[j] = 0;
      assign[r] = -1;
    }
  };
  go(0, 0, 0.0);
  return best;
}

} // namespace

TEST_CASE("linear_assignment solves the textbook 3x3 case") {
  const std::vector<double> c{4, 1, 3, 2, 0, 5, 3, 2, 2};
  const auto a = linear_assignment(c.data(), 3, 3);
  CHECK(a.row_to_col == std::vector<int64_t>{1, 0, 2});
  CHECK(a.col_to_row == std::vector<int64_t>{1, 0, 2});
  CHECK(a.cost == 5.0);
}

TEST_CASE("linear_assignment with a cost limit gates like lap.lapjv(extend_cost=True, cost_limit)") {
  // 1 - IoU costs: only the first pair is under the 0.5 limit.
  const std::vector<double> c{0.1, 0.9, 0.8, 0.95};
  const auto a = linear_assignment(c.data(), 2, 2, 0.5);
  CHECK(a.row_to_col == std::vector<int64_t>{0, -1});
  CHECK(a.col_to_row == std::vector<int64_t>{0, -1});
  // Two cheap pairs beat one cheaper one when each is under the limit.
  const std::vector<double> d{0.4, 0.1, 0.2, 0.45};
  const auto b = linear_assignment(d.data(), 2, 2, 0.5);
  CHECK(b.row_to_col == std::vector<int64_t>{1, 0});
}

TEST_CASE("linear_assignment equals exhaustive search on random rectangular matrices") {
  std::mt19937 rng(1234);
  std::uniform_real_distribution<double> uniform(-1.0, 3.0);
  std::uniform_int_distribution<int> size(0, 6);
  for (int trial = 0; trial < 400; ++trial) {
    const int rows = size(rng), cols = size(rng);
    std::vector<double> c(rows * cols);
    for (double& x : c) x = uniform(rng) < -0.5 ? kInf : uniform(rng); // ~12% forbidden pairs
    const double limit = trial % 2 ? kInf : std::abs(uniform(rng)) + 0.1;
    const Best expected = exhaustive(c, rows, cols, limit);
    const auto got = linear_assignment(c.data(), rows, cols, limit);
    int pairs = 0;
    double sum = 0;
    for (int i = 0; i < rows; ++i) {
      const int64_t j = got.row_to_col[i];
      if (j < 0) continue;
      REQUIRE(c[i * cols + j] != kInf);
      REQUIRE(got.col_to_row[j] == i);
      ++pairs;
      sum += c[i * cols + j];
    }
    CHECK(sum == Approx(got.cost).margin(1e-12));
    const double objective = std::isinf(limit) ? sum : sum + limit / 2 * (rows + cols - 2 * pairs);
    INFO("trial " << trial << ": " << rows << "x" << cols << " limit " << limit);
    if (std::isinf(limit)) CHECK(pairs == expected.pairs);
    CHECK(objective == Approx(expected.objective).margin(1e-9));
    // Continuous random costs have a unique optimum.
    CHECK(got.row_to_col == expected.row_to_col);
  }
}

TEST_CASE("linear_assignment handles empty, all-forbidden and tensor input") {
  const auto empty = linear_assignment(nullptr, 0, 5);
  CHECK(empty.row_to_col.empty());
  CHECK(empty.col_to_row == std::vector<int64_t>(5, -1));
  CHECK(linear_assignment(nullptr, 3, 0).row_to_col == std::vector<int64_t>(3, -1));
  const std::vector<double> none(6, kInf);
  CHECK(linear_assignment(none.data(), 2, 3).row_to_col == std::vector<int64_t>{-1, -1});
  const at::Tensor t = at::tensor({4.f, 1.f, 3.f, 2.f, 0.f, 5.f}).view({2, 3});
  CHECK(linear_assignment(t).row_to_col == std::vector<int64_t>{1, 0});
}

TEST_CASE("linear_assignment rejects NaN costs and bad limits, naming the argument") {
  const std::vector<double> c{1, std::numeric_limits<double>::quiet_NaN()};
  try {
    linear_assignment(c.data(), 1, 2);
    FAIL("no error");
  } catch (const trackkit::Error& e) {
    CHECK(std::string(e.what()) == "linear_assignment: cost contains NaN or -infinity at (0,1)");
  }
  const std::vector<double> ok{1, 2};
  CHECK_THROWS_AS(linear_assignment(ok.data(), 1, 2, -1.0), trackkit::Error);
  CHECK_THROWS_AS(linear_assignment(at::zeros({2, 2, 2})), trackkit::Error);
  CHECK_THROWS_AS(linear_assignment(at::zeros({2, 2}, at::kInt)), trackkit::Error);
}
