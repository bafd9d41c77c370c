// Batched NMS on the CPU: images in parallel on ATen's pool, each a scan of its anchors, a stable sort of
// its candidates and a greedy pass against the boxes kept so far (at most max_detections of them).
#include <ATen/Dispatch.h>
#include <ATen/OpMathType.h>
#include <ATen/Parallel.h>
#include <ATen/ops/empty.h>
#include <ATen/ops/zeros.h>

#include <algorithm>
#include <type_traits>
#include <vector>

#include "core/nms_kernels.hpp"

namespace trackkit::detail {
namespace {

template <typename T>
struct Candidate {
  T score;
  int64_t anchor;
  int cls;
};

// One image: writes its kept rows to out ([max_detections,6], zeroed) and returns how many.
template <typename S, typename T>
int64_t nms_image(const AnchorView<S>& view, int64_t anchors, const NmsParams& p, T iou_threshold, float* out) {
  const uint8_t* allowed = p.allowed.empty() ? nullptr : p.allowed.data();
  const T conf = static_cast<T>(p.conf_threshold);
  std::vector<Candidate<T>> candidates;
  for (int64_t a = 0; a < anchors; ++a) {
    T score;
    int cls;
    if (anchor_candidate(view, a, conf, allowed, score, cls)) candidates.push_back({score, a, cls});
  }
  // Descending score, ties in anchor order: the order of torchvision's stable sort.
  std::stable_sort(candidates.begin(), candidates.end(),
                   [](const Candidate<T>& x, const Candidate<T>& y) { return x.score > y.score; });
  if (static_cast<int64_t>(candidates.size()) > p.max_candidates) candidates.resize(p.max_candidates);

  const T offset = static_cast<T>(p.class_offset);
  std::vector<NmsBox<T>> kept;
  kept.reserve(std::min<size_t>(candidates.size(), p.max_detections));
  for (const Candidate<T>& c : candidates) {
    T box[4];
    anchor_box(view, c.anchor, box);
    const NmsBox<T> shifted = shifted_box(box, c.cls, offset);
    const bool suppressed = std::any_of(kept.begin(), kept.end(),
                                        [&](const NmsBox<T>& k) { return suppresses(k, shifted, iou_threshold); });
    if (suppressed) continue;
    float* row = out + kept.size() * 6;
    for (int k = 0; k < 4; ++k) row[k] = static_cast<float>(box[k]);
    row[4] = static_cast<float>(c.score);
    row[5] = static_cast<float>(c.cls);
    kept.push_back(shifted);
    if (static_cast<int64_t>(kept.size()) == p.max_detections) break;
  }
  return static_cast<int64_t>(kept.size());
}

} // namespace

NmsResult batched_nms_cpu(const at::Tensor& boxes, const at::Tensor& scores, const NmsParams& params) {
  const int64_t batch = boxes.size(0), anchors = boxes.size(1), k = params.max_detections;
  at::Tensor detections = at::zeros({batch, k, 6}, boxes.options().dtype(at::kFloat));
  at::Tensor counts = at::empty({batch}, boxes.options().dtype(at::kLong));
  float* det = detections.mutable_data_ptr<float>();
  int64_t* count = counts.mutable_data_ptr<int64_t>();
  AT_DISPATCH_FLOATING_TYPES_AND2(at::kHalf, at::kBFloat16, scores.scalar_type(), "batched_nms_cpu", [&] {
    using T = at::opmath_type<scalar_t>;
    const AnchorView<scalar_t> view = anchor_view<scalar_t>(boxes, scores);
    const T iou = static_cast<T>(std::is_same_v<T, double> ? params.iou_double : params.iou_float);
    // An image is ~A*C score reads: one image a task.
    at::parallel_for(0, batch, 1, [&](int64_t begin, int64_t end) {
      for (int64_t b = begin; b < end; ++b) {
        count[b] = nms_image<scalar_t, T>(view.image(b), anchors, params, iou, det + b * k * 6);
      }
    });
  });
  return {detections, counts};
}

} // namespace trackkit::detail
