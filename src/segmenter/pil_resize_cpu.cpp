#include <ATen/Parallel.h>

#include "pil_resize_formula.hpp"
#include "pil_resize_kernels.hpp"

namespace trackkit::detail {

void pil_pass_cpu(const at::Tensor& in, const at::Tensor& first, const at::Tensor& weights, bool horizontal,
                  at::Tensor& out) {
  const int64_t planes = in.size(0), h = in.size(1), w = in.size(2), taps = weights.size(1);
  const int64_t oh = out.size(1), ow = out.size(2);
  const uint8_t* src = in.const_data_ptr<uint8_t>();
  const int64_t* starts = first.const_data_ptr<int64_t>();
  const int32_t* k = weights.const_data_ptr<int32_t>();
  uint8_t* dst = out.mutable_data_ptr<uint8_t>();
  // One output row at a time: a horizontal pass reads along its input row, a vertical one down the columns.
  at::parallel_for(0, planes * oh, 16, [&](int64_t begin, int64_t end) {
    for (int64_t row = begin; row < end; ++row) {
      const int64_t p = row / oh, y = row % oh;
      uint8_t* o = dst + row * ow;
      if (horizontal) {
        const uint8_t* line = src + (p * h + y) * w;
        for (int64_t x = 0; x < ow; ++x) o[x] = pil_sample(line, 1, starts[x], w - 1, k + x * taps, taps);
      } else {
        const uint8_t* plane = src + p * h * w;
        for (int64_t x = 0; x < ow; ++x) o[x] = pil_sample(plane + x, w, starts[y], h - 1, k + y * taps, taps);
      }
    }
  });
}

} // namespace trackkit::detail
