#pragma once
// What crop_boxes / crop_aligned and the Embedder share: resolved crop options, and a checked crop job (per crop:
// frame index, sampling affine, clamp rectangle) that can be cut in slices, so the Embedder crops batch by batch.
#include <ATen/core/Tensor.h>

#include <string_view>

#include "crop_formula.hpp"
#include "trackkit/embedder.hpp"

namespace trackkit::detail {

/// Preset sizes and normalisation filled in (Auto must have been resolved by the caller); throws Error naming
/// `function` and the option for invalid values.
CropOptions resolve_crop(CropOptions options, std::string_view function);

/// The kernels' constants for resolved options.
CropNorm crop_norm(const CropOptions& options, bool box_crops);

struct CropJob {
  at::Tensor frame_index; // int64 [N]
  at::Tensor affine;      // float32 [N,6]: crop pixel (u, v) -> frame index coordinates
  at::Tensor rect;        // float32 [N,4]: sample-point bounds (box crops)
  CropNorm norm;
};

/// Checked job for box crops of `frames` (uint8 [B,H,W,3], checked by the caller), on the frames' device.
CropJob box_job(std::string_view function, const at::Tensor& frames, const at::Tensor& boxes, const CropOptions& o);
/// Checked job for aligned crops.
CropJob aligned_job(std::string_view function, const at::Tensor& frames, const at::Tensor& landmarks,
                    const at::Tensor& frame_index, const CropOptions& o);
/// Crops rows [first, first + count) of the job -> [count,3,h,w] of `dtype` on the frames' device.
at::Tensor run_crop(const at::Tensor& frames, const CropJob& job, int64_t first, int64_t count, c10::ScalarType dtype);
/// Checks frames: uint8 [B,H,W,3] with H, W > 0; returns them contiguous.
at::Tensor checked_frames(std::string_view function, const at::Tensor& frames);

} // namespace trackkit::detail
