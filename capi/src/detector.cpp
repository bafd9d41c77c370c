// C ABI for trackkit/detector.hpp.
#include <ATen/ATen.h>

#include <cstring>
#include <string>
#include <vector>

#include "config.hpp"
#include "guard.hpp"
#include "tensor.hpp"
#include "trackkit/detector.hpp"

struct tk_detector {
  trackkit::Detector detector;
};

namespace {

trackkit::DetectorOptions to_options(const char* fn, const tk_detector_config* config) {
  const tk_detector_config c =
      trackkit::capi::read_config(fn, config, tk_detector_config_defaults(), sizeof(tk_detector_config));
  trackkit::DetectorOptions o;
  trackkit::capi::read_device_and_precision(fn, c, o);
  if (c.layout < TK_YOLO_AUTO || c.layout > TK_YOLO_END2END)
    trackkit::fail_argument(fn, "config->layout", "must be a tk_yolo_layout, got " + std::to_string(c.layout));
  o.layout = static_cast<trackkit::YoloLayout>(c.layout);
  o.input_height = c.input_height, o.input_width = c.input_width;
  o.stride_multiple = c.stride_multiple != 0, o.input_bgr = c.input_bgr != 0, o.agnostic = c.agnostic != 0;
  o.conf_threshold = c.conf_threshold, o.iou_threshold = c.iou_threshold;
  o.max_candidates = c.max_candidates, o.max_detections = c.max_detections, o.batch_size = c.batch_size;
  if (c.num_classes < 0 || (c.num_classes > 0 && c.classes == nullptr))
    trackkit::fail_argument(fn, "config->classes", "must point at num_classes ids");
  o.classes.assign(c.classes, c.classes + c.num_classes);
  return o;
}

} // namespace

trackkit::DetectorOptions trackkit::capi::detector_options(const char* function, const tk_detector_config* config) {
  return to_options(function, config);
}

extern "C" {

TK_API tk_detector_config tk_detector_config_defaults(void) {
  const trackkit::DetectorOptions o;
  tk_detector_config c{};
  c.struct_size = sizeof(c);
  c.device = "auto";
  c.precision = TK_PRECISION_FP32, c.layout = TK_YOLO_AUTO;
  c.input_bgr = 1;
  c.conf_threshold = o.conf_threshold, c.iou_threshold = o.iou_threshold;
  c.max_candidates = o.max_candidates, c.max_detections = o.max_detections;
  return c;
}

TK_API tk_status tk_detector_create(const char* model_path, const tk_detector_config* config, tk_detector** detector) {
  constexpr const char* fn = "tk_detector_create";
  return trackkit::capi::tk_guard(fn, [&] {
    trackkit::capi::require_pointer(fn, "detector", detector);
    *detector = nullptr;
    trackkit::capi::require_pointer(fn, "model_path", model_path);
    *detector = new tk_detector{trackkit::Detector(model_path, to_options(fn, config))};
  });
}

TK_API void tk_detector_destroy(tk_detector* detector) { delete detector; }

TK_API tk_status tk_detector_warmup(tk_detector* detector, int64_t frame_height, int64_t frame_width) {
  constexpr const char* fn = "tk_detector_warmup";
  return trackkit::capi::tk_guard(fn, [&] {
    trackkit::capi::require_pointer(fn, "detector", detector);
    if (frame_height <= 0 || frame_width <= 0)
      trackkit::fail_argument(fn, "frame_height", "and frame_width must be > 0");
    detector->detector.warmup(frame_height, frame_width);
  });
}

TK_API tk_status tk_detector_detect(tk_detector* detector, const DLTensor* frames,
                                    DLManagedTensorVersioned** detections, DLManagedTensorVersioned** counts) {
  constexpr const char* fn = "tk_detector_detect";
  return trackkit::capi::tk_guard(fn, [&] {
    trackkit::capi::require_pointer(fn, "detector", detector);
    trackkit::capi::require_pointer(fn, "detections", detections);
    trackkit::capi::require_pointer(fn, "counts", counts);
    const trackkit::DetectionBatch b =
        detector->detector.detect_batch(trackkit::capi::borrow_dltensor(fn, "frames", frames));
    trackkit::capi::give_dltensor(fn, "detections", b.detections, detections);
    trackkit::capi::give_dltensor(fn, "counts", b.counts, counts);
  });
}

TK_API tk_status tk_detector_detect_into(tk_detector* detector, const DLTensor* frames, float* detections,
                                         int64_t* counts, int64_t capacity_frames) {
  constexpr const char* fn = "tk_detector_detect_into";
  return trackkit::capi::tk_guard(fn, [&] {
    trackkit::capi::require_pointer(fn, "detector", detector);
    trackkit::capi::require_pointer(fn, "detections", detections);
    trackkit::capi::require_pointer(fn, "counts", counts);
    const at::Tensor f = trackkit::capi::borrow_dltensor(fn, "frames", frames);
    if (f.dim() >= 1 && f.size(0) > capacity_frames) {
      trackkit::fail_argument(
          fn, "capacity_frames",
          "is " + std::to_string(capacity_frames) + " but frames holds " + std::to_string(f.size(0)));
    }
    const trackkit::DetectionBatch b = detector->detector.detect_batch(f);
    const at::Tensor d = b.detections.cpu().contiguous(), c = b.counts.cpu().contiguous();
    std::memcpy(detections, d.const_data_ptr<float>(), d.numel() * sizeof(float));
    std::memcpy(counts, c.const_data_ptr<int64_t>(), c.numel() * sizeof(int64_t));
  });
}

TK_API tk_status tk_detector_class_count(const tk_detector* detector, int64_t* count) {
  constexpr const char* fn = "tk_detector_class_count";
  return trackkit::capi::tk_guard(fn, [&] {
    trackkit::capi::require_pointer(fn, "detector", detector);
    trackkit::capi::require_pointer(fn, "count", count);
    *count = static_cast<int64_t>(detector->detector.class_names().size());
  });
}

TK_API tk_status tk_detector_class_name(const tk_detector* detector, int64_t index, const char** name) {
  constexpr const char* fn = "tk_detector_class_name";
  return trackkit::capi::tk_guard(fn, [&] {
    trackkit::capi::require_pointer(fn, "detector", detector);
    trackkit::capi::require_pointer(fn, "name", name);
    const auto& names = detector->detector.class_names();
    if (index < 0 || index >= static_cast<int64_t>(names.size()))
      trackkit::fail_argument(fn, "index",
                              "must be in [0," + std::to_string(names.size()) + "), got " + std::to_string(index));
    *name = names[index].c_str();
  });
}

} // extern "C"
