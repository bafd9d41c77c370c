#pragma once
// Box prompts for the decoder: checked, clamped to the frame and mapped into the resized input (SAM's
// ResizeLongestSide.apply_boxes_torch).
#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include "sam_transforms.hpp"

namespace trackkit::detail {

struct SamPrompts {
  at::Tensor boxes;       // float32 [N,5] frame index, x1,y1,x2,y2 clamped to the frame (frame pixels)
  at::Tensor index;       // int64 [N] frame of each box
  at::Tensor input_boxes; // float32 [N,4] in input pixels: x * (input_width / frame_width), y likewise
};

/// boxes: floating [N,5] on any device (the caller's argument `boxes`). Throws Error naming `boxes` and the row
/// for NaN/infinite values, a frame index that is fractional or outside [0, frames), and a box without area
/// inside the frame. Waits for the device once (the boxes are checked on the host). Results on `device`.
SamPrompts sam_prompts(const at::Tensor& boxes, int64_t frames, const SamGeometry& g, c10::Device device);

} // namespace trackkit::detail
