#pragma once
// The IoU of one box pair, shared by the CPU and CUDA kernels so both compute the same expression.
#include "core/host_device.hpp"

namespace trackkit::detail {

// `offset` is 0 for trackkit's convention (docs/conventions.md) and 1 for the "+1 pixel" convention of
// cython_bbox, which ByteTrack-parity tracking uses.
template <typename T>
TK_HOST_DEVICE T clamped_area(T x1, T y1, T x2, T y2, T offset = T(0)) {
  const T w = x2 - x1 + offset;
  const T h = y2 - y1 + offset;
  return (w > T(0) && h > T(0)) ? w * h : T(0);
}

/// a = (x1,y1,x2,y2) with its area; same for b. 0 where boxes do not overlap or the union is empty.
/// Branch-free (selects only), so the CPU loop vectorises and GPU warps do not diverge.
template <typename T>
TK_HOST_DEVICE T pair_iou(const T* a, T area_a, const T* b, T area_b, T offset = T(0)) {
  const T left = a[0] > b[0] ? a[0] : b[0];
  const T top = a[1] > b[1] ? a[1] : b[1];
  const T right = a[2] < b[2] ? a[2] : b[2];
  const T bottom = a[3] < b[3] ? a[3] : b[3];
  const T iw = right - left + offset > T(0) ? right - left + offset : T(0);
  const T ih = bottom - top + offset > T(0) ? bottom - top + offset : T(0);
  const T inter = iw * ih;
  const T uni = area_a + area_b - inter;
  // inter > 0 implies uni >= inter > 0, so an empty union only ever divides 0 by 1. Dividing
  // unconditionally lets the compiler vectorise the loop (a guarded division could trap).
  return inter / (uni > T(0) ? uni : T(1));
}

} // namespace trackkit::detail
