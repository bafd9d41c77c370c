#pragma once
// The IoU of one box pair, shared by the CPU and CUDA kernels so both compute the same expression.
#if defined(__CUDACC__)
#define TK_HOST_DEVICE __host__ __device__ __forceinline__
#else
#define TK_HOST_DEVICE inline
#endif

namespace trackkit::detail {

template <typename T>
TK_HOST_DEVICE T clamped_area(T x1, T y1, T x2, T y2) {
  const T w = x2 - x1;
  const T h = y2 - y1;
  return (w > T(0) && h > T(0)) ? w * h : T(0);
}

/// a = (x1,y1,x2,y2) with its area; same for b. 0 where boxes do not overlap or the union is empty.
template <typename T>
TK_HOST_DEVICE T pair_iou(const T* a, T area_a, const T* b, T area_b) {
  const T iw = (a[2] < b[2] ? a[2] : b[2]) - (a[0] > b[0] ? a[0] : b[0]);
  const T ih = (a[3] < b[3] ? a[3] : b[3]) - (a[1] > b[1] ? a[1] : b[1]);
  if (!(iw > T(0) && ih > T(0))) return T(0);
  const T inter = iw * ih;
  const T uni = area_a + area_b - inter;
  return uni > T(0) ? inter / uni : T(0);
}

} // namespace trackkit::detail
