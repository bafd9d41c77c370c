#pragma once
// From a YOLO export's raw output to detections in model-input pixels: the layouts' decoding, then batched NMS
// (or, for NMS-free exports, thresholds and compaction), all on the output's device without host sync.
#include <ATen/core/Tensor.h>

#include "trackkit/detector.hpp"
#include "trackkit/nms.hpp"

namespace trackkit::detail {

/// The layout of a raw output [B, X, Y]; `declared` (Auto: none) and the metadata's name win over the shape.
/// Throws Error naming model_path when the shape fits no layout.
YoloLayout resolve_layout(const at::Tensor& raw, YoloLayout declared, const std::string& metadata_layout,
                          const std::string& model_path);

/// raw output -> float32 [B, max_detections, 6] + counts [B], boxes in model-input pixels.
NmsResult decode_yolo(const at::Tensor& raw, YoloLayout layout, const NmsOptions& options);

} // namespace trackkit::detail
