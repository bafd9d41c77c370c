#pragma once
// Compact masks: COCO run-length encoding (pycocotools-compatible) and mask IoU. See docs/segmenter.md.
#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include <cstdint>
#include <string>
#include <vector>

#include "trackkit/export.hpp"

namespace trackkit {

/// One mask as COCO's uncompressed RLE: run lengths over the pixels in column-major order (down each column,
/// columns left to right), alternating 0-runs and 1-runs and starting with a 0-run (0 when the first pixel is set).
struct RleMask {
  int64_t height = 0, width = 0;
  std::vector<uint32_t> counts;
};

/// Encodes bool/uint8 [N,H,W] masks (nonzero = inside) on any device. On CUDA the run boundaries are found on
/// the device and only they are copied to the host (one synchronisation).
TRACKKIT_API std::vector<RleMask> rle_encode(const at::Tensor& masks);
/// Decodes masks of one size into bool [N,H,W] on `device`. Throws Error naming `rles` when sizes differ or
/// the counts do not add up to height x width.
TRACKKIT_API at::Tensor rle_decode(const std::vector<RleMask>& rles, c10::Device device = c10::kCPU);
/// Pixels inside the mask (the sum of the 1-runs).
TRACKKIT_API int64_t rle_area(const RleMask& rle);
/// COCO's compressed counts string (pycocotools `encode(...)["counts"]`) and back.
TRACKKIT_API std::string rle_to_string(const RleMask& rle);
TRACKKIT_API RleMask rle_from_string(const std::string& counts, int64_t height, int64_t width);

/// IoU of every mask of `a` [N,H,W] with every mask of `b` [M,H,W] (bool/uint8, one grid): float64 [N,M] on the
/// CPU, 0 where either mask is empty. The tracker's mask cue computes its mask IoUs with the same function
/// (masks cropped to their bounding boxes, src/ops/include/ops/binary_mask.hpp); CUDA inputs are copied to the CPU.
TRACKKIT_API at::Tensor mask_iou(const at::Tensor& a, const at::Tensor& b);

} // namespace trackkit
