#pragma once
// An independent scalar IoU in double precision, written from the definition, for checking box_iou.
#include <ATen/ATen.h>

#include <algorithm>

inline double reference_iou(const double* a, const double* b) {
  const double area_a = std::max(0.0, a[2] - a[0]) * std::max(0.0, a[3] - a[1]);
  const double area_b = std::max(0.0, b[2] - b[0]) * std::max(0.0, b[3] - b[1]);
  const double w = std::max(0.0, std::min(a[2], b[2]) - std::max(a[0], b[0]));
  const double h = std::max(0.0, std::min(a[3], b[3]) - std::max(a[1], b[1]));
  const double inter = w * h;
  const double uni = area_a + area_b - inter;
  return uni > 0 ? inter / uni : 0.0;
}

/// [N,4] x [M,4] -> [N,M] float64 on the CPU.
inline at::Tensor reference_iou_matrix(const at::Tensor& boxes1, const at::Tensor& boxes2) {
  const at::Tensor a = boxes1.to(at::kDouble).cpu().contiguous(), b = boxes2.to(at::kDouble).cpu().contiguous();
  at::Tensor out = at::empty({a.size(0), b.size(0)}, a.options());
  auto o = out.accessor<double, 2>();
  for (int64_t i = 0; i < a.size(0); ++i)
    for (int64_t j = 0; j < b.size(0); ++j)
      o[i][j] = reference_iou(a.data_ptr<double>() + 4 * i, b.data_ptr<double>() + 4 * j);
  return out;
}

/// Random x1y1x2y2 boxes inside a width x height image, sizes 2..max_size px; some identical, some nested.
inline at::Tensor random_boxes(int64_t n, double width = 1920, double height = 1080, double max_size = 300) {
  const at::Tensor xy = at::rand({n, 2}, at::kDouble) * at::tensor({width, height}, at::kDouble);
  const at::Tensor wh = 2 + at::rand({n, 2}, at::kDouble) * (max_size - 2);
  at::Tensor boxes = at::cat({xy, xy + wh}, 1);
  if (n >= 4) {
    boxes[1] = boxes[0];                                                   // identical pair: IoU 1
    boxes[3] = boxes[2] + at::tensor({5.0, 5.0, -5.0, -5.0}, at::kDouble); // nested (may invert if tiny)
  }
  return boxes.to(at::kFloat);
}
