#pragma once
// Kernels behind trackkit::box_iou (src/core/boxes.cpp dispatches). Inputs: contiguous float32/float64
// boxes [B,N,4] and [B,M,4] on one device, already validated. Output [B,N,M] of the same dtype.
#include <ATen/core/Tensor.h>

namespace trackkit::detail {

at::Tensor box_iou_cpu(const at::Tensor& boxes1, const at::Tensor& boxes2);
#ifdef TRACKKIT_WITH_CUDA
at::Tensor box_iou_cuda(const at::Tensor& boxes1, const at::Tensor& boxes2);
#endif

} // namespace trackkit::detail
