#include "pil_resize.hpp"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "pil_resize_formula.hpp"
#include "pil_resize_kernels.hpp"
#include "trackkit/check.hpp"
#include "trackkit/error.hpp"
#include "trackkit/segmenter.hpp"

namespace trackkit::detail {

namespace {

double bilinear(double x) {
  x = std::abs(x);
  return x < 1.0 ? 1.0 - x : 0.0;
}

/// One separable pass of uint8 planes [P,H,W] (pil_resize_formula.hpp per output pixel), on their device.
at::Tensor pass(const at::Tensor& in, bool horizontal, int64_t out_size) {
  const int64_t in_size = in.size(horizontal ? 2 : 1);
  const PilTaps t = pil_bilinear_taps(in_size, out_size);
  const auto on_device = at::TensorOptions().device(in.device());
  const at::Tensor first = at::tensor(t.first, at::kLong).to(on_device);
  const at::Tensor weights = at::tensor(t.weights, at::kInt).view({out_size, t.taps}).to(on_device);
  at::Tensor out = at::empty(horizontal ? std::vector<int64_t>{in.size(0), in.size(1), out_size}
                                        : std::vector<int64_t>{in.size(0), out_size, in.size(2)},
                             in.options());
#ifdef TRACKKIT_WITH_CUDA
  if (in.is_cuda()) {
    pil_pass_cuda(in, first, weights, horizontal, out);
    return out;
  }
#endif
  pil_pass_cpu(in, first, weights, horizontal, out);
  return out;
}

} // namespace

// Pillow's bilinear resampling taps (libImaging/Resample.c precompute_coeffs, HPND licence, notice in NOTICE.md),
// followed step by step and with its names so the weights, and so the bytes, are Pillow's.
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
      const double fixed = w * static_cast<double>(1 << kPilPrecisionBits);
      t.weights[xx * t.taps + x] = static_cast<int32_t>(w < 0 ? -0.5 + fixed : 0.5 + fixed);
    }
  }
  return t;
}

at::Tensor pil_bilinear_resize(const at::Tensor& images, int64_t out_h, int64_t out_w) {
  const int64_t h = images.size(-2), w = images.size(-1);
  std::vector<int64_t> shape(images.sizes().begin(), images.sizes().end());
  at::Tensor x = images.to(at::kByte).contiguous().view({-1, h, w});
  // Pillow skips a pass whose size does not change; with unit scale its taps are the identity anyway.
  if (out_w != w) x = pass(x, true, out_w);
  if (out_h != h) x = pass(x, false, out_h);
  shape[shape.size() - 2] = out_h, shape[shape.size() - 1] = out_w;
  return x.view(shape);
}

} // namespace trackkit::detail

namespace trackkit {

at::Tensor pil_resize(const at::Tensor& images, int64_t out_h, int64_t out_w) {
  TensorCheck check("pil_resize", "images", images);
  check.dtype(at::kByte);
  if (images.dim() < 2 || images.size(-1) == 0 || images.size(-2) == 0)
    check.fail("must be uint8 [...,H,W] with H, W > 0, got " + shape_string(images.sizes()));
  if (out_h <= 0 || out_w <= 0) fail_argument("pil_resize", "out_h", "and out_w must be > 0");
  return detail::pil_bilinear_resize(images, out_h, out_w);
}

} // namespace trackkit
