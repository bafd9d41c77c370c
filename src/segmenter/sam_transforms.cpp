#include "sam_transforms.hpp"

#include <ATen/ATen.h>

#include <algorithm>

#include "pil_resize.hpp"
#include "trackkit/check.hpp"
#include "trackkit/segmenter.hpp"

namespace trackkit::detail {

SamGeometry sam_geometry(int64_t frame_height, int64_t frame_width, int64_t input_size, bool square) {
  if (square) return {frame_height, frame_width, input_size, input_size, input_size, true};
  const double scale = static_cast<double>(input_size) / static_cast<double>(std::max(frame_height, frame_width));
  // Python's int(x + 0.5) on the scaled sizes (both positive: truncation rounds half up).
  return {frame_height, frame_width, static_cast<int64_t>(frame_height * scale + 0.5),
          static_cast<int64_t>(frame_width * scale + 0.5), input_size};
}

at::Tensor sam_input(const at::Tensor& frames, const SamGeometry& g, const std::array<double, 3>& mean,
                     const std::array<double, 3>& std, bool input_bgr, at::ScalarType dtype, double pixel_scale) {
  at::Tensor x = frames.permute({0, 3, 1, 2});
  if (input_bgr) x = x.flip({1});
  if (g.square) {
    // SAM2Transforms: ToTensor (float32 / 255), torchvision Resize((S, S)) of a tensor = interpolate(bilinear,
    // align_corners false, antialias true), Normalize.
    x = at::_upsample_bilinear2d_aa(x.to(at::kFloat) / pixel_scale, {g.input_size, g.input_size}, false);
  } else {
    // SAM resizes with PIL (torchvision's resize of a PIL image); the same integer arithmetic gives its bytes.
    x = pil_bilinear_resize(x, g.input_height, g.input_width).to(at::kFloat);
    if (pixel_scale != 1) x = x / pixel_scale; // EfficientViT-SAM: ToTensor after the PIL resize
  }
  const auto opts = x.options();
  const at::Tensor m = at::tensor({mean[0], mean[1], mean[2]}, opts.dtype(at::kDouble)).to(opts).view({1, 3, 1, 1});
  const at::Tensor s = at::tensor({std[0], std[1], std[2]}, opts.dtype(at::kDouble)).to(opts).view({1, 3, 1, 1});
  x = (x - m) / s;
  x = at::constant_pad_nd(x, {0, g.input_size - g.input_width, 0, g.input_size - g.input_height}, 0);
  return x.to(dtype).contiguous();
}

at::Tensor sam_masks(const at::Tensor& low_res, const SamGeometry& g, double threshold) {
  at::Tensor x = low_res.to(at::kFloat);
  if (g.square) return at::upsample_bilinear2d(x, {g.frame_height, g.frame_width}, false) > threshold;
  x = at::upsample_bilinear2d(x, {g.input_size, g.input_size}, false);
  x = x.narrow(2, 0, g.input_height).narrow(3, 0, g.input_width);
  x = at::upsample_bilinear2d(x, {g.frame_height, g.frame_width}, false);
  return x > threshold;
}

} // namespace trackkit::detail

namespace trackkit {

at::Tensor masks_to_boxes(const at::Tensor& masks) {
  TensorCheck check("masks_to_boxes", "masks", masks);
  check.dtype({at::kBool, at::kByte});
  if (masks.dim() < 2) check.fail("must be [...,H,W], got " + shape_string(masks.sizes()));
  const at::Tensor inside = masks != 0;
  const int64_t h = masks.size(-2), w = masks.size(-1);
  const auto opts = masks.options().dtype(at::kFloat);
  // First and one-past-last set column (row): the smallest index and the largest index + 1 where any pixel is set.
  auto span = [&](const at::Tensor& any, int64_t n) {
    const at::Tensor index = at::arange(n, opts);
    const at::Tensor first = at::where(any, index, at::scalar_tensor(n, opts)).amin(-1);
    const at::Tensor end = at::where(any, index + 1, at::scalar_tensor(0, opts)).amax(-1);
    return std::make_pair(first, end);
  };
  const at::Tensor columns = inside.any(-2), rows = inside.any(-1);
  if (w == 0 || h == 0) {
    std::vector<int64_t> shape(masks.sizes().begin(), masks.sizes().end() - 2);
    shape.push_back(4);
    return at::zeros(shape, opts);
  }
  const auto [x1, x2] = span(columns, w);
  const auto [y1, y2] = span(rows, h);
  const at::Tensor boxes = at::stack({x1, y1, x2, y2}, -1);
  return boxes * columns.any(-1).unsqueeze(-1);
}

} // namespace trackkit
