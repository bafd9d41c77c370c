#include "yolo_decode.hpp"

#include <ATen/ATen.h>

#include <string>

#include "trackkit/check.hpp"
#include "trackkit/error.hpp"

namespace trackkit::detail {
namespace {

at::Tensor cxcywh_to_xyxy(const at::Tensor& b) { // [...,4]
  const at::Tensor half = b.narrow(-1, 2, 2) / 2;
  return at::cat({b.narrow(-1, 0, 2) - half, b.narrow(-1, 0, 2) + half}, -1);
}

/// NMS-free output [B,K,6], best first: candidates above the threshold and of an allowed class, compacted to
/// the front (stable, so still best first) and cut at max_detections.
NmsResult select_end_to_end(const at::Tensor& raw, const NmsOptions& o) {
  const int64_t b = raw.size(0), k = raw.size(1), keep = std::min(k, o.max_detections);
  at::Tensor valid = raw.select(2, 4) > o.conf_threshold;
  if (!o.classes.empty()) {
    const at::Tensor allowed = at::tensor(o.classes, raw.options().dtype(at::kLong));
    valid &= at::isin(raw.select(2, 5).round().to(at::kLong), allowed);
  }
  const at::Tensor order = at::argsort(valid.logical_not().to(at::kByte), /*stable=*/true, 1).narrow(1, 0, keep);
  at::Tensor rows = raw.gather(1, order.unsqueeze(2).expand({b, keep, 6}));
  const at::Tensor counts = valid.sum(1).clamp_max(keep);
  const at::Tensor live = at::arange(keep, counts.options()).unsqueeze(0) < counts.unsqueeze(1);
  rows = rows * live.unsqueeze(2).to(rows.scalar_type());
  at::Tensor out = at::zeros({b, o.max_detections, 6}, rows.options());
  out.narrow(1, 0, keep).copy_(rows);
  return {out, counts};
}

} // namespace

YoloLayout resolve_layout(const at::Tensor& raw, YoloLayout declared, const std::string& metadata_layout,
                          const std::string& model_path) {
  const auto fail = [&](const std::string& why) {
    throw Error(ErrorCode::Model, "Detector: model_path \"" + model_path + "\" gives an output of shape " +
                                      shape_string(raw.sizes()) + ", " + why);
  };
  if (raw.dim() != 3) fail("not [B,X,Y]: no YOLO layout fits");
  const int64_t x = raw.size(1), y = raw.size(2);
  YoloLayout layout = declared;
  if (layout == YoloLayout::Auto) {
    if (metadata_layout == "v8")
      layout = YoloLayout::V8;
    else if (metadata_layout == "yolov5")
      layout = YoloLayout::V5;
    else if (metadata_layout == "end2end" || (y == 6 && x <= 1000)) // [B,K,6]: K detections, not thousands of anchors
      layout = YoloLayout::EndToEnd;
    else
      layout = x < y ? YoloLayout::V8 : YoloLayout::V5;
  }
  if (layout == YoloLayout::V8 && x < 5) fail("too few rows for [B,4+classes,anchors] (v8)");
  if (layout == YoloLayout::V5 && y < 6) fail("too few columns for [B,anchors,5+classes] (yolov5)");
  if (layout == YoloLayout::EndToEnd && y != 6) fail("not [B,K,6] (end-to-end)");
  return layout;
}

NmsResult decode_yolo(const at::Tensor& raw_any, YoloLayout layout, const NmsOptions& o) {
  const at::Tensor raw = raw_any.to(at::kFloat); // coordinates and scores in float32 whatever the model ran in
  switch (layout) {
    case YoloLayout::V8: {
      const at::Tensor t = raw.transpose(1, 2); // [B,A,4+nc]
      return batched_nms(cxcywh_to_xyxy(t.narrow(2, 0, 4)), t.narrow(2, 4, t.size(2) - 4), o);
    }
    case YoloLayout::V5: {
      const at::Tensor scores = raw.narrow(2, 5, raw.size(2) - 5) * raw.narrow(2, 4, 1); // obj * cls
      return batched_nms(cxcywh_to_xyxy(raw.narrow(2, 0, 4)), scores, o);
    }
    case YoloLayout::EndToEnd: return select_end_to_end(raw, o);
    case YoloLayout::Auto: break;
  }
  fail_argument("Detector", "layout", "must be resolved before decoding");
}

} // namespace trackkit::detail
