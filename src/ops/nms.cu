// Batched NMS on CUDA without a host sync: a kernel turns each anchor into a sort key (its best score if it
// is a candidate, -inf otherwise) and a class; ATen sorts the keys of each image (stable, descending); a
// kernel with one block an image then runs the greedy pass over the sorted candidates, a chunk of kThreads
// candidates at a time.
#include <ATen/Dispatch.h>
#include <ATen/OpMathType.h>
#include <ATen/ops/empty.h>
#include <ATen/ops/from_blob.h>
#include <ATen/ops/sort.h>
#include <ATen/ops/zeros.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>

#include <algorithm>
#include <limits>
#include <tuple>
#include <type_traits>

#include "core/cuda_check.hpp"
#include "nms_kernels.hpp"

namespace trackkit::detail {
namespace {

constexpr int kThreads = 256;         // candidates a chunk, one a thread
constexpr int kWords = kThreads / 32; // words of a chunk's overlap bitmask row

template <typename S, typename T>
__global__ void candidate_kernel(AnchorView<S> view, int64_t batch, int64_t anchors, T conf,
                                 const uint8_t* __restrict__ allowed, T none, T* __restrict__ keys,
                                 int* __restrict__ classes) {
  const int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= batch * anchors) return;
  const int64_t b = i / anchors, a = i - b * anchors;
  T score;
  int cls;
  const bool candidate = anchor_candidate(view.image(b), a, conf, allowed, score, cls);
  keys[i] = candidate ? score : none;
  classes[i] = cls;
}

// Greedy NMS of image blockIdx.x over its candidates in sorted order. For each chunk: every thread tests its
// candidate against the boxes kept in earlier chunks (suppressed[]) and against the chunk's earlier
// candidates (overlaps[], one bit each); warp 0 then walks the chunk in order, keeping a candidate when it
// is not suppressed and overlaps no kept chunk member, which is exactly the sequential greedy pass.
template <typename S, typename T>
__global__ void __launch_bounds__(kThreads)
    greedy_kernel(AnchorView<S> view, int64_t anchors, const T* __restrict__ sorted_keys,
                  const int64_t* __restrict__ order, const int* __restrict__ classes, int64_t limit,
                  int64_t max_detections, T offset, T iou_threshold, T none, NmsBox<T>* __restrict__ kept_boxes,
                  float* __restrict__ detections, int64_t* __restrict__ counts) {
  __shared__ NmsBox<T> chunk[kThreads];
  __shared__ uint32_t overlaps[kThreads][kWords]; // bit j of row i: chunk member j (< i) would suppress i
  __shared__ bool suppressed[kThreads];
  __shared__ int64_t slot[kThreads]; // output row of a kept chunk member, -1 otherwise
  __shared__ int64_t kept;
  const int64_t b = blockIdx.x;
  const int tid = threadIdx.x;
  const AnchorView<S> v = view.image(b);
  const T* keys = sorted_keys + b * anchors;
  const int64_t* anchor_of = order + b * anchors;
  const int* class_of = classes + b * anchors;
  NmsBox<T>* kept_b = kept_boxes + b * max_detections;
  float* out = detections + b * max_detections * 6;
  if (tid == 0) kept = 0;

  for (int64_t base = 0; base < limit; base += kThreads) {
    const int64_t i = base + tid;
    const bool valid = i < limit && keys[i] > none;
    // Candidates sort first, so the valid members are a prefix of the chunk. The barrier also publishes
    // the previous chunk's kept boxes and `kept`.
    const int n = __syncthreads_count(valid);
    if (n == 0) break;
    const int64_t kept_before = kept;
    T box[4] = {};
    int cls = 0;
    NmsBox<T> mine{};
    bool dead = !valid;
    if (valid) {
      const int64_t a = anchor_of[i];
      cls = class_of[a];
      anchor_box(v, a, box);
      mine = shifted_box(box, cls, offset);
      chunk[tid] = mine;
      for (int64_t k = 0; k < kept_before && !dead; ++k) dead = suppresses(kept_b[k], mine, iou_threshold);
    }
    suppressed[tid] = dead;
    slot[tid] = -1;
    __syncthreads();
    for (int w = 0; w < kWords; ++w) {
      uint32_t bits = 0;
      const int end = min(tid, (w + 1) * 32);
      for (int j = w * 32; !dead && j < end; ++j) {
        if (suppresses(chunk[j], mine, iou_threshold)) bits |= 1u << (j - w * 32);
      }
      overlaps[tid][w] = bits;
    }
    __syncthreads();
    if (tid < 32) {
      uint32_t kept_word = 0; // lane w holds word w of the chunk's kept bitmask
      int64_t count = kept_before;
      for (int j = 0; j < n && count < max_detections; ++j) {
        if (suppressed[j]) continue; // the same shared value in every lane: no divergence
        const bool blocked = __any_sync(0xffffffffu, tid < kWords && (overlaps[j][tid] & kept_word) != 0);
        if (blocked) continue;
        if (tid == j / 32) kept_word |= 1u << (j % 32);
        if (tid == 0) slot[j] = count;
        ++count;
      }
      if (tid == 0) kept = count;
    }
    __syncthreads();
    if (slot[tid] >= 0) {
      float* row = out + slot[tid] * 6;
      for (int k = 0; k < 4; ++k) row[k] = static_cast<float>(box[k]);
      row[4] = static_cast<float>(keys[i]);
      row[5] = static_cast<float>(cls);
      kept_b[slot[tid]] = mine;
    }
    if (kept >= max_detections || n < kThreads) break; // the same decision in every thread
  }
  if (tid == 0) counts[b] = kept;
}

} // namespace

