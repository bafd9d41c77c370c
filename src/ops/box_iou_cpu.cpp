#include <ATen/Dispatch.h>
#include <ATen/Parallel.h>
#include <ATen/ops/empty.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "box_iou_kernels.hpp"
#include "ops/box_iou_formula.hpp"

namespace trackkit::detail {
namespace {

// boxes2 of one batch item as structure-of-arrays (x1, y1, x2, y2, area), so the inner loop reads
// contiguous lanes and the compiler vectorises it (division included).
template <typename T>
struct ColumnBoxes {
  std::vector<T> x1, y1, x2, y2, area;
  int64_t batch = -1;

  void load(const T* boxes, int64_t m, int64_t item) {
    if (item == batch) return;
    batch = item;
    for (auto* v : {&x1, &y1, &x2, &y2, &area}) v->resize(m);
    const T* p = boxes + item * m * 4;
    for (int64_t j = 0; j < m; ++j, p += 4) {
      x1[j] = p[0], y1[j] = p[1], x2[j] = p[2], y2[j] = p[3];
      area[j] = clamped_area(p[0], p[1], p[2], p[3]);
    }
  }
};

template <typename T>
void iou_row(const T* __restrict box, const ColumnBoxes<T>& c, int64_t m, T* __restrict out) {
  const T b[4] = {box[0], box[1], box[2], box[3]};
  const T area = clamped_area(b[0], b[1], b[2], b[3]);
  const T* __restrict x1 = c.x1.data();
  const T* __restrict y1 = c.y1.data();
  const T* __restrict x2 = c.x2.data();
  const T* __restrict y2 = c.y2.data();
  const T* __restrict areas = c.area.data();
  for (int64_t j = 0; j < m; ++j) {
    const T other[4] = {x1[j], y1[j], x2[j], y2[j]};
    out[j] = pair_iou(b, area, other, areas[j]);
  }
}

template <typename T>
bool all_finite(const at::Tensor& t) {
  const T* p = t.const_data_ptr<T>();
  bool ok = true;
  for (int64_t i = 0, n = t.numel(); i < n; ++i) ok &= std::isfinite(p[i]);
  return ok;
}

} // namespace

IouResult box_iou_cpu(const at::Tensor& boxes1, const at::Tensor& boxes2) {
  const int64_t batch = boxes1.size(0), n = boxes1.size(1), m = boxes2.size(1);
  at::Tensor out = at::empty({batch, n, m}, boxes1.options());
  int nonfinite = 0;
  AT_DISPATCH_FLOATING_TYPES(boxes1.scalar_type(), "box_iou_cpu", [&] {
    nonfinite = (all_finite<scalar_t>(boxes1) ? 0 : 1) | (all_finite<scalar_t>(boxes2) ? 0 : 2);
    if (nonfinite != 0 || out.numel() == 0) return;
    const scalar_t* a = boxes1.const_data_ptr<scalar_t>();
    const scalar_t* b = boxes2.const_data_ptr<scalar_t>();
    scalar_t* o = out.mutable_data_ptr<scalar_t>();
    // A task is a run of output rows; ~64k pairs a task keeps small matrices on one thread.
    const int64_t grain = std::max<int64_t>(1, 65536 / m);
    at::parallel_for(0, batch * n, grain, [&](int64_t row_begin, int64_t row_end) {
      ColumnBoxes<scalar_t> columns;
      for (int64_t row = row_begin; row < row_end; ++row) {
        columns.load(b, m, row / n);
        iou_row(a + row * 4, columns, m, o + row * m);
      }
    });
  });
  return {out, nonfinite};
}

} // namespace trackkit::detail
