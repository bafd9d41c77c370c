#include "face_decode.hpp"

#include <ATen/ATen.h>

#include <algorithm>
#include <string>

#include "trackkit/boxes.hpp"
#include "trackkit/check.hpp"
#include "trackkit/error.hpp"

namespace trackkit::detail {
namespace {

[[noreturn]] void refuse(const std::string& model, const std::vector<at::Tensor>& raw, const std::string& expected) {
  std::string shapes;
  for (const at::Tensor& t : raw) shapes += (shapes.empty() ? "" : ", ") + shape_string(t.sizes());
  throw Error(ErrorCode::Model, model + " returns " + std::to_string(raw.size()) + " tensor(s) (" + shapes +
                                    "), not the " + expected + " its config.txt layout promises");
}

bool has_shape(const at::Tensor& t, std::initializer_list<int64_t> sizes) {
  return t.sizes() == at::IntArrayRef(sizes);
}

/// The anchor each kept row came from. batched_nms returns the kept rows, not their anchors, but each row's box
/// and score are the float32 values of its anchor, bit for bit, and the kept anchor is the first anchor (in anchor
/// order) with that box and score: an earlier identical anchor would come first in NMS's stable order and be kept
/// instead, or be suppressed and then suppress this one too. (The proof needs a box of non-zero area and an IoU
/// threshold below 1: two identical boxes of zero area both survive NMS, and their landmarks could swap.)
at::Tensor kept_anchors(const at::Tensor& boxes, const at::Tensor& scores, const at::Tensor& kept) {
  const int64_t batch = boxes.size(0), anchors = boxes.size(1), k = kept.size(1);
  at::Tensor index = at::empty({batch, k}, boxes.options().dtype(at::kLong));
  const at::Tensor order = at::arange(anchors, boxes.options().dtype(at::kInt)).view({1, 1, anchors});
  // Images a slice, so that the [slice, K, A] comparison stays within ~2^25 elements.
  const int64_t slice = std::max<int64_t>(1, (int64_t(1) << 25) / std::max<int64_t>(k * anchors, 1));
  for (int64_t first = 0; first < batch; first += slice) {
    const int64_t n = std::min(slice, batch - first);
    const at::Tensor b = boxes.narrow(0, first, n).unsqueeze(1), s = scores.narrow(0, first, n).squeeze(2).unsqueeze(1);
    const at::Tensor rows = kept.narrow(0, first, n).unsqueeze(2); // [n,K,1,6]
    at::Tensor same = s == rows.select(3, 4);                      // [n,K,A]
    for (int64_t c = 0; c < 4; ++c) same.logical_and_(b.select(3, c) == rows.select(3, c));
    const at::Tensor first_match = at::where(same, order, anchors).amin(2); // no match: only rows past the count
    index.narrow(0, first, n).copy_(first_match.clamp_max(anchors - 1));
  }
  return index;
}

} // namespace

void check_face_outputs(const std::vector<at::Tensor>& raw, const FaceConfig& config, int64_t batch,
                        int64_t prior_count, const std::string& model) {
  if (config.layout == FaceLayout::YoloV5Face) {
    if (raw.empty() || raw[0].dim() != 3 || raw[0].size(0) != batch || raw[0].size(2) != 16)
      refuse(model, raw, "[B,A,16] (yolov5_face)");
    return;
  }
  const int64_t p = prior_count;
  if (raw.size() != 3 || !has_shape(raw[0], {batch, p, 4}) || !has_shape(raw[1], {batch, p}) ||
      !has_shape(raw[2], {batch, p, 10}))
    refuse(model, raw,
           "loc [B,P,4], conf [B,P], landms [B,P,10] with P = " + std::to_string(p) + " priors (retinaface)");
}

FaceCandidates decode_faces(const std::vector<at::Tensor>& raw, const FaceConfig& config, const at::Tensor& priors,
                            int64_t input_height, int64_t input_width) {
  if (config.layout == FaceLayout::YoloV5Face) {
    const at::Tensor t = raw[0].to(at::kFloat); // decoded in float32 whatever the model ran in
    // yolov5-face's non_max_suppression_face: score = obj * face, boxes from xywh.
    return {convert_boxes(t.narrow(2, 0, 4), BoxFormat::CXCYWH, BoxFormat::XYXY),
            t.narrow(2, 4, 1) * t.narrow(2, 15, 1), t.narrow(2, 5, 10)};
  }
  const auto w = static_cast<double>(input_width), h = static_cast<double>(input_height);
  const at::Tensor box_scale = at::tensor({w, h, w, h}, raw[0].options().dtype(at::kFloat));
  const at::Tensor point_scale = at::tensor({w, h}, raw[0].options().dtype(at::kFloat)).repeat(5);
  const std::array<double, 2>& v = config.priors.variance;
  return {retinaface_decode_boxes(raw[0], priors, v) * box_scale, raw[1].to(at::kFloat).unsqueeze(2),
          retinaface_decode_landmarks(raw[2], priors, v) * point_scale};
}

KeptFaces select_faces(const FaceCandidates& c, NmsOptions options) {
  options.agnostic = true;
  const NmsResult r = batched_nms(c.boxes, c.scores, options);
  const at::Tensor counts = r.counts.cpu(); // the host synchronisation
  KeptFaces out;
  out.counts.assign(counts.const_data_ptr<int64_t>(), counts.const_data_ptr<int64_t>() + counts.numel());
  const int64_t batch = c.boxes.size(0);
  const int64_t k = out.counts.empty() ? 0 : *std::max_element(out.counts.begin(), out.counts.end());
  const at::Tensor kept = r.detections.narrow(1, 0, k);
  out.boxes = kept.narrow(2, 0, 5).contiguous();
  const at::Tensor anchors = kept_anchors(c.boxes, c.scores, kept);
  const at::Tensor live =
      (at::arange(k, r.counts.options()).unsqueeze(0) < r.counts.unsqueeze(1)).unsqueeze(2).to(at::kFloat);
  out.landmarks = (c.landmarks.gather(1, anchors.unsqueeze(2).expand({batch, k, 10})) * live).view({batch, k, 5, 2});
  return out;
}

} // namespace trackkit::detail
