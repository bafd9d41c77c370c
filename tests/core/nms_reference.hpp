#pragma once
// A straightforward batched NMS written from ultralytics' description, for checking trackkit::batched_nms:
// ATen's max over classes, a boolean mask, a stable sort, then torchvision's O(n^2) greedy loop (suppress
// every later box overlapping a kept one) and keep[:max_det]. It shares no code with the library.
#include <ATen/ATen.h>

#include <array>
#include <ostream>
#include <vector>

#include "trackkit/nms.hpp"

/// One output row x1, y1, x2, y2, score, class; printable, so Catch shows mismatches.
struct Detection {
  std::array<float, 6> v;
  float& operator[](int k) { return v[k]; }
  float operator[](int k) const { return v[k]; }
  bool operator==(const Detection& o) const { return v == o.v; }
};

inline std::ostream& operator<<(std::ostream& out, const Detection& d) {
  return out << "{" << d[0] << "," << d[1] << "," << d[2] << "," << d[3] << "," << d[4] << "," << d[5] << "}";
}

/// Per image, the kept detections in order. Arithmetic in float32 (float64 for float64 input), each tensor
/// op rounded separately, as ultralytics' torch code does.
inline std::vector<std::vector<Detection>> reference_nms(const at::Tensor& boxes, const at::Tensor& scores,
                                                         const trackkit::NmsOptions& o) {
  const at::ScalarType ct = boxes.scalar_type() == at::kDouble ? at::kDouble : at::kFloat;
  std::vector<std::vector<Detection>> out;
  for (int64_t b = 0; b < boxes.size(0); ++b) {
    const auto [best, cls] = scores[b].cpu().max(1); // the input dtype: `> conf` rounds conf to it, as torch does
    at::Tensor mask = (best > o.conf_threshold) & at::isfinite(boxes[b].cpu()).all(1);
    if (!o.classes.empty()) mask &= at::isin(cls, at::tensor(o.classes));
    const at::Tensor idx = mask.nonzero().view(-1);
    const at::Tensor order = std::get<1>(best.index({idx}).to(ct).sort(/*stable=*/true, 0, /*descending=*/true));
    const at::Tensor sel = idx.index({order}).narrow(0, 0, std::min<int64_t>(o.max_candidates, order.numel()));
    const at::Tensor box = boxes[b].cpu().index({sel}).to(ct);
    const at::Tensor c = cls.index({sel});
    const at::Tensor shifted = box + (c.to(ct) * (o.agnostic ? 0.0 : o.class_offset)).unsqueeze(1);
    const at::Tensor s = best.index({sel}).to(ct);
    const int64_t n = sel.numel();
    auto values = [](const at::Tensor& t) {
      const at::Tensor d = t.to(at::kDouble).contiguous();
      return std::vector<double>(d.data_ptr<double>(), d.data_ptr<double>() + d.numel());
    };
    const std::vector<double> sh = values(shifted), bx = values(box), sc = values(s), cl = values(c);
    // IoU in the compute dtype ct, torchvision's expression; compared with the threshold in double.
    auto iou = [&](int64_t i, int64_t j) -> double {
      const double* p = &sh[4 * i];
      const double* q = &sh[4 * j];
      if (ct == at::kFloat) {
        const float a[4] = {float(p[0]), float(p[1]), float(p[2]), float(p[3])};
        const float e[4] = {float(q[0]), float(q[1]), float(q[2]), float(q[3])};
        const float w = std::max(0.f, std::min(a[2], e[2]) - std::max(a[0], e[0]));
        const float h = std::max(0.f, std::min(a[3], e[3]) - std::max(a[1], e[1]));
        const float inter = w * h;
        return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (e[2] - e[0]) * (e[3] - e[1]) - inter);
      }
      const double w = std::max(0.0, std::min(p[2], q[2]) - std::max(p[0], q[0]));
      const double h = std::max(0.0, std::min(p[3], q[3]) - std::max(p[1], q[1]));
      const double inter = w * h;
      return inter / ((p[2] - p[0]) * (p[3] - p[1]) + (q[2] - q[0]) * (q[3] - q[1]) - inter);
    };
    std::vector<bool> suppressed(n, false);
    std::vector<Detection> kept;
    for (int64_t i = 0; i < n; ++i) {
      if (suppressed[i]) continue;
      if (static_cast<int64_t>(kept.size()) < o.max_detections) {
        kept.push_back(Detection{{float(bx[4 * i]), float(bx[4 * i + 1]), float(bx[4 * i + 2]), float(bx[4 * i + 3]),
                                  float(sc[i]), float(cl[i])}});
      }
      for (int64_t j = i + 1; j < n; ++j) {
        if (!suppressed[j] && iou(i, j) > o.iou_threshold) suppressed[j] = true;
      }
    }
    out.push_back(std::move(kept));
  }
  return out;
}

/// The rows of a batched_nms result, per image (what reference_nms returns).
inline std::vector<std::vector<Detection>> result_rows(const trackkit::NmsResult& r) {
  const at::Tensor det = r.detections.cpu(), counts = r.counts.cpu();
  std::vector<std::vector<Detection>> out(det.size(0));
  for (int64_t b = 0; b < det.size(0); ++b) {
    for (int64_t i = 0; i < counts[b].item<int64_t>(); ++i) {
      Detection d;
      for (int k = 0; k < 6; ++k) d[k] = det[b][i][k].item<float>();
      out[b].push_back(d);
    }
  }
  return out;
}

/// Detector-like inputs: boxes [B,A,4] float32 clustered around a few objects per image (so boxes overlap
/// and suppress each other), scores [B,A,C] mostly near 0 with the objects' anchors high on their class.
/// Scores are multiples of 1/256, so equal scores (ties) are common.
inline std::pair<at::Tensor, at::Tensor> clustered_inputs(int64_t batch, int64_t anchors, int64_t classes,
                                                          int64_t objects = 8) {
  const at::Tensor centre = at::rand({batch, objects, 2}) * at::tensor({600.f, 600.f}) + 20;
  const at::Tensor size = at::rand({batch, objects, 2}) * 150 + 10;
  const at::Tensor object_class = at::randint(classes, {batch, objects});
  const at::Tensor owner = at::randint(objects, {batch, anchors});
  auto gather = [&](const at::Tensor& t) { return at::gather(t, 1, owner.unsqueeze(-1).expand({-1, -1, t.size(2)})); };
  const at::Tensor c = gather(centre) + at::randn({batch, anchors, 2}) * 8;
  const at::Tensor wh = gather(size) * (1 + 0.2 * at::randn({batch, anchors, 2})).clamp_min(0.2);
  const at::Tensor boxes = at::cat({c - wh / 2, c + wh / 2}, -1);
  at::Tensor scores = at::rand({batch, anchors, classes}) * 0.1;
  const at::Tensor hit = at::rand({batch, anchors}) < 0.3; // anchors that see their object
  const at::Tensor own = at::gather(object_class, 1, owner).unsqueeze(-1);
  scores.scatter_(2, own, at::where(hit.unsqueeze(-1), 0.2 + 0.8 * at::rand({batch, anchors, 1}), 0.05));
  return {boxes, (scores * 256).round() / 256};
}
