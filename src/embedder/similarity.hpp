#pragma once
// Face alignment: the ArcFace 5-point template and the batched similarity (rotation, uniform scale, translation)
// that maps each landmark set onto it, estimated in closed form on the landmarks' device.
#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include <string_view>

#include "trackkit/embedder.hpp"

namespace trackkit::detail {

/// The template in crop pixels (index coordinates): options.template_points, else insightface's arcface_dst
/// scaled to the crop size as its norm_crop does. float64 [5,2] on the CPU.
at::Tensor template_points(const CropOptions& options);

/// Least-squares similarities landmarks -> template, float64 [N,2,3] on `device`. Checks landmarks (shape [N,5,2],
/// floating, finite, not degenerate) with one wait for the device.
at::Tensor similarity_transforms(std::string_view function, const at::Tensor& landmarks, const CropOptions& options,
                                 c10::Device device);

/// Inverses of similarities [N,2,3] (template -> frame), same dtype and device.
at::Tensor invert_similarity(const at::Tensor& m);

} // namespace trackkit::detail
