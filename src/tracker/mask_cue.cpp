#include "mask_cue.hpp"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

namespace trackkit::detail {

std::vector<MaskPtr> read_masks(TensorCheck check, const at::Tensor& masks, int64_t rows, const char* row_meaning) {
  check.dtype({at::kBool, at::kByte}).device_type(c10::kCPU);
  if (masks.dim() != 3 || masks.size(0) != rows) {
    check.fail("must have shape [N,H,W] with N = " + std::to_string(rows) + " (one per " + row_meaning + "), got " +
               shape_string(masks.sizes()));
  }
  const at::Tensor m = masks.to(at::kByte).contiguous();
  const int64_t h = m.size(1), w = m.size(2);
  const uint8_t* data = m.const_data_ptr<uint8_t>();
  std::vector<MaskPtr> out(rows);
  at::parallel_for(0, rows, 1, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) out[i] = crop_mask(data + i * h * w, h, w);
  });
  return out;
}

void apply_mask_cue(std::vector<AssignmentEdge>& costs, int64_t rows, int64_t cols, double thresh,
                    const std::function<double(const AssignmentEdge&)>& mask_cost) {
  std::vector<int32_t> row_candidates(rows, 0), col_candidates(cols, 0);
  for (const AssignmentEdge& e : costs)
    if (e.cost < thresh) ++row_candidates[e.row], ++col_candidates[e.col];
  for (AssignmentEdge& e : costs) {
    if (!(e.cost < thresh) || (row_candidates[e.row] < 2 && col_candidates[e.col] < 2)) continue;
    const double c = mask_cost(e);
    if (c >= 0) e.cost = c;
  }
}

} // namespace trackkit::detail
