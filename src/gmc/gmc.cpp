// trackkit::GMC: argument checks, the stateful stream (apply) and the batch (estimate), and the dispatch
// between the CPU methods (OpenCV, parallel over pairs) and the batched GPU ECC (gmc_torch.hpp).
#include "trackkit/gmc.hpp"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <optional>
#include <string>
#include <vector>

#include "gmc/gmc_internal.hpp"
#include "gmc/gmc_torch.hpp"
#include "trackkit/check.hpp"

namespace trackkit {
namespace detail::gmc {
void validate_options(const GmcOptions& o);
}
namespace {

namespace g = detail::gmc;

// [H,W] or [H,W,C] (apply) / [B,H,W] or [B,H,W,C] (estimate) uint8 -> [B,H,W,C] with C = 1 or 3.
at::Tensor check_frames(const char* fn, const char* arg, const at::Tensor& t, bool batched) {
  TensorCheck check(fn, arg, t);
  check.dtype(at::kByte);
  const int64_t base = batched ? 1 : 0;
  if (t.dim() != base + 2 && t.dim() != base + 3) {
    check.fail(std::string("must have shape ") + (batched ? "[B,H,W] or [B,H,W,C]" : "[H,W] or [H,W,C]") + ", got " +
               shape_string(t.sizes()));
  }
  at::Tensor f = t.dim() == base + 2 ? t.unsqueeze(-1) : t;
  if (f.size(-1) != 1 && f.size(-1) != 3) {
    check.fail("must have 1 or 3 channels (last dimension), got shape " + shape_string(t.sizes()));
  }
  if (f.size(-2) == 0 || f.size(-3) == 0) check.fail("must not be empty, got shape " + shape_string(t.sizes()));
  return (batched ? f : f.unsqueeze(0)).contiguous();
}

at::Tensor check_boxes(const char* fn, const char* arg, const at::Tensor& t, int64_t columns) {
  if (!t.defined()) return t;
  TensorCheck check(fn, arg, t);
  check.floating().device_type(c10::kCPU).dim(2);
  if (t.size(1) < columns) {
    check.fail("must have shape [N," + std::to_string(columns) + "+], got " + shape_string(t.sizes()));
  }
  check.finite();
  return t.to(at::kDouble).contiguous();
}

cv::Mat as_mat(const at::Tensor& frame) { // [H,W,C] uint8 contiguous CPU, viewed without a copy
  return cv::Mat(static_cast<int>(frame.size(0)), static_cast<int>(frame.size(1)),
                 CV_8UC(static_cast<int>(frame.size(2))), frame.data_ptr());
}

bool use_torch_path(const GmcOptions& o, const at::Tensor& frames) {
  return (frames.is_cuda() || o.ecc_batched_on_cpu) && o.method == GmcMethod::Ecc &&
         o.ecc_motion != EccMotion::Homography;
}

int warp_rows(const GmcOptions& o) {
  return o.method == GmcMethod::Ecc && o.ecc_motion == EccMotion::Homography ? 3 : 2;
}

// A processing-resolution estimate -> full-resolution float64 values (rows x 3) and the quality.
void store(const GmcOptions& o, const g::PairEstimate& e, const g::Prepared& cur, double* warp, GmcQuality& q) {
  cv::Matx33d w = e.warp;
  if (!cur.gray.empty()) {
    w = g::rescale(w, static_cast<double>(cur.full_width) / cur.gray.cols,
                   static_cast<double>(cur.full_height) / cur.gray.rows);
  }
  if (w(2, 2) != 0) w *= 1.0 / w(2, 2);
  for (int i = 0; i < warp_rows(o) * 3; ++i) warp[i] = w.val[i];
  q = e.quality;
}

GmcBatchResult empty_batch(int64_t n, int rows, const c10::Device& device) {
  const auto f64 = at::TensorOptions().dtype(at::kDouble);
  const auto i32 = at::TensorOptions().dtype(at::kInt);
  GmcBatchResult r;
  r.warps = at::eye(3, f64).slice(0, 0, rows).unsqueeze(0).repeat({n, 1, 1});
  r.status = at::zeros({n}, i32);
  r.points = at::zeros({n}, i32);
  r.inliers = at::zeros({n}, i32);
  r.score = at::zeros({n}, f64);
  if (device.is_cuda()) {
    for (at::Tensor* t : {&r.warps, &r.status, &r.points, &r.inliers, &r.score}) *t = t->to(device);
  }
  return r;
}

/// boxes: [N,4] contiguous float64, grouped by frame; frame f's rows are begin[f]..begin[f+1].
g::BoxList boxes_of_frame(const at::Tensor& boxes, const std::vector<int64_t>& begin, int64_t frame) {
  if (!boxes.defined() || begin.empty()) return {};
  return {boxes.const_data_ptr<double>() + begin[frame] * 4, begin[frame + 1] - begin[frame]};
}

} // namespace

struct GMC::Impl {
  GmcOptions options;
  std::optional<g::Prepared> previous;        // CPU methods
  g::Prepared recycle;                        // the frame before, whose buffers the next frame reuses
  std::optional<g::TorchFrames> previous_gpu; // batched ECC on CUDA
};

GMC::GMC(const GmcOptions& options) : impl_(std::make_unique<Impl>()) {
  g::validate_options(options);
  impl_->options = options;
}
GMC::~GMC() = default;
GMC::GMC(GMC&&) noexcept = default;
GMC& GMC::operator=(GMC&&) noexcept = default;
const GmcOptions& GMC::options() const { return impl_->options; }
void GMC::reset() {
  impl_->previous.reset();
  impl_->previous_gpu.reset();
}

GmcResult GMC::apply(const at::Tensor& frame, const at::Tensor& detections) {
  constexpr const char* fn = "GMC::apply";
  const GmcOptions& o = impl_->options;
  const at::Tensor f = check_frames(fn, "frame", frame, false);
  const at::Tensor d = check_boxes(fn, "detections", detections, 4);
  GmcResult result;
  const int rows = warp_rows(o);
  if (use_torch_path(o, f)) {
    g::TorchFrames cur = g::prepare_torch(o, f);
    impl_->previous.reset();
    const auto& prev = impl_->previous_gpu;
    const bool resized = prev && (prev->full_width != cur.full_width || prev->full_height != cur.full_height);
    if (!prev || resized || prev->levels[0].device() != cur.levels[0].device()) {
      impl_->previous_gpu = std::move(cur);
      result.warp = at::eye(3, at::TensorOptions().dtype(at::kDouble).device(f.device())).slice(0, 0, rows);
      if (resized) result.quality.status = GmcStatus::SizeChanged;
      return result;
    }
    const g::TorchPairs p = g::ecc_torch(o, *impl_->previous_gpu, cur);
    impl_->previous_gpu = std::move(cur);
    result.warp = p.warps[0];
    result.quality.status = static_cast<GmcStatus>(p.status[0].item<int32_t>());
    result.quality.points = p.points[0].item<int32_t>();
    result.quality.score = p.score[0].item<double>();
    return result;
  }
  impl_->previous_gpu.reset();
  const at::Tensor host = f.cpu()[0];
  at::Tensor boxes = d.defined() ? d.narrow(1, 0, 4).contiguous() : d;
  const g::BoxList box_list{boxes.defined() ? boxes.const_data_ptr<double>() : nullptr,
                            boxes.defined() ? boxes.size(0) : 0};
  g::Prepared cur = g::prepare_cpu(o, as_mat(host), box_list, std::move(impl_->recycle));
  at::Tensor warp = at::eye(3, at::kDouble).slice(0, 0, rows).contiguous();
  if (impl_->previous) {
    const g::PairEstimate e = g::estimate_pair_cpu(o, *impl_->previous, cur);
    store(o, e, cur, warp.data_ptr<double>(), result.quality);
    impl_->recycle = std::move(*impl_->previous);
  }
  impl_->previous = std::move(cur);
  result.warp = warp.to(f.device());
  return result;
}

GmcBatchResult GMC::estimate(const at::Tensor& frames, const at::Tensor& previous, const at::Tensor& detections) const {
  constexpr const char* fn = "GMC::estimate";
  const GmcOptions& o = impl_->options;
  at::Tensor f = check_frames(fn, "frames", frames, true), p;
  const bool has_previous = previous.defined();
  if (has_previous) {
    p = check_frames(fn, "previous", previous, false);
    TensorCheck(fn, "previous", previous).same_device(frames, "frames");
    if (p.sizes().slice(1) != f.sizes().slice(1)) {
      fail_argument(
          fn, "previous",
          "must have the frames' size " + shape_string(f.sizes().slice(1)) + ", got " + shape_string(previous.sizes()));
    }
  }
  const at::Tensor d = check_boxes(fn, "detections", detections, 5);
  const int64_t b = f.size(0) + (has_previous ? 1 : 0), n = std::max<int64_t>(0, b - 1);
  const int rows = warp_rows(o);
  if (use_torch_path(o, f)) {
    GmcBatchResult r = empty_batch(n, rows, f.device());
    if (n == 0) return r;
    const g::TorchFrames all = g::prepare_torch(o, has_previous ? at::cat({p, f}, 0) : f);
    const g::TorchPairs p = g::ecc_torch(o, all.slice(0, n), all.slice(1, n + 1));
    return {p.warps, p.status, p.points, r.inliers, p.score};
  }
  GmcBatchResult r = empty_batch(n, rows, c10::Device(c10::kCPU));
  if (n == 0) return r.warps.device() == f.device() ? r : empty_batch(n, rows, f.device());
  // Frames stay where they are (no concatenation with `previous`: a batch of 1080p frames is hundreds of MB).
  const at::Tensor host = f.cpu(), host_previous = has_previous ? p.cpu() : p;
  const auto frame_at = [&](int64_t i) { return has_previous ? (i == 0 ? host_previous[0] : host[i - 1]) : host[i]; };
  // Detection rows grouped by prepared frame (`previous` first when given, its rows marked -1).
  std::vector<int64_t> begin;
  at::Tensor sorted, sorted_boxes;
  if (d.defined()) {
    const at::Tensor index = d.select(1, 0);
    const int64_t first = has_previous ? -1 : 0; // -1: boxes of `previous`
    if (d.size(0) > 0 && (index.min().item<double>() < first || index.max().item<double>() >= frames.size(0) ||
                          !at::equal(index, index.round()))) {
      fail_argument(
          fn, "detections",
          "column 0 must hold frame indices in [" + std::to_string(first) + "," + std::to_string(frames.size(0)) + ")");
    }
    sorted = d.index_select(0, at::argsort(index, /*stable=*/true)).contiguous();
    sorted_boxes = sorted.narrow(1, 1, 4).contiguous(); // BoxList reads 4 values a box
    const at::Tensor counts = at::bincount(sorted.select(1, 0).to(at::kLong) - first, {}, b);
    begin.assign(b + 1, 0);
    const int64_t* c = counts.const_data_ptr<int64_t>();
    for (int64_t i = 0; i < b; ++i) begin[i + 1] = begin[i] + c[i];
  }
  std::vector<g::Prepared> prepared(b);
  at::parallel_for(0, b, 1, [&](int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; ++i)
      prepared[i] = g::prepare_cpu(o, as_mat(frame_at(i)), boxes_of_frame(sorted_boxes, begin, i));
  });
  double* warps = r.warps.data_ptr<double>();
  std::vector<GmcQuality> quality(n);
  at::parallel_for(0, n, 1, [&](int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; ++i) {
      store(o, g::estimate_pair_cpu(o, prepared[i], prepared[i + 1]), prepared[i + 1], warps + i * rows * 3,
            quality[i]);
    }
  });
  for (int64_t i = 0; i < n; ++i) {
    r.status.data_ptr<int32_t>()[i] = static_cast<int32_t>(quality[i].status);
    r.points.data_ptr<int32_t>()[i] = quality[i].points;
    r.inliers.data_ptr<int32_t>()[i] = quality[i].inliers;
    r.score.data_ptr<double>()[i] = quality[i].score;
  }
  if (f.is_cuda()) {
    for (at::Tensor* t : {&r.warps, &r.status, &r.points, &r.inliers, &r.score}) *t = t->to(f.device());
  }
  return r;
}

} // namespace trackkit
