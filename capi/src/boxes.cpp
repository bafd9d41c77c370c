// C ABI for trackkit/boxes.hpp.
#include "trackkit/boxes.hpp"
#include "config.hpp"
#include "guard.hpp"
#include "stream.hpp"
#include "tensor.hpp"

namespace {

trackkit::BoxFormat box_format(const char* function, const char* argument, const tk_box_format& format) {
  const int32_t value = trackkit::capi::enum_bits(format);
  switch (value) {
    case TK_BOX_XYXY: return trackkit::BoxFormat::XYXY;
    case TK_BOX_XYWH: return trackkit::BoxFormat::XYWH;
    case TK_BOX_CXCYWH: return trackkit::BoxFormat::CXCYWH;
    case TK_BOX_CXCYAH: return trackkit::BoxFormat::CXCYAH;
  }
  trackkit::fail_argument(function, argument, "is not a tk_box_format value (" + std::to_string(value) + ")");
}

} // namespace

extern "C" {

TK_API tk_status tk_box_iou(const DLTensor* boxes1, const DLTensor* boxes2, void* cuda_stream,
                            DLManagedTensorVersioned** iou) {
  constexpr const char* fn = "tk_box_iou";
  return trackkit::capi::tk_guard(fn, [&] {
    trackkit::capi::require_pointer(fn, "iou", iou);
    const at::Tensor a = trackkit::capi::borrow_dltensor(fn, "boxes1", boxes1);
    const at::Tensor b = trackkit::capi::borrow_dltensor(fn, "boxes2", boxes2);
    const trackkit::CudaStreamScope stream(trackkit::capi::stream_for(fn, cuda_stream, a));
    trackkit::capi::give_dltensor(fn, "iou", trackkit::box_iou(a, b), iou);
  });
}

TK_API tk_status tk_convert_boxes(const DLTensor* boxes, tk_box_format from, tk_box_format to, void* cuda_stream,
                                  DLManagedTensorVersioned** out) {
  constexpr const char* fn = "tk_convert_boxes";
  return trackkit::capi::tk_guard(fn, [&] {
    trackkit::capi::require_pointer(fn, "out", out);
    const at::Tensor in = trackkit::capi::borrow_dltensor(fn, "boxes", boxes);
    const auto f = box_format(fn, "from", from);
    const auto t = box_format(fn, "to", to);
    const trackkit::CudaStreamScope stream(trackkit::capi::stream_for(fn, cuda_stream, in));
    trackkit::capi::give_dltensor(fn, "out", trackkit::convert_boxes(in, f, t), out);
  });
}

} // extern "C"
