// C ABI 1.1 for trackkit/face_detector.hpp (the clusterer's wrappers are in face_cluster.cpp).
#include "face.hpp"

#include <ATen/ATen.h>

#include <string>
#include <vector>

#include "config.hpp"
#include "guard.hpp"
#include "stream.hpp"
#include "tensor.hpp"

struct tk_face_detector {
  trackkit::FaceDetector detector;
  void* cuda_stream = nullptr; ///< tk_face_detector_set_cuda_stream's, checked against the model's device
};

namespace {

using trackkit::capi::require_pointer;

tk_face_detector_config to_config(const trackkit::FaceDetectorOptions& o) {
  tk_face_detector_config c{};
  c.struct_size = sizeof(c);
  c.device = "auto";
  c.precision = TK_PRECISION_FP32, c.input_bgr = o.input_bgr ? 1 : 0;
  c.input_height = static_cast<int32_t>(o.input_height), c.input_width = static_cast<int32_t>(o.input_width);
  c.conf_threshold = o.conf_threshold, c.iou_threshold = o.iou_threshold;
  c.max_candidates = o.max_candidates, c.max_detections = o.max_detections, c.batch_size = o.batch_size;
  return c;
}

/// The padded batch of tk_face_detector_detect: [B,K,15] rows x1,y1,x2,y2,score,landmarks (zeros past each count)
/// and int64 [B] counts, on `device`.
void padded_faces(const std::vector<trackkit::Faces>& found, int64_t max_detections, c10::Device device,
                  at::Tensor& faces, at::Tensor& counts) {
  const auto batch = static_cast<int64_t>(found.size());
  faces = at::zeros({batch, max_detections, 15}, at::TensorOptions().dtype(at::kFloat).device(device));
  std::vector<int64_t> n(found.size());
  for (int64_t b = 0; b < batch; ++b) {
    const trackkit::Faces& f = found[b];
    n[b] = f.boxes.size(0);
    if (n[b] == 0) continue;
    faces[b].narrow(0, 0, n[b]).copy_(at::cat({f.boxes, f.landmarks.reshape({n[b], 10})}, 1));
  }
  counts = at::tensor(at::ArrayRef<int64_t>(n), at::TensorOptions().dtype(at::kLong)).to(device);
}

} // namespace

trackkit::FaceDetectorOptions trackkit::capi::face_detector_options(const char* function,
                                                                    const tk_face_detector_config* config) {
  const tk_face_detector_config c = read_struct(function, config, to_config({}));
  trackkit::FaceDetectorOptions o;
  read_device_and_precision(function, c, o);
  o.input_bgr = c.input_bgr != 0;
  o.input_height = c.input_height, o.input_width = c.input_width;
  o.conf_threshold = c.conf_threshold, o.iou_threshold = c.iou_threshold;
  o.max_candidates = c.max_candidates, o.max_detections = c.max_detections, o.batch_size = c.batch_size;
  return o;
}

void trackkit::capi::require_frame_size(const char* function, int64_t frame_height, int64_t frame_width) {
  if (frame_height <= 0) fail_argument(function, "frame_height", "must be > 0, got " + std::to_string(frame_height));
  if (frame_width <= 0) fail_argument(function, "frame_width", "must be > 0, got " + std::to_string(frame_width));
}

extern "C" {

TK_API tk_status tk_face_detector_config_init(tk_face_detector_config* config, size_t struct_size) {
  constexpr const char* fn = "tk_face_detector_config_init";
  return trackkit::capi::tk_guard(fn, [&] { trackkit::capi::init_struct(fn, config, struct_size, to_config({})); });
}

TK_API tk_status tk_face_detector_create(const char* model_path, const tk_face_detector_config* config,
                                         tk_face_detector** detector) {
  constexpr const char* fn = "tk_face_detector_create";
  return trackkit::capi::tk_guard(fn, [&] {
    require_pointer(fn, "detector", detector);
    *detector = nullptr;
    require_pointer(fn, "model_path", model_path);
    const trackkit::FaceDetectorOptions options = trackkit::capi::face_detector_options(fn, config);
    *detector = new tk_face_detector{trackkit::FaceDetector(model_path, options)};
  });
}

TK_API void tk_face_detector_destroy(tk_face_detector* detector) { delete detector; }

TK_API tk_status tk_face_detector_set_cuda_stream(tk_face_detector* detector, void* cuda_stream) {
  constexpr const char* fn = "tk_face_detector_set_cuda_stream";
  return trackkit::capi::tk_guard(fn, [&] {
    require_pointer(fn, "detector", detector);
    detector->cuda_stream = trackkit::capi::checked_stream(fn, cuda_stream, detector->detector.device());
  });
}

TK_API tk_status tk_face_detector_warmup(tk_face_detector* detector, int64_t frame_height, int64_t frame_width) {
  constexpr const char* fn = "tk_face_detector_warmup";
  return trackkit::capi::tk_guard(fn, [&] {
    require_pointer(fn, "detector", detector);
    trackkit::capi::require_frame_size(fn, frame_height, frame_width);
    const trackkit::CudaStreamScope stream_scope(detector->cuda_stream);
    detector->detector.warmup(frame_height, frame_width);
  });
}

TK_API tk_status tk_face_detector_detect(tk_face_detector* detector, const DLTensor* frames,
                                         DLManagedTensorVersioned** faces, DLManagedTensorVersioned** counts) {
  constexpr const char* fn = "tk_face_detector_detect";
  return trackkit::capi::tk_guard(fn, [&] {
    require_pointer(fn, "detector", detector);
    require_pointer(fn, "faces", faces);
    require_pointer(fn, "counts", counts);
    const at::Tensor f = trackkit::capi::borrow_dltensor(fn, "frames", frames);
    const trackkit::CudaStreamScope stream_scope(detector->cuda_stream);
    at::Tensor rows, n;
    padded_faces(detector->detector.detect(f), detector->detector.options().max_detections, detector->detector.device(),
                 rows, n);
    trackkit::capi::give_dltensor(fn, "faces", rows, faces);
    try {
      trackkit::capi::give_dltensor(fn, "counts", n, counts);
    } catch (...) { // both outputs or neither
      tk_tensor_free(*faces);
      *faces = nullptr;
      throw;
    }
  });
}

} // extern "C"
