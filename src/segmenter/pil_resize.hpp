#pragma once
// PIL's bilinear resize of 8-bit images (Image.resize(size, BILINEAR), which SAM's ResizeLongestSide runs through
// torchvision), reproduced exactly on the tensors' device: the same filter taps, the same 22-bit fixed-point
// weights, a horizontal then a vertical pass, each rounded back to uint8. One kernel per pass (the first version,
// five index_select + multiply-add rounds of int32 tensors per pass, cost ~0.3 ms a 1080p frame on an H200).
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <vector>

namespace trackkit::detail {

/// One pass's taps: output i reads inputs first[i] .. first[i] + taps - 1 with integer weights (weights past an
/// output's own taps are 0). Computed on the host in double exactly as Pillow's precompute_coeffs and
/// normalize_coeffs_8bpc (support 1 scaled by the reduction factor, weights summing to 2^22).
struct PilTaps {
  int64_t taps = 0;
  std::vector<int64_t> first;   // [out]
  std::vector<int32_t> weights; // [out * taps]
};
PilTaps pil_bilinear_taps(int64_t in_size, int64_t out_size);

/// uint8 [..., H, W] -> uint8 [..., out_h, out_w] on the input's device: a CPU or a CUDA kernel per pass
/// (pil_resize_cpu.cpp, pil_resize.cu), the same integer arithmetic (pil_resize_formula.hpp).
at::Tensor pil_bilinear_resize(const at::Tensor& images, int64_t out_h, int64_t out_w);

} // namespace trackkit::detail
