#include "trackkit/letterbox.hpp"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "letterbox_kernels.hpp"
#include "trackkit/check.hpp"

namespace trackkit {
namespace {

/// Python's round() of a float: halves to even.
int64_t py_round(double v) { return static_cast<int64_t>(std::nearbyint(v)); }

void check_options(const LetterboxOptions& o) {
  auto require = [](bool ok, const char* field, const std::string& rule, int64_t value) {
    if (!ok) fail_argument("letterbox", std::string("options.") + field, rule + ", got " + std::to_string(value));
  };
  require(o.height > 0 && o.width > 0, o.height > 0 ? "width" : "height", "must be > 0",
          o.height > 0 ? o.width : o.height);
  require(o.stride > 0, "stride", "must be > 0", o.stride);
  require(o.pad_value >= 0 && o.pad_value <= 255, "pad_value", "must be in [0,255]", o.pad_value);
  if (o.dtype != at::kFloat && o.dtype != at::kHalf && o.dtype != at::kBFloat16) {
    fail_argument("letterbox", "options.dtype",
                  std::string("must be float32, float16 or bfloat16, got ") + c10::toString(o.dtype));
  }
}

} // namespace

LetterboxGeometry letterbox_geometry(int64_t height, int64_t width, const LetterboxOptions& o) {
  check_options(o);
  if (height <= 0 || width <= 0) {
    fail_argument("letterbox", "frames",
                  "must have height and width > 0, got " + std::to_string(height) + "x" + std::to_string(width));
  }
  LetterboxGeometry g;
  double r = std::min(static_cast<double>(o.height) / height, static_cast<double>(o.width) / width);
  if (!o.scale_up) r = std::min(r, 1.0);
  g.gain = r;
  g.resized_width = std::max<int64_t>(py_round(width * r), 1);
  g.resized_height = std::max<int64_t>(py_round(height * r), 1);
  double dw = static_cast<double>(o.width - g.resized_width), dh = static_cast<double>(o.height - g.resized_height);
  if (o.stride_multiple)
    dw = std::fmod(dw, static_cast<double>(o.stride)), dh = std::fmod(dh, static_cast<double>(o.stride));
  dw /= 2, dh /= 2;
  g.pad_top = py_round(dh - 0.1), g.pad_left = py_round(dw - 0.1);
  g.input_height = g.resized_height + g.pad_top + py_round(dh + 0.1);
  g.input_width = g.resized_width + g.pad_left + py_round(dw + 0.1);
  return g;
}

at::Tensor letterbox(const at::Tensor& frames, const LetterboxOptions& options, LetterboxGeometry* geometry) {
  TensorCheck check("letterbox", "frames", frames);
  check.dtype({at::kByte}).dim(4);
  if (frames.size(3) != 3) check.fail("must have 3 channels (shape [B,H,W,3]), got " + shape_string(frames.sizes()));
  const LetterboxGeometry g = letterbox_geometry(frames.size(1), frames.size(2), options);
  if (geometry != nullptr) *geometry = g;
  const at::Tensor src = frames.contiguous();
  at::Tensor out = at::empty({frames.size(0), 3, g.input_height, g.input_width}, frames.options().dtype(options.dtype));
#ifdef TRACKKIT_WITH_CUDA
  if (src.is_cuda()) {
    detail::letterbox_cuda(src, g, options.input_bgr, options.pad_value, out);
    return out;
  }
#endif
  check.device_type(c10::kCPU);
  detail::letterbox_cpu(src, g, options.input_bgr, options.pad_value, out);
  return out;
}

namespace {

// The gains and padding that take model-input pixels back to frame pixels: (x - pad) / gain per axis.
struct InverseLetterbox {
  double gain_x, gain_y, pad_x, pad_y;
};

InverseLetterbox inverse_letterbox(int64_t frame_height, int64_t frame_width, const LetterboxGeometry& g,
                                   BoxScaling scaling) {
  if (scaling == BoxScaling::PerAxis) {
    return {static_cast<double>(g.resized_width) / frame_width, static_cast<double>(g.resized_height) / frame_height,
            static_cast<double>(g.pad_left), static_cast<double>(g.pad_top)};
  }
  return {g.gain, g.gain, (g.input_width - frame_width * g.gain) / 2, (g.input_height - frame_height * g.gain) / 2};
}

} // namespace

at::Tensor unletterbox_boxes(const at::Tensor& boxes, int64_t frame_height, int64_t frame_width,
                             const LetterboxGeometry& g, BoxScaling scaling) {
  TensorCheck("unletterbox_boxes", "boxes", boxes).last_dim(4).floating();
  const InverseLetterbox inv = inverse_letterbox(frame_height, frame_width, g, scaling);
  const at::TensorOptions like = boxes.options().dtype(at::kDouble);
  const at::Tensor offset = at::tensor({inv.pad_x, inv.pad_y, inv.pad_x, inv.pad_y}, like);
  const at::Tensor gain = at::tensor({inv.gain_x, inv.gain_y, inv.gain_x, inv.gain_y}, like);
  const at::Tensor upper = at::tensor({static_cast<double>(frame_width), static_cast<double>(frame_height),
                                       static_cast<double>(frame_width), static_cast<double>(frame_height)},
                                      like);
  const at::Tensor scaled = (boxes - offset.to(boxes.scalar_type())) / gain.to(boxes.scalar_type());
  return at::clamp(scaled, at::zeros_like(upper).to(boxes.scalar_type()), upper.to(boxes.scalar_type()));
}

at::Tensor unletterbox_points(const at::Tensor& points, int64_t frame_height, int64_t frame_width,
                              const LetterboxGeometry& g, BoxScaling scaling) {
  TensorCheck("unletterbox_points", "points", points).last_dim(2).floating();
  if (frame_height <= 0 || frame_width <= 0)
    fail_argument("unletterbox_points", frame_height <= 0 ? "frame_height" : "frame_width", "must be > 0");
  const InverseLetterbox inv = inverse_letterbox(frame_height, frame_width, g, scaling);
  const at::TensorOptions like = points.options().dtype(at::kDouble);
  const at::Tensor offset = at::tensor({inv.pad_x, inv.pad_y}, like).to(points.scalar_type());
  const at::Tensor gain = at::tensor({inv.gain_x, inv.gain_y}, like).to(points.scalar_type());
  return (points - offset) / gain;
}

} // namespace trackkit