NmsResult batched_nms_cuda(const at::Tensor& boxes, const at::Tensor& scores, const NmsParams& params) {
  const int64_t batch = boxes.size(0), anchors = boxes.size(1), k = params.max_detections;
  const c10::cuda::CUDAGuard guard(boxes.device());
  const at::TensorOptions on = boxes.options();
  at::Tensor detections = at::zeros({batch, k, 6}, on.dtype(at::kFloat));
  at::Tensor counts = at::empty({batch}, on.dtype(at::kLong));
  at::Tensor classes = at::empty({batch, anchors}, on.dtype(at::kInt));
  at::Tensor allowed;
  if (!params.allowed.empty()) {
    // Through pinned memory, so the copy is queued on the stream instead of waiting for it.
    allowed = at::from_blob(const_cast<uint8_t*>(params.allowed.data()), {static_cast<int64_t>(params.allowed.size())},
                            at::TensorOptions().dtype(at::kByte))
                  .pin_memory()
                  .to(boxes.device(), /*non_blocking=*/true);
  }
  const cudaStream_t stream = c10::cuda::getCurrentCUDAStream(boxes.device().index());
  AT_DISPATCH_FLOATING_TYPES_AND2(at::kHalf, at::kBFloat16, scores.scalar_type(), "batched_nms_cuda", [&] {
    using T = at::opmath_type<scalar_t>;
    const AnchorView<scalar_t> view = anchor_view<scalar_t>(boxes, scores);
    const T none = -std::numeric_limits<T>::infinity();
    at::Tensor keys = at::empty({batch, anchors}, on.dtype(c10::CppTypeToScalarType<T>::value));
    const int64_t total = batch * anchors;
    candidate_kernel<scalar_t, T><<<static_cast<unsigned>((total + kThreads - 1) / kThreads), kThreads, 0, stream>>>(
        view, batch, anchors, static_cast<T>(params.conf_threshold),
        allowed.defined() ? allowed.const_data_ptr<uint8_t>() : nullptr, none, keys.mutable_data_ptr<T>(),
        classes.mutable_data_ptr<int>());
    TK_CUDA_CHECK_LAUNCH("batched_nms");
    at::Tensor sorted_keys, order;
    std::tie(sorted_keys, order) = at::sort(keys, /*stable=*/true, /*dim=*/1, /*descending=*/true);
    at::Tensor kept = at::empty({batch * k * static_cast<int64_t>(sizeof(NmsBox<T>))}, on.dtype(at::kByte));
    const T iou = static_cast<T>(std::is_same_v<T, double> ? params.iou_double : params.iou_float);
    greedy_kernel<scalar_t, T><<<static_cast<unsigned>(batch), kThreads, 0, stream>>>(
        view, anchors, sorted_keys.const_data_ptr<T>(), order.const_data_ptr<int64_t>(), classes.const_data_ptr<int>(),
        std::min(anchors, params.max_candidates), k, static_cast<T>(params.class_offset), iou, none,
        reinterpret_cast<NmsBox<T>*>(kept.mutable_data_ptr()), detections.mutable_data_ptr<float>(),
        counts.mutable_data_ptr<int64_t>());
    TK_CUDA_CHECK_LAUNCH("batched_nms");
  });
  return {detections, counts};
}

} // namespace trackkit::detail
