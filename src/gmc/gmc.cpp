// trackkit::GMC: argument checks, the stream (apply, apply_batch: one state) and the stateless batch (estimate),
// and the dispatch between the CPU methods (OpenCV, parallel over pairs) and the batched GPU ECC (gmc_torch.hpp).
#include "trackkit/gmc.hpp"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "gmc_internal.hpp"
#include "gmc_torch.hpp"
#include "trackkit/check.hpp"

namespace trackkit {
namespace detail::gmc {
void validate_options(const GmcOptions& o);
}
namespace {

namespace g = detail::gmc;

// [H,W] or [H,W,C] (apply) / [B,H,W] or [B,H,W,C] (batches) uint8 -> [B,H,W,C] with C = 1 or 3.
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

/// Detection boxes grouped by frame: frame f's are rows begin[f - first]..begin[f - first + 1] of `boxes`
/// ([N,4] float64, contiguous). Frame numbers start at `first` (-1: estimate's `previous`).
struct FrameBoxes {
  at::Tensor boxes;
  std::vector<int64_t> begin;
  int64_t first = 0;

  g::BoxList of(int64_t frame) const {
    if (!boxes.defined() || begin.empty()) return {};
    const int64_t i = frame - first;
    return {boxes.const_data_ptr<double>() + begin[i] * 4, begin[i + 1] - begin[i]};
  }
};

/// d: checked [N,5+] rows (frame number in [first, first + frames), x1, y1, x2, y2).
FrameBoxes group_by_frame(const char* fn, const at::Tensor& d, int64_t first, int64_t frames) {
  FrameBoxes r;
  r.first = first;
  if (!d.defined()) return r;
  const at::Tensor index = d.select(1, 0);
  const int64_t end = first + frames;
  if (d.size(0) > 0 &&
      (index.min().item<double>() < first || index.max().item<double>() >= end || !at::equal(index, index.round()))) {
    fail_argument(fn, "detections",
                  "column 0 must hold frame indices in [" + std::to_string(first) + "," + std::to_string(end) + ")");
  }
  const at::Tensor sorted = d.index_select(0, at::argsort(index, /*stable=*/true));
  r.boxes = sorted.narrow(1, 1, 4).contiguous(); // BoxList reads 4 values a box
  const at::Tensor counts = at::bincount(sorted.select(1, 0).to(at::kLong) - first, {}, frames);
  r.begin.assign(frames + 1, 0);
  const int64_t* c = counts.const_data_ptr<int64_t>();
  for (int64_t i = 0; i < frames; ++i) r.begin[i + 1] = r.begin[i] + c[i];
  return r;
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

void to_device(GmcBatchResult& r, const c10::Device& device) {
  if (r.warps.device() == device) return;
  for (at::Tensor* t : {&r.warps, &r.status, &r.points, &r.inliers, &r.score}) *t = t->to(device);
}

// n identity warps with status Ok.
GmcBatchResult empty_batch(int64_t n, int rows, const c10::Device& device) {
  const auto f64 = at::TensorOptions().dtype(at::kDouble);
  const auto i32 = at::TensorOptions().dtype(at::kInt);
  GmcBatchResult r;
  r.warps = at::eye(3, f64).slice(0, 0, rows).unsqueeze(0).repeat({n, 1, 1});
  r.status = at::zeros({n}, i32);
  r.points = at::zeros({n}, i32);
  r.inliers = at::zeros({n}, i32);
  r.score = at::zeros({n}, f64);
  to_device(r, device);
  return r;
}

/// Prepares host frames [H,W,C] frame_at(0..count-1) in parallel, frame i masked by boxes.of(first + i).
/// `recycle` (optional): buffers for frame 0.
std::vector<g::Prepared> prepare_frames(const GmcOptions& o, int64_t count,
                                        const std::function<at::Tensor(int64_t)>& frame_at, const FrameBoxes& boxes,
                                        g::Prepared* recycle = nullptr) {
  std::vector<g::Prepared> prepared(count);
  at::parallel_for(0, count, 1, [&](int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; ++i) {
      g::Prepared buffers = i == 0 && recycle != nullptr ? std::move(*recycle) : g::Prepared();
      prepared[i] = g::prepare_cpu(o, as_mat(frame_at(i)), boxes.of(boxes.first + i), std::move(buffers));
    }
  });
  return prepared;
}

/// Pairs chain[i] -> chain[i+1] in parallel into rows row + i of r (CPU tensors).
void estimate_chain(const GmcOptions& o, const std::vector<const g::Prepared*>& chain, GmcBatchResult& r, int64_t row) {
  const int64_t rows = warp_rows(o) * 3;
  at::parallel_for(0, static_cast<int64_t>(chain.size()) - 1, 1, [&](int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; ++i) {
      GmcQuality q;
      store(o, g::estimate_pair_cpu(o, *chain[i], *chain[i + 1]), *chain[i + 1],
            r.warps.data_ptr<double>() + (row + i) * rows, q);
      r.status.data_ptr<int32_t>()[row + i] = static_cast<int32_t>(q.status);
      r.points.data_ptr<int32_t>()[row + i] = q.points;
      r.inliers.data_ptr<int32_t>()[row + i] = q.inliers;
      r.score.data_ptr<double>()[row + i] = q.score;
    }
  });
}

g::TorchFrames concat(const g::TorchFrames& a, const g::TorchFrames& b) {
  g::TorchFrames t = a;
  for (size_t l = 0; l < t.levels.size(); ++l) t.levels[l] = at::cat({a.levels[l], b.levels[l]});
  t.flat = at::cat({a.flat, b.flat});
  return t;
}

} // namespace

