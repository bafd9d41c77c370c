#pragma once
// The letterbox kernels behind trackkit::letterbox() (src/ops/letterbox.cpp).
#include <ATen/core/Tensor.h>

#include "trackkit/letterbox.hpp"

namespace trackkit::detail {

/// frames uint8 [B,H,W,3] contiguous -> out [B,3,in_h,in_w] (float32/float16/bfloat16, preallocated).
void letterbox_cpu(const at::Tensor& frames, const LetterboxGeometry& g, bool input_bgr, int64_t pad_value,
                   at::Tensor& out);
#ifdef TRACKKIT_WITH_CUDA
void letterbox_cuda(const at::Tensor& frames, const LetterboxGeometry& g, bool input_bgr, int64_t pad_value,
                    at::Tensor& out);
#endif

} // namespace trackkit::detail
