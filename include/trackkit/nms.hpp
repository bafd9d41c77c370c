#pragma once
// Batched non-maximum suppression of dense detector outputs (YOLO v8 layout), on the CPU and CUDA, equal to
// ultralytics' non_max_suppression(multi_label=False). docs/core.md, "Batched NMS".
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <vector>

#include "trackkit/export.hpp"

namespace trackkit {

/// Defaults are ultralytics' non_max_suppression defaults.
struct NmsOptions {
  double conf_threshold = 0.25;   ///< candidates: best class score > this (strict, as ultralytics); [0,1]
  double iou_threshold = 0.45;    ///< suppress IoU > this (torchvision.ops.nms semantics); [0,1]
  bool agnostic = false;          ///< false: class-aware (boxes offset by class * class_offset)
  double class_offset = 7680;     ///< ultralytics' max_wh; finite, >= 0
  int64_t max_candidates = 30000; ///< highest-scoring candidates kept before NMS (ultralytics' max_nms); >= 1
  int64_t max_detections = 300;   ///< kept after NMS (max_det); >= 1
  std::vector<int64_t> classes;   ///< keep only these classes, each in [0,C) (empty: all)
};

struct NmsResult {
  at::Tensor detections; ///< float32 [B, max_detections, 6] x1,y1,x2,y2,score,class; rows past counts[b] zero
  at::Tensor counts;     ///< int64 [B], on the same device (no host sync needed to produce it)
};

/// boxes [B,A,4] x1y1x2y2 and scores [B,A,C] per-class scores: float16/bfloat16/float32 (computed in
/// float32) or float64 (computed in float64), one dtype, one device (CPU or CUDA), any strides (the v8
/// output's transposed [B,A,4+C] view goes in without a copy). Per image:
///  - score = max over classes, class = argmax (the first maximum on ties);
///  - candidates: score > conf_threshold (compared in the scores' dtype, as torch does with a Python
///    float), class in `classes`, finite box; an anchor with a NaN class score is not a candidate;
///  - the max_candidates highest scores, sorted by score descending, ties in anchor order (a stable sort);
///  - greedy NMS in that order: a candidate is kept unless a kept box has IoU > iou_threshold with it
///    (class-aware: boxes shifted by class * class_offset first, as ultralytics); stops at max_detections.
/// Equals torchvision.ops.nms(...)[:max_det]. B = 0 and A = 0 give empty results. CUDA: no host sync,
/// work queued on the current stream. Output boxes are the input boxes (not shifted), in float32.
TRACKKIT_API NmsResult batched_nms(const at::Tensor& boxes, const at::Tensor& scores, const NmsOptions& options = {});

/// The per-image [N_b,6] views of a result (one host sync for the counts).
TRACKKIT_API std::vector<at::Tensor> split_detections(const NmsResult& result);

} // namespace trackkit
