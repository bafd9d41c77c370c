#pragma once
// Kernels behind trackkit::box_iou (src/ops/boxes.cpp dispatches). Inputs: contiguous float32/float64
// boxes [B,N,4] and [B,M,4] on one device, already validated. Output [B,N,M] of the same dtype.
#include <ATen/core/Tensor.h>

namespace trackkit::detail {

/// The kernels check the coordinates as they read them (no separate passes): bit 0 of `nonfinite` is set
/// when boxes1 holds a NaN or infinity, bit 1 for boxes2.
struct IouResult {
  at::Tensor iou;
  int nonfinite = 0;
};

IouResult box_iou_cpu(const at::Tensor& boxes1, const at::Tensor& boxes2);
#ifdef TRACKKIT_WITH_CUDA
/// Waits for the stream once, to read the flags. Boxes of an empty side are not read (flag stays 0).
IouResult box_iou_cuda(const at::Tensor& boxes1, const at::Tensor& boxes2);
#endif

} // namespace trackkit::detail
