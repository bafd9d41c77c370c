#pragma once
// Kernels behind trackkit::batched_nms (src/ops/nms.cpp validates and dispatches). Inputs: boxes [B,A,4]
// and scores [B,A,C] of one floating dtype on one device, any strides, B > 0, A > 0, C > 0.
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <vector>

#include "nms_formula.hpp"
#include "trackkit/nms.hpp"

namespace trackkit::detail {

/// Options in the form the kernels compare them.
struct NmsParams {
  double conf_threshold = 0; ///< already rounded to the scores' dtype (torch compares a tensor that way)
  double iou_float = 0;      ///< the largest float not above iou_threshold (float32 compute)
  double iou_double = 0;     ///< iou_threshold (float64 compute)
  double class_offset = 0;   ///< 0 when agnostic
  int64_t max_candidates = 0;
  int64_t max_detections = 0;
  std::vector<uint8_t> allowed; ///< [C] 1 = class kept; empty: all classes
};

/// The strided view of validated inputs whose dtype is S.
template <typename S>
AnchorView<S> anchor_view(const at::Tensor& boxes, const at::Tensor& scores) {
  return {boxes.const_data_ptr<S>(), scores.const_data_ptr<S>(), boxes.stride(0),  boxes.stride(1), boxes.stride(2),
          scores.stride(0),          scores.stride(1),           scores.stride(2), scores.size(2)};
}

NmsResult batched_nms_cpu(const at::Tensor& boxes, const at::Tensor& scores, const NmsParams& params);
#ifdef TRACKKIT_WITH_CUDA
NmsResult batched_nms_cuda(const at::Tensor& boxes, const at::Tensor& scores, const NmsParams& params);
#endif

} // namespace trackkit::detail
