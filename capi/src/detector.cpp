// C ABI for trackkit/detector.hpp.
#include <ATen/ATen.h>

#include <cstring>
#include <string>
#include <vector>

#include "config.hpp"
#include "guard.hpp"
#include "stream.hpp"
#include "tensor.hpp"
#include "trackkit/detector.hpp"

struct tk_detector {
  trackkit::Detector detector;
  void* cuda_stream = nullptr; ///< tk_detector_set_cuda_stream's, checked against the model's device
};

namespace {

tk_detector_config to_config(const trackkit::DetectorOptions& o) {
  tk_detector_config c{};
  c.struct_size = sizeof(c);
  c.device = "auto";
  c.precision = TK_PRECISION_FP32, c.layout = TK_YOLO_AUTO;
  c.input_height = static_cast<int32_t>(o.input_height), c.input_width = static_cast<int32_t>(o.input_width);
  c.stride_multiple = o.stride_multiple ? 1 : 0, c.input_bgr = o.input_bgr ? 1 : 0, c.agnostic = o.agnostic ? 1 : 0;
  c.conf_threshold = o.conf_threshold, c.iou_threshold = o.iou_threshold;
  c.max_candidates = o.max_candidates, c.max_detections = o.max_detections, c.batch_size = o.batch_size;
  return c;
}

trackkit::DetectorOptions to_options(const char* fn, const tk_detector_config* config) {
  const tk_detector_config c = trackkit::capi::read_struct(fn, config, to_config({}));
  trackkit::DetectorOptions o;
  trackkit::capi::read_device_and_precision(fn, c, o);
  trackkit::capi::require_enum(fn, "config->layout", c.layout, TK_YOLO_END2END, "tk_yolo_layout");
  if (c.reserved != 0) trackkit::fail_argument(fn, "config->reserved", "must be 0, got " + std::to_string(c.reserved));
  o.layout = static_cast<trackkit::YoloLayout>(c.layout);
  o.input_height = c.input_height, o.input_width = c.input_width;
  o.stride_multiple = c.stride_multiple != 0, o.input_bgr = c.input_bgr != 0, o.agnostic = c.agnostic != 0;
  o.conf_threshold = c.conf_threshold, o.iou_threshold = c.iou_threshold;
  o.max_candidates = c.max_candidates, o.max_detections = c.max_detections, o.batch_size = c.batch_size;
  if (c.num_classes < 0) {
    trackkit::fail_argument(fn, "config->num_classes", "must be >= 0, got " + std::to_string(c.num_classes));
  }
  if (c.num_classes > 0) {
    trackkit::capi::require_pointer(fn, "config->classes", c.classes);
    o.classes.assign(c.classes, c.classes + c.num_classes);
  }
  return o;
}

} // namespace

trackkit::DetectorOptions trackkit::capi::detector_options(const char* function, const tk_detector_config* config) {
  return to_options(function, config);
}

extern "C" {

TK_API tk_status tk_detector_config_init(tk_detector_config* config, size_t struct_size) {
  constexpr const char* fn = "tk_detector_config_init";
  return trackkit::capi::tk_guard(fn, [&] { trackkit::capi::init_struct(fn, config, struct_size, to_config({})); });
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

TK_API tk_status tk_detector_set_cuda_stream(tk_detector* detector, void* cuda_stream) {
  constexpr const char* fn = "tk_detector_set_cuda_stream";
  return trackkit::capi::tk_guard(fn, [&] {
    trackkit::capi::require_pointer(fn, "detector", detector);
    detector->cuda_stream = trackkit::capi::checked_stream(fn, cuda_stream, detector->detector.device());
  });
}

TK_API tk_status tk_detector_warmup(tk_detector* detector, int64_t frame_height, int64_t frame_width) {
  constexpr const char* fn = "tk_detector_warmup";
  return trackkit::capi::tk_guard(fn, [&] {
    trackkit::capi::require_pointer(fn, "detector", detector);
    if (frame_height <= 0)
      trackkit::fail_argument(fn, "frame_height", "must be > 0, got " + std::to_string(frame_height));
    if (frame_width <= 0) trackkit::fail_argument(fn, "frame_width", "must be > 0, got " + std::to_string(frame_width));
    const trackkit::CudaStreamScope stream_scope(detector->cuda_stream);
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
    const at::Tensor f = trackkit::capi::borrow_dltensor(fn, "frames", frames);
    const trackkit::CudaStreamScope stream_scope(detector->cuda_stream);
    const trackkit::DetectionBatch b = detector->detector.detect_batch(f);
    trackkit::capi::give_dltensor(fn, "detections", b.detections, detections);
    try {
      trackkit::capi::give_dltensor(fn, "counts", b.counts, counts);
    } catch (...) { // both outputs or neither
      tk_tensor_free(*detections);
      *detections = nullptr;
      throw;
    }
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
    const trackkit::CudaStreamScope stream_scope(detector->cuda_stream);
    const trackkit::DetectionBatch b = detector->detector.detect_batch(f);
    // .cpu() waits for the stream the work was queued on (the scope's).
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
