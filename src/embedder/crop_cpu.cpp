#include <ATen/Dispatch.h>
#include <ATen/Parallel.h>
#include <c10/util/BFloat16.h>
#include <c10/util/Half.h>

#include "crop_kernels.hpp"

namespace trackkit::detail {

void crop_affine_cpu(const at::Tensor& frames, const at::Tensor& frame_index, const at::Tensor& affine,
                     const at::Tensor& rect, const CropNorm& norm, at::Tensor& out) {
  const int64_t n = out.size(0), h = frames.size(1), w = frames.size(2), oh = norm.out_h, ow = norm.out_w;
  const uint8_t* src = frames.const_data_ptr<uint8_t>();
  const int64_t* index = frame_index.const_data_ptr<int64_t>();
  const float* a = affine.const_data_ptr<float>();
  const float* r = rect.const_data_ptr<float>();
  AT_DISPATCH_FLOATING_TYPES_AND2(at::kHalf, at::kBFloat16, out.scalar_type(), "crop_affine_cpu", [&] {
    scalar_t* dst = out.mutable_data_ptr<scalar_t>();
    at::parallel_for(0, n * oh, 16, [&](int64_t begin, int64_t end) {
      for (int64_t row = begin; row < end; ++row) {
        const int64_t k = row / oh, v = row % oh;
        const uint8_t* frame = src + index[k] * h * w * 3;
        scalar_t* plane = dst + k * 3 * oh * ow + v * ow;
        for (int64_t u = 0; u < ow; ++u) {
          float value[3];
          crop_pixel(frame, h, w, a + k * 6, r + k * 4, u, v, norm, value);
          for (int c = 0; c < 3; ++c) plane[c * oh * ow + u] = static_cast<scalar_t>(value[c]);
        }
      }
    });
  });
}

} // namespace trackkit::detail
