// batched_nms: argument checks, thresholds in the kernels' form, dispatch by device.
#include "trackkit/nms.hpp"

#include <ATen/ATen.h>

#include <cmath>
#include <limits>
#include <sstream>
#include <string>

#include "nms_kernels.hpp"
#include "trackkit/check.hpp"
#include "trackkit/device.hpp"

namespace trackkit {
namespace {

constexpr const char* kFn = "batched_nms";

std::string number(double value) {
  std::ostringstream text;
  text << value;
  return text.str();
}

void check_unit_interval(const char* option, double value) {
  if (!(value >= 0 && value <= 1)) { // NaN fails too
    fail_argument(kFn, std::string("options.") + option, "must be in [0, 1], got " + number(value));
  }
}

void check_at_least_one(const char* option, int64_t value) {
  if (value < 1) fail_argument(kFn, std::string("options.") + option, "must be >= 1, got " + std::to_string(value));
}

// torch compares `scores > 0.25` after rounding 0.25 to the scores' dtype; the same rounding here keeps
// "strictly greater" identical for scores that equal the rounded threshold.
double rounded_to(double value, at::ScalarType type) {
  switch (type) {
    case at::kHalf: return static_cast<float>(c10::Half(static_cast<float>(value)));
    case at::kBFloat16: return static_cast<float>(c10::BFloat16(static_cast<float>(value)));
    case at::kFloat: return static_cast<float>(value);
    default: return value;
  }
}

// The largest float not above `value`: for a float x, x > result exactly when (double)x > value.
double float_not_above(double value) {
  float f = static_cast<float>(value);
  if (static_cast<double>(f) > value) f = std::nextafter(f, -std::numeric_limits<float>::infinity());
  return f;
}

detail::NmsParams kernel_params(const NmsOptions& o, at::ScalarType type, int64_t num_classes) {
  check_unit_interval("conf_threshold", o.conf_threshold);
  check_unit_interval("iou_threshold", o.iou_threshold);
  if (!(std::isfinite(o.class_offset) && o.class_offset >= 0)) {
    fail_argument(kFn, "options.class_offset", "must be finite and >= 0, got " + number(o.class_offset));
  }
  check_at_least_one("max_candidates", o.max_candidates);
  check_at_least_one("max_detections", o.max_detections);
  detail::NmsParams p;
  p.conf_threshold = rounded_to(o.conf_threshold, type);
  p.iou_float = float_not_above(o.iou_threshold);
  p.iou_double = o.iou_threshold;
  p.class_offset = o.agnostic ? 0.0 : o.class_offset;
  p.max_candidates = o.max_candidates;
  p.max_detections = o.max_detections;
  if (!o.classes.empty()) {
    p.allowed.assign(num_classes, 0);
    for (size_t i = 0; i < o.classes.size(); ++i) {
      const int64_t c = o.classes[i];
      if (c < 0 || c >= num_classes) {
        fail_argument(kFn, "options.classes[" + std::to_string(i) + "]",
                      "must be a class in [0, C) = [0, " + std::to_string(num_classes) + "), got " + std::to_string(c));
      }
      p.allowed[c] = 1;
    }
  }
  return p;
}

} // namespace

NmsResult batched_nms(const at::Tensor& boxes, const at::Tensor& scores, const NmsOptions& options) {
  TensorCheck box_check(kFn, "boxes", boxes);
  TensorCheck score_check(kFn, "scores", scores);
  box_check.shape({"B", "A", 4}).floating();
  score_check.shape({"B", "A", "C"}).floating().same_device(boxes, "boxes");
  if (scores.scalar_type() != boxes.scalar_type()) {
    score_check.fail(std::string("must have the dtype of boxes (") + c10::toString(boxes.scalar_type()) + "), got " +
                     c10::toString(scores.scalar_type()));
  }
  for (int d : {0, 1}) {
    if (scores.size(d) != boxes.size(d)) {
      score_check.fail(std::string("must have the ") + (d == 0 ? "batch size B" : "anchor count A") + " of boxes (" +
                       std::to_string(boxes.size(d)) + "), got " + shape_string(scores.sizes()));
    }
  }
  const int64_t batch = boxes.size(0), anchors = boxes.size(1), num_classes = scores.size(2);
  if (num_classes == 0) score_check.fail("must have at least one class, got " + shape_string(scores.sizes()));
  if (num_classes > std::numeric_limits<int32_t>::max()) score_check.fail("has more classes than 2^31 - 1");
  if (boxes.is_cuda() && !built_with_cuda()) {
    box_check.fail("is a CUDA tensor but trackkit was built without CUDA kernels", ErrorCode::Unsupported);
  }
  if (!boxes.is_cuda() && !boxes.is_cpu()) {
    box_check.fail("must be on cpu or cuda, got " + boxes.device().str(), ErrorCode::Device);
  }
  const detail::NmsParams params = kernel_params(options, scores.scalar_type(), num_classes);
  if (batch == 0 || anchors == 0) {
    const at::TensorOptions on = boxes.options();
    return {at::zeros({batch, options.max_detections, 6}, on.dtype(at::kFloat)),
            at::zeros({batch}, on.dtype(at::kLong))};
  }
#ifdef TRACKKIT_WITH_CUDA
  if (boxes.is_cuda()) return detail::batched_nms_cuda(boxes, scores, params);
#endif
  return detail::batched_nms_cpu(boxes, scores, params);
}

std::vector<at::Tensor> split_detections(const NmsResult& result) {
  TensorCheck("split_detections", "result.detections", result.detections).shape({"B", "K", 6});
  TensorCheck("split_detections", "result.counts", result.counts).shape({"B"}).dtype(at::kLong);
  if (result.counts.size(0) != result.detections.size(0)) {
    fail_argument("split_detections", "result.counts", "must have one count an image of result.detections");
  }
  const at::Tensor counts = result.counts.cpu();
  const int64_t* n = counts.const_data_ptr<int64_t>();
  std::vector<at::Tensor> out;
  out.reserve(counts.numel());
  for (int64_t b = 0; b < counts.numel(); ++b) out.push_back(result.detections[b].narrow(0, 0, n[b]));
  return out;
}

} // namespace trackkit
