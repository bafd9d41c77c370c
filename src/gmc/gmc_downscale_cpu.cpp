// CPU twin of gmc_downscale.cu: grey conversion and area downscale in one pass.
#include <ATen/Parallel.h>
#include <ATen/ops/empty.h>

#include "gmc_grey_formula.hpp"
#include "gmc_torch.hpp"

namespace trackkit::detail::gmc {

at::Tensor grey_downscale_cpu(const at::Tensor& frames, int factor, bool rgb) {
  const int64_t b = frames.size(0), height = frames.size(1), width = frames.size(2);
  const int channels = static_cast<int>(frames.size(3));
  const int64_t h = height / factor, w = width / factor;
  at::Tensor out = at::empty({b, h, w}, frames.options().dtype(at::kFloat));
  const uint8_t* in = frames.const_data_ptr<uint8_t>();
  float* o = out.mutable_data_ptr<float>();
  at::parallel_for(0, b * h, 16, [&](int64_t begin, int64_t end) {
    for (int64_t row = begin; row < end; ++row) {
      const uint8_t* frame = in + (row / h) * height * width * channels;
      for (int64_t x = 0; x < w; ++x) o[row * w + x] = grey_block_mean(frame, width, channels, factor, x, row % h, rgb);
    }
  });
  return out;
}

} // namespace trackkit::detail::gmc
