// RetinaFace's prior boxes and decoding (biubug6/Pytorch_Retinaface layers/functions/prior_box.py and
// utils/box_utils.py), as tensor expressions on the outputs' device, in the upstream's order of operations so that
// float32 results equal its own; and the inverse letterbox of points (landmarks).
#include <ATen/ATen.h>

#include <string>
#include <vector>

#include "trackkit/check.hpp"
#include "trackkit/error.hpp"
#include "trackkit/face_detector.hpp"

namespace trackkit {
namespace {

void check_prior_options(int64_t height, int64_t width, const RetinaFacePriorOptions& o) {
  constexpr const char* kFn = "retinaface_priors";
  if (height <= 0 || width <= 0)
    fail_argument(kFn, height <= 0 ? "input_height" : "input_width",
                  "must be > 0, got " + std::to_string(height <= 0 ? height : width));
  if (o.steps.empty() || o.steps.size() != o.min_sizes.size())
    fail_argument(kFn, "options.steps", "must be non-empty and have one step per level of options.min_sizes");
  for (size_t k = 0; k < o.steps.size(); ++k) {
    if (o.steps[k] <= 0) fail_argument(kFn, "options.steps[" + std::to_string(k) + "]", "must be > 0");
    if (o.min_sizes[k].empty()) fail_argument(kFn, "options.min_sizes[" + std::to_string(k) + "]", "is empty");
  }
}

/// priors [P,4] float, on `device`, with P = priors.size(0) == the anchor count of `values`' [..., P, X].
at::Tensor checked_priors(const char* fn, const char* argument, const at::Tensor& values, int64_t columns,
                          const at::Tensor& priors) {
  TensorCheck(fn, argument, values).last_dim(columns, 2).floating();
  TensorCheck(fn, "priors", priors).shape({"P", 4}).floating();
  if (values.size(-2) != priors.size(0))
    fail_argument(
        fn, argument,
        "must have one row a prior (" + std::to_string(priors.size(0)) + "), got " + shape_string(values.sizes()));
  return priors.to(values.device(), at::kFloat);
}

} // namespace

const char* face_layout_name(FaceLayout layout) noexcept {
  return layout == FaceLayout::RetinaFace ? "retinaface" : "yolov5_face";
}

at::Tensor retinaface_priors(int64_t input_height, int64_t input_width, const RetinaFacePriorOptions& o,
                             c10::Device device) {
  check_prior_options(input_height, input_width, o);
  const at::TensorOptions f64 = at::TensorOptions().dtype(at::kDouble).device(device);
  const double h = static_cast<double>(input_height), w = static_cast<double>(input_width);
  std::vector<at::Tensor> levels;
  for (size_t k = 0; k < o.steps.size(); ++k) {
    const double step = static_cast<double>(o.steps[k]);
    const int64_t rows = (input_height + o.steps[k] - 1) / o.steps[k],
                  cols = (input_width + o.steps[k] - 1) / o.steps[k];
    const auto n = static_cast<int64_t>(o.min_sizes[k].size());
    const at::Tensor sizes = at::tensor(o.min_sizes[k], at::kLong).to(f64);
    // Upstream: cx = (j + 0.5) * step / W, cy = (i + 0.5) * step / H, s_kx = min_size / W, s_ky = min_size / H.
    const at::Tensor cx = ((at::arange(cols, f64) + 0.5) * step / w).view({1, cols, 1}).expand({rows, cols, n});
    const at::Tensor cy = ((at::arange(rows, f64) + 0.5) * step / h).view({rows, 1, 1}).expand({rows, cols, n});
    const at::Tensor sx = (sizes / w).view({1, 1, n}).expand({rows, cols, n});
    const at::Tensor sy = (sizes / h).view({1, 1, n}).expand({rows, cols, n});
    levels.push_back(at::stack({cx, cy, sx, sy}, -1).reshape({-1, 4}));
  }
  at::Tensor priors = at::cat(levels).to(at::kFloat);
  if (o.clip) priors.clamp_(0, 1);
  return priors;
}

at::Tensor retinaface_decode_boxes(const at::Tensor& loc, const at::Tensor& priors_in,
                                   const std::array<double, 2>& variance) {
  const at::Tensor priors = checked_priors("retinaface_decode_boxes", "loc", loc, 4, priors_in);
  const at::Tensor l = loc.to(at::kFloat), centre = priors.narrow(1, 0, 2), size = priors.narrow(1, 2, 2);
  const at::Tensor c = centre + l.narrow(-1, 0, 2) * variance[0] * size;
  const at::Tensor wh = size * at::exp(l.narrow(-1, 2, 2) * variance[1]);
  const at::Tensor top_left = c - wh / 2; // upstream: boxes[:, :2] -= boxes[:, 2:] / 2; boxes[:, 2:] += boxes[:, :2]
  return at::cat({top_left, wh + top_left}, -1);
}

at::Tensor retinaface_decode_landmarks(const at::Tensor& landms, const at::Tensor& priors_in,
                                       const std::array<double, 2>& variance) {
  const at::Tensor priors = checked_priors("retinaface_decode_landmarks", "landms", landms, 10, priors_in);
  std::vector<int64_t> points(landms.sizes().begin(), landms.sizes().end() - 1);
  points.insert(points.end(), {5, 2});
  const at::Tensor l = landms.to(at::kFloat).reshape(points);
  const at::Tensor centre = priors.narrow(1, 0, 2).unsqueeze(1), size = priors.narrow(1, 2, 2).unsqueeze(1);
  return (centre + l * variance[0] * size).flatten(-2);
}

} // namespace trackkit
