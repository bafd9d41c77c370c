#pragma once
// The two kernels behind pil_bilinear_resize (pil_resize.cpp): one resampling pass over planes of uint8 pixels.
#include <ATen/core/Tensor.h>

#include <cstdint>

namespace trackkit::detail {

/// in uint8 [P,H,W] contiguous -> out uint8 [P,H,O] (horizontal) or [P,O,W] (vertical), preallocated on in's
/// device; first int64 [O] and weights int32 [O,taps] on the same device (pil_bilinear_taps).
void pil_pass_cpu(const at::Tensor& in, const at::Tensor& first, const at::Tensor& weights, bool horizontal,
                  at::Tensor& out);
void pil_pass_cuda(const at::Tensor& in, const at::Tensor& first, const at::Tensor& weights, bool horizontal,
                   at::Tensor& out);

} // namespace trackkit::detail
