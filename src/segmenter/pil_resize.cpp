#include "segmenter/pil_resize.hpp"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>

namespace trackkit::detail {

namespace {

constexpr int kPrecisionBits = 32 - 8 - 2; // Pillow's PRECISION_BITS for 8-bit images

double bilinear(double x) {
  x = std::abs(x);
  return x < 1.0 ? 1.0 - x : 0.0;
}

/// One separable pass along `dim`: out[i] = clip8((sum_k in[first[i] + k] * w[i,k] + 2^21) >> 22). Integer
/// arithmetic (sums stay below 2^31: weights sum to 2^22, values to 255), so every device gives the same bytes.
at::Tensor pass(const at::Tensor& in, int64_t dim, int64_t out_size) {
  const int64_t in_size = in.size(dim);
  const PilTaps t = pil_bilinear_taps(in_size, out_size);
  const auto on_device = at::TensorOptions().device(in.device());
  const at::Tensor first = at::tensor(t.first, at::kLong).to(on_device);
  const at::Tensor weights = at::tensor(t.weights, at::kInt).view({out_size, t.taps}).to(on_device);
  std::vector<int64_t> shape(in.dim(), 1);
  shape[dim] = out_size;
  at::Tensor acc = at::full({1}, int32_t{1} << (kPrecisionBits - 1), in.options().dtype(at::kInt));
  for (int64_t k = 0; k < t.taps; ++k) {
    const at::Tensor index = (first + k).clamp_max(in_size - 1);
    acc = acc + in.index_select(dim, index) * weights.select(1, k).view(shape);
  }
  return acc.bitwise_right_shift(kPrecisionBits).clamp_(0, 255);
}

} // namespace

PilTaps pil_bilinear_taps(int64_t in_size, int64_t out_size) {
  const double scale = static_cast<double>(in_size) / static_cast<double>(out_size);
  const double filterscale = std::max(scale, 1.0);
  const double support = 1.0 * filterscale;
  PilTaps t;
  t.taps = static_cast<int64_t>(std::ceil(support)) * 2 + 1;
  t.first.resize(out_size);
  t.weights.assign(out_size * t.taps, 0);
  std::vector<double> k(t.taps);
  for (int64_t xx = 0; xx < out_size; ++xx) {
    const double center = (static_cast<double>(xx) + 0.5) * scale;
    const double ss = 1.0 / filterscale;
    const int64_t xmin = std::max<int64_t>(static_cast<int64_t>(center - support + 0.5), 0);
    const int64_t xmax = std::min<int64_t>(static_cast<int64_t>(center + support + 0.5), in_size) - xmin;
    double ww = 0.0;
    for (int64_t x = 0; x < xmax; ++x) {
      k[x] = bilinear((static_cast<double>(x + xmin) - center + 0.5) * ss);
      ww += k[x];
    }
    t.first[xx] = xmin;
    for (int64_t x = 0; x < xmax; ++x) {
      const double w = ww != 0.0 ? k[x] / ww : k[x];
      const double fixed = w * static_cast<double>(1 << kPrecisionBits);
      t.weights[xx * t.taps + x] = static_cast<int32_t>(w < 0 ? -0.5 + fixed : 0.5 + fixed);
    }
  }
  return t;
}

at::Tensor pil_bilinear_resize(const at::Tensor& images, int64_t out_h, int64_t out_w) {
  const int64_t h = images.size(-2), w = images.size(-1);
  at::Tensor x = images.to(at::kInt);
  // Pillow skips a pass whose size does not change; with unit scale its taps are the identity anyway.
  if (out_w != w) x = pass(x, x.dim() - 1, out_w);
  if (out_h != h) x = pass(x, x.dim() - 2, out_h);
  return x;
}

} // namespace trackkit::detail
