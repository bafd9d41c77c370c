#pragma once
// SAM's image and mask transforms, on the tensors' device: ResizeLongestSide + Sam.preprocess for frames,
// Sam.postprocess_masks for mask logits.
#include <ATen/core/Tensor.h>

#include <array>
#include <cstdint>

namespace trackkit::detail {

/// The resized frame inside the padded input square: longest side = `input_size`, the other side scaled by the same
/// factor and rounded (ResizeLongestSide.get_preprocess_shape).
/// square (SAM 2): the frame is resized to the whole S x S square (input_height = input_width = S).
struct SamGeometry {
  int64_t frame_height = 0, frame_width = 0, input_height = 0, input_width = 0, input_size = 0;
  bool square = false;
};
SamGeometry sam_geometry(int64_t frame_height, int64_t frame_width, int64_t input_size, bool square = false);

/// uint8 [B,H,W,3] frames -> float [B,3,S,S] in `dtype`: RGB, resized as PIL does (pil_resize.hpp), normalised
/// by mean/std (after dividing by pixel_scale, EfficientViT-SAM's ToTensor), zero-padded right and bottom. Square
/// geometry (SAM2Transforms): RGB / pixel_scale in float32, antialiased bilinear resize to S x S (torchvision's Resize
/// of a tensor), then normalised.
at::Tensor sam_input(const at::Tensor& frames, const SamGeometry& g, const std::array<double, 3>& mean,
                     const std::array<double, 3>& std, bool input_bgr, at::ScalarType dtype, double pixel_scale = 1);

/// Mask logits [N,M,L,L] -> bool [N,M,H,W]: bilinear (align_corners false) to S x S, crop to the resized frame,
/// bilinear to the frame, logit > threshold. Square geometry (SAM 2): bilinear straight to the frame. In float32.
at::Tensor sam_masks(const at::Tensor& low_res, const SamGeometry& g, double threshold);

} // namespace trackkit::detail
