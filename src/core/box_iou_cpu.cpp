#include <ATen/Dispatch.h>
#include <ATen/Parallel.h>
#include <ATen/ops/empty.h>

#include <algorithm>

#include "core/box_iou_formula.hpp"
#include "core/box_iou_kernels.hpp"

namespace trackkit::detail {

at::Tensor box_iou_cpu(const at::Tensor& boxes1, const at::Tensor& boxes2) {
  const int64_t batch = boxes1.size(0), n = boxes1.size(1), m = boxes2.size(1);
  at::Tensor out = at::empty({batch, n, m}, boxes1.options());
  if (out.numel() == 0) return out;
  AT_DISPATCH_FLOATING_TYPES(boxes1.scalar_type(), "box_iou_cpu", [&] {
    const scalar_t* a = boxes1.const_data_ptr<scalar_t>();
    const scalar_t* b = boxes2.const_data_ptr<scalar_t>();
    scalar_t* o = out.mutable_data_ptr<scalar_t>();
    // One task is a run of output rows; aim for ~32k pairs a task so small matrices stay on one thread.
    const int64_t grain = std::max<int64_t>(1, 32768 / std::max<int64_t>(m, 1));
    at::parallel_for(0, batch * n, grain, [&](int64_t row_begin, int64_t row_end) {
      for (int64_t row = row_begin; row < row_end; ++row) {
        const scalar_t* box = a + row * 4;
        const scalar_t* others = b + (row / n) * m * 4;
        const scalar_t area = clamped_area(box[0], box[1], box[2], box[3]);
        scalar_t* dst = o + row * m;
        for (int64_t j = 0; j < m; ++j) {
          const scalar_t* other = others + j * 4;
          dst[j] = pair_iou(box, area, other, clamped_area(other[0], other[1], other[2], other[3]));
        }
      }
    });
  });
  return out;
}

} // namespace trackkit::detail