struct GMC::Impl {
  GmcOptions options;
  std::optional<g::Prepared> previous;        // CPU methods: the stream's last frame, masked by its boxes
  g::Prepared recycle;                        // the frame before, whose buffers the next frame reuses
  std::optional<g::TorchFrames> previous_gpu; // batched ECC (CUDA frames, ecc_batched_on_cpu)

  // The stream's next B >= 1 frames f [B,H,W,C]: warp i from frame i-1 (the stream's last frame for i = 0).
  // Results on the host for the CPU methods, on the frames' device for the batched ECC.
  GmcBatchResult advance(const at::Tensor& f, const FrameBoxes& boxes) {
    return use_torch_path(options, f) ? advance_torch(f) : advance_cpu(f, boxes);
  }

  GmcBatchResult advance_cpu(const at::Tensor& f, const FrameBoxes& boxes) {
    previous_gpu.reset();
    const at::Tensor host = f.cpu();
    std::vector<g::Prepared> prepared = prepare_frames(
        options, f.size(0), [&](int64_t i) { return host[i]; }, boxes, &recycle);
    std::vector<const g::Prepared*> chain;
    if (previous) chain.push_back(&*previous);
    for (const g::Prepared& p : prepared) chain.push_back(&p);
    GmcBatchResult r = empty_batch(f.size(0), warp_rows(options), c10::Device(c10::kCPU));
    if (!previous) r.status.data_ptr<int32_t>()[0] = static_cast<int32_t>(GmcStatus::FirstFrame);
    estimate_chain(options, chain, r, previous ? 0 : 1); // a size change gives SizeChanged there
    if (previous) recycle = std::move(*previous);
    previous = std::move(prepared.back());
    return r;
  }

  GmcBatchResult advance_torch(const at::Tensor& f) {
    previous.reset();
    const int64_t b = f.size(0);
    g::TorchFrames cur = g::prepare_torch(options, f);
    GmcBatchResult r = empty_batch(b, 2, f.device());
    const bool resized =
        previous_gpu && (previous_gpu->full_width != cur.full_width || previous_gpu->full_height != cur.full_height);
    const bool chained = previous_gpu && !resized && previous_gpu->levels[0].device() == f.device();
    if (!chained) r.status[0].fill_(static_cast<int>(resized ? GmcStatus::SizeChanged : GmcStatus::FirstFrame));
    const int64_t row = chained ? 0 : 1;
    if (row < b) {
      const g::TorchFrames from = !chained ? cur.slice(0, b - 1)
                                  : b == 1 ? *previous_gpu
                                           : concat(*previous_gpu, cur.slice(0, b - 1));
      const g::TorchPairs p = g::ecc_torch(options, from, cur.slice(row, b));
      r.warps.narrow(0, row, b - row).copy_(p.warps);
      r.status.narrow(0, row, b - row).copy_(p.status);
      r.points.narrow(0, row, b - row).copy_(p.points);
      r.score.narrow(0, row, b - row).copy_(p.score);
    }
    if (b > 1) { // a copy of the last frame, not a view holding the whole batch's pyramids
      cur = cur.slice(b - 1, b);
      for (at::Tensor& l : cur.levels) l = l.clone();
      cur.flat = cur.flat.clone();
    }
    previous_gpu = std::move(cur);
    return r;
  }
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
  const at::Tensor f = check_frames(fn, "frame", frame, false);
  const at::Tensor d = check_boxes(fn, "detections", detections, 4);
  FrameBoxes boxes;
  if (d.defined()) boxes.boxes = d.narrow(1, 0, 4).contiguous(), boxes.begin = {0, d.size(0)};
  const GmcBatchResult r = impl_->advance(f, boxes);
  GmcResult result;
  result.warp = r.warps[0].to(f.device());
  result.quality.status = static_cast<GmcStatus>(r.status[0].item<int32_t>());
  result.quality.points = r.points[0].item<int32_t>();
  result.quality.inliers = r.inliers[0].item<int32_t>();
  result.quality.score = r.score[0].item<double>();
  return result;
}

GmcBatchResult GMC::apply_batch(const at::Tensor& frames, const at::Tensor& detections) {
  constexpr const char* fn = "GMC::apply_batch";
  const at::Tensor f = check_frames(fn, "frames", frames, true);
  const FrameBoxes boxes = group_by_frame(fn, check_boxes(fn, "detections", detections, 5), 0, f.size(0));
  if (f.size(0) == 0) return empty_batch(0, warp_rows(impl_->options), f.device());
  GmcBatchResult r = impl_->advance(f, boxes);
  to_device(r, f.device());
  return r;
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
  if (n > 0) {
    // Frames stay where they are (no concatenation with `previous`: a batch of 1080p frames is hundreds of MB).
    const at::Tensor host = f.cpu(), host_previous = has_previous ? p.cpu() : p;
    const auto frame_at = [&](int64_t i) { return has_previous ? (i == 0 ? host_previous[0] : host[i - 1]) : host[i]; };
    const FrameBoxes boxes = group_by_frame(fn, d, has_previous ? -1 : 0, f.size(0) + (has_previous ? 1 : 0));
    const std::vector<g::Prepared> prepared = prepare_frames(o, b, frame_at, boxes);
    std::vector<const g::Prepared*> chain;
    chain.reserve(prepared.size());
    for (const g::Prepared& x : prepared) chain.push_back(&x);
    estimate_chain(o, chain, r, 0);
  }
  to_device(r, f.device());
  return r;
}

} // namespace trackkit
