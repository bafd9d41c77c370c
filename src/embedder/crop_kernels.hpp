#pragma once
// The crop kernels behind trackkit::crop_boxes / crop_aligned (src/embedder/crop.cpp).
#include <ATen/core/Tensor.h>

#include "crop_formula.hpp"

namespace trackkit::detail {

/// frames uint8 [B,H,W,3] contiguous; frame_index int64 [N]; affine float32 [N,6]; rect float32 [N,4]; all on
/// one device -> out [N,3,out_h,out_w] (float32 / float16 / bfloat16, preallocated, contiguous).
void crop_affine_cpu(const at::Tensor& frames, const at::Tensor& frame_index, const at::Tensor& affine,
                     const at::Tensor& rect, const CropNorm& norm, at::Tensor& out);
#ifdef TRACKKIT_WITH_CUDA
void crop_affine_cuda(const at::Tensor& frames, const at::Tensor& frame_index, const at::Tensor& affine,
                      const at::Tensor& rect, const CropNorm& norm, at::Tensor& out);
#endif

} // namespace trackkit::detail
