#pragma once
// Per-anchor and per-candidate arithmetic of batched NMS, shared by the CPU and CUDA kernels so that both
// decide candidates and compute IoUs with the same expressions. nms_cpu.cpp is compiled with
// -ffp-contract=off and nms.cu with --fmad=false: a fused multiply-add would round the class offset and the
// IoU differently on each device (and differently from torch's separate tensor ops).
#include <cstdint>

#include "ops/box_iou_formula.hpp"

namespace trackkit::detail {

/// A candidate's box as NMS sees it: shifted by class * offset (ultralytics' class-aware trick) and its area.
template <typename T>
struct NmsBox {
  T c[4];
  T area;
};

/// Strided views of the inputs boxes [B,A,4] and scores [B,A,C] (element strides), read in their own dtype
/// S and computed in T; image(b) is image b's view (batch pointers advanced).
template <typename S>
struct AnchorView {
  const S* boxes;
  const S* scores;
  int64_t box_stride_b, box_stride_a, box_stride_k;
  int64_t score_stride_b, score_stride_a, score_stride_c;
  int64_t classes;

  TK_HOST_DEVICE AnchorView image(int64_t b) const {
    AnchorView v = *this;
    v.boxes += b * box_stride_b;
    v.scores += b * score_stride_b;
    return v;
  }
};

/// One step of the scan over classes: the first maximum wins; a NaN anywhere marks the anchor. The class is
/// chosen with a bit mask, not a branch or a second select, so the CPU's scan over a tile of anchors
/// vectorises (GCC if-converts one select on a float comparison, not two).
template <typename T>
TK_HOST_DEVICE void best_class_step(T x, int c, T& best, int& arg, int& nan) {
  const int above = -static_cast<int>(x > best); // all ones or zero
  best = x > best ? x : best;
  arg = (above & c) | (~above & arg);
  nan |= static_cast<int>(x != x); // NOLINT(misc-redundant-expression): the NaN test, on the device too
}

/// Whether anchor `a`, whose best class is `cls` with `score`, is a candidate: score > conf, allowed class
/// (allowed == nullptr: all), no NaN score (torch's amax propagates NaN, so ultralytics drops such anchors)
/// and a finite box (so a kept box never poisons the IoUs of the others).
template <typename S, typename T>
TK_HOST_DEVICE bool is_candidate(const AnchorView<S>& v, int64_t a, T score, int cls, int nan, T conf,
                                 const uint8_t* allowed) {
  if (nan || !(score > conf) || (allowed != nullptr && allowed[cls] == 0)) return false;
  const S* b = v.boxes + a * v.box_stride_a;
  bool finite = true;
  for (int k = 0; k < 4; ++k) {
    const T x = static_cast<T>(b[k * v.box_stride_k]);
    finite &= x - x == T(0); // NOLINT(misc-redundant-expression): false for NaN and +-inf, no <cmath> on the device
  }
  return finite;
}

/// Best class of anchor `a` (score, cls) and whether it is a candidate, one anchor at a time (the CUDA
/// kernel; the CPU kernel scans tiles of anchors class by class with best_class_step).
template <typename S, typename T>
TK_HOST_DEVICE bool anchor_candidate(const AnchorView<S>& v, int64_t a, T conf, const uint8_t* allowed, T& score,
                                     int& cls) {
  const S* s = v.scores + a * v.score_stride_a;
  T best = static_cast<T>(s[0]);
  int nan = 0, arg = 0;
  for (int64_t c = 0; c < v.classes; ++c)
    best_class_step(static_cast<T>(s[c * v.score_stride_c]), int(c), best, arg, nan);
  score = best;
  cls = arg;
  return is_candidate(v, a, best, arg, nan, conf, allowed);
}

/// The box of anchor `a` in T (unshifted, for the output).
template <typename S, typename T>
TK_HOST_DEVICE void anchor_box(const AnchorView<S>& v, int64_t a, T (&out)[4]) {
  const S* b = v.boxes + a * v.box_stride_a;
  for (int k = 0; k < 4; ++k) out[k] = static_cast<T>(b[k * v.box_stride_k]);
}

/// boxes[:, :4] + class * offset, as ultralytics computes it (the product rounded, then the sum).
template <typename T>
TK_HOST_DEVICE NmsBox<T> shifted_box(const T (&box)[4], int cls, T offset) {
  const T shift = static_cast<T>(cls) * offset;
  NmsBox<T> r{{box[0] + shift, box[1] + shift, box[2] + shift, box[3] + shift}, T(0)};
  r.area = clamped_area(r.c[0], r.c[1], r.c[2], r.c[3]);
  return r;
}

/// Whether `a` suppresses `b` (or the reverse: IoU is symmetric bit for bit). `threshold` is the largest T
/// not above the caller's double threshold, so `iou > threshold` in T equals torchvision's `iou > (double)t`.
template <typename T>
TK_HOST_DEVICE bool suppresses(const NmsBox<T>& a, const NmsBox<T>& b, T threshold) {
  return pair_iou(a.c, a.area, b.c, b.area) > threshold;
}

} // namespace trackkit::detail
