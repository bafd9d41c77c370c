// C ABI for trackkit/nms.hpp.
#include <cstddef>

#include "config.hpp"
#include "guard.hpp"
#include "stream.hpp"
#include "tensor.hpp"
#include "trackkit/nms.hpp"

namespace {

tk_nms_config to_config(const trackkit::NmsOptions& o) {
  tk_nms_config c{};
  c.struct_size = sizeof(c);
  c.conf_threshold = o.conf_threshold, c.iou_threshold = o.iou_threshold, c.class_offset = o.class_offset;
  c.max_candidates = o.max_candidates, c.max_detections = o.max_detections;
  c.classes = nullptr, c.num_classes = 0, c.agnostic = o.agnostic ? 1 : 0;
  return c;
}

trackkit::NmsOptions to_options(const char* fn, const tk_nms_config* config) {
  const tk_nms_config c = trackkit::capi::read_struct(fn, config, to_config({}));
  trackkit::NmsOptions o;
  o.conf_threshold = c.conf_threshold, o.iou_threshold = c.iou_threshold, o.class_offset = c.class_offset;
  o.max_candidates = c.max_candidates, o.max_detections = c.max_detections, o.agnostic = c.agnostic != 0;
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

extern "C" {

TK_API tk_status tk_nms_config_init(tk_nms_config* config, size_t struct_size) {
  return trackkit::capi::tk_guard("tk_nms_config_init", [&] {
    trackkit::capi::init_struct("tk_nms_config_init", config, struct_size, to_config({}));
  });
}

TK_API tk_status tk_batched_nms(const DLTensor* boxes, const DLTensor* scores, const tk_nms_config* config,
                                void* cuda_stream, DLManagedTensorVersioned** detections,
                                DLManagedTensorVersioned** counts) {
  constexpr const char* fn = "tk_batched_nms";
  return trackkit::capi::tk_guard(fn, [&] {
    trackkit::capi::require_pointer(fn, "detections", detections);
    trackkit::capi::require_pointer(fn, "counts", counts);
    const trackkit::NmsOptions options = to_options(fn, config);
    const at::Tensor b = trackkit::capi::borrow_dltensor(fn, "boxes", boxes);
    const at::Tensor s = trackkit::capi::borrow_dltensor(fn, "scores", scores);
    const trackkit::CudaStreamScope stream(trackkit::capi::stream_for(fn, cuda_stream, b));
    const trackkit::NmsResult r = trackkit::batched_nms(b, s, options);
    trackkit::capi::give_dltensor(fn, "detections", r.detections, detections);
    try {
      trackkit::capi::give_dltensor(fn, "counts", r.counts, counts);
    } catch (...) { // both outputs or neither
      tk_tensor_free(*detections);
      *detections = nullptr;
      throw;
    }
  });
}

} // extern "C"
