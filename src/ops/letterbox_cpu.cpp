#include <ATen/Dispatch.h>
#include <ATen/Parallel.h>
#include <c10/util/BFloat16.h>
#include <c10/util/Half.h>

#include <vector>

#include "letterbox_kernels.hpp"
#include "ops/letterbox_formula.hpp"

namespace trackkit::detail {

void letterbox_cpu(const at::Tensor& frames, const LetterboxGeometry& g, bool input_bgr, int64_t pad_value,
                   at::Tensor& out) {
  const int64_t batch = frames.size(0), h = frames.size(1), w = frames.size(2);
  const int64_t oh = g.input_height, ow = g.input_width;
  const double sx = 1.0 / (static_cast<double>(g.resized_width) / w),
               sy = 1.0 / (static_cast<double>(g.resized_height) / h);
  std::vector<LinearTap> tx(g.resized_width), ty(g.resized_height); // the same for every row / column
  for (int64_t x = 0; x < g.resized_width; ++x) tx[x] = linear_tap(x, sx, w);
  for (int64_t y = 0; y < g.resized_height; ++y) ty[y] = linear_tap(y, sy, h);
  const uint8_t* src = frames.const_data_ptr<uint8_t>();
  AT_DISPATCH_FLOATING_TYPES_AND2(at::kHalf, at::kBFloat16, out.scalar_type(), "letterbox_cpu", [&] {
    scalar_t* dst = out.mutable_data_ptr<scalar_t>();
    const scalar_t pad = static_cast<scalar_t>(static_cast<float>(pad_value) / 255.f);
    at::parallel_for(0, batch * oh, 8, [&](int64_t begin, int64_t end) {
      for (int64_t by = begin; by < end; ++by) {
        const int64_t b = by / oh, y = by % oh, ry = y - g.pad_top;
        const uint8_t* frame = src + b * h * w * 3;
        for (int64_t c = 0; c < 3; ++c) {
          scalar_t* row = dst + ((b * 3 + c) * oh + y) * ow;
          const int64_t channel = input_bgr ? 2 - c : c; // output is RGB
          for (int64_t x = 0; x < ow; ++x) {
            const int64_t rx = x - g.pad_left;
            if (ry < 0 || ry >= g.resized_height || rx < 0 || rx >= g.resized_width) {
              row[x] = pad;
            } else {
              const int32_t v = resize_linear_u8(frame + channel, w * 3, 3, tx[rx], ty[ry]);
              row[x] = static_cast<scalar_t>(static_cast<float>(v) / 255.f);
            }
          }
        }
      }
    });
  });
}

} // namespace trackkit::detail
