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

#include "nms_kernels.hpp"

namespace trackkit::detail {
namespace {

template <typename T>
struct Candidate {
  T score;
  int64_t anchor;
  int cls;
};

constexpr int64_t kTile = 1024; // anchors scanned together: their running maxima stay in L1

// Best class of anchors [a0, a0 + n), class by class, so that the v8 output's transposed view (anchor stride
// 1) is read in contiguous runs and the loop vectorises; kUnit fixes that stride at compile time.
template <bool kUnit, typename S, typename T>
void scan_tile(const AnchorView<S>& view, int64_t a0, int64_t n, T* __restrict best, int* __restrict arg,
               int* __restrict nan) {
  const int64_t step = kUnit ? 1 : view.score_stride_a;
  const S* s = view.scores + a0 * view.score_stride_a;
  for (int64_t i = 0; i < n; ++i) best[i] = static_cast<T>(s[i * step]), arg[i] = 0, nan[i] = 0;
  for (int64_t c = 0; c < view.classes; ++c) {
    const S* column = s + c * view.score_stride_c;
    for (int64_t i = 0; i < n; ++i) best_class_step(static_cast<T>(column[i * step]), int(c), best[i], arg[i], nan[i]);
  }
}

// One image: writes its kept rows to out ([max_detections,6], zeroed) and returns how many.
template <typename S, typename T>
int64_t nms_image(const AnchorView<S>& view, int64_t anchors, const NmsParams& p, T iou_threshold, float* out) {
  const uint8_t* allowed = p.allowed.empty() ? nullptr : p.allowed.data();
  const T conf = static_cast<T>(p.conf_threshold);
  std::vector<Candidate<T>> candidates;
  T best[kTile];
  int arg[kTile];
  int nan[kTile];
  for (int64_t a0 = 0; a0 < anchors; a0 += kTile) {
    const int64_t n = std::min(kTile, anchors - a0);
    if (view.score_stride_a == 1) {
      scan_tile<true>(view, a0, n, best, arg, nan);
    } else {
      scan_tile<false>(view, a0, n, best, arg, nan);
    }
    for (int64_t i = 0; i < n; ++i) {
      if (is_candidate(view, a0 + i, best[i], arg[i], nan[i], conf, allowed)) {
        candidates.push_back({best[i], a0 + i, arg[i]});
      }
    }
  }
  // Descending score, ties in anchor order (the order of torchvision's stable sort), as a total order so
  // that the candidates can be sorted a run at a time: with thousands of low-score candidates the greedy
  // pass usually reaches max_detections long before the end, and the tail is never sorted.
  auto before = [](const Candidate<T>& x, const Candidate<T>& y) {
    return x.score > y.score || (x.score == y.score && x.anchor < y.anchor);
  };
  const size_t n = std::min<size_t>(candidates.size(), p.max_candidates);
  const size_t run = std::max<size_t>(1024, 2 * static_cast<size_t>(std::min<int64_t>(p.max_detections, 1 << 20)));
  const T offset = static_cast<T>(p.class_offset);
  std::vector<NmsBox<T>> kept;
  kept.reserve(std::min<size_t>(n, p.max_detections));
  for (size_t i = 0, sorted = 0; i < n; ++i) {
    if (i == sorted) {
      sorted = std::min(n, i + run);
      if (sorted < candidates.size()) {
        std::nth_element(candidates.begin() + i, candidates.begin() + sorted, candidates.end(), before);
      }
      std::sort(candidates.begin() + i, candidates.begin() + sorted, before);
    }
    const Candidate<T>& c = candidates[i];
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
