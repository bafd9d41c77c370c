// Tracker::update's input: every tensor checked (errors name the argument and row) before any state changes.
#include <ATen/ATen.h>

#include <cmath>
#include <string>

#include "tracker_impl.hpp"

namespace trackkit {

namespace detail {

at::Tensor checked_detections(const TensorCheck& check, const at::Tensor& detections, int64_t first) {
  at::Tensor d = detections.to(at::kDouble).contiguous(); // returned: not const, so it moves
  const int64_t n = d.size(0), cols = d.size(1);
  const double* p = d.const_data_ptr<double>();
  for (int64_t i = 0; i < n; ++i, p += cols) {
    const double* b = p + first; // x1, y1, x2, y2, score[, class]
    for (int64_t k = 0; k < cols; ++k)
      if (!std::isfinite(p[k])) check.fail("row " + std::to_string(i) + " contains NaN or infinite values");
    // Beyond this, areas and IoU overflow to infinity and NaN inside the association (and class ids past int64).
    constexpr double kLargestCoordinate = 1e9;
    for (int k = 0; k < 4; ++k)
      if (std::fabs(b[k]) > kLargestCoordinate)
        check.fail("row " + std::to_string(i) + " has a coordinate beyond +-1e9 pixels (" + std::to_string(b[k]) + ")");
    if (cols > first + 5 && std::fabs(b[5]) > 9.0e15)
      check.fail("row " + std::to_string(i) + " has a class id beyond +-9e15");
    if (b[2] < b[0] || b[3] < b[1]) check.fail("row " + std::to_string(i) + " has x2 < x1 or y2 < y1");
    if (b[4] < 0 || b[4] > 1) check.fail("row " + std::to_string(i) + " has a score outside [0,1]");
  }
  return d;
}

} // namespace detail

namespace {

constexpr const char* kFn = "Tracker::update";

/// L2-normalised float rows of [N,D] embeddings; an all-zero row gives an empty feature ("none").
std::vector<std::vector<float>> read_features(const at::Tensor& embeddings, int64_t rows, int64_t expected_dim) {
  TensorCheck check(kFn, "embeddings", embeddings);
  check.dtype({at::kFloat, at::kDouble}).device_type(c10::kCPU).finite();
  if (embeddings.dim() != 2 || embeddings.size(0) != rows || embeddings.size(1) == 0) {
    check.fail("must have shape [N,D] with N = " + std::to_string(rows) + " (one per detection row) and D > 0, got " +
               shape_string(embeddings.sizes()));
  }
  const int64_t dim = embeddings.size(1);
  if (expected_dim != 0 && dim != expected_dim) {
    check.fail("has D = " + std::to_string(dim) + " but this tracker's tracks have D = " +
               std::to_string(expected_dim) + " (reset() the tracker to change the embedding model)");
  }
  const at::Tensor e = embeddings.to(at::kDouble).contiguous();
  const double* p = e.const_data_ptr<double>();
  std::vector<std::vector<float>> out(rows);
  for (int64_t i = 0; i < rows; ++i, p += dim) {
    double norm = 0;
    for (int64_t k = 0; k < dim; ++k) norm += p[k] * p[k];
    norm = std::sqrt(norm);
    if (!(norm > 1e-12)) continue;
    out[i].resize(dim);
    for (int64_t k = 0; k < dim; ++k) out[i][k] = static_cast<float>(p[k] / norm);
  }
  return out;
}

std::vector<detail::MaskPtr> read_track_masks(const TrackerInput& in, std::vector<int64_t>& ids) {
  if (!in.track_masks.defined() && !in.track_mask_ids.defined()) return {};
  TensorCheck id_check(kFn, "track_mask_ids", in.track_mask_ids);
  if (!in.track_masks.defined()) fail_argument(kFn, "track_masks", "is missing while track_mask_ids is given");
  id_check.dtype({at::kLong}).device_type(c10::kCPU).dim(1);
  const at::Tensor id_tensor = in.track_mask_ids.contiguous();
  ids.assign(id_tensor.const_data_ptr<int64_t>(), id_tensor.const_data_ptr<int64_t>() + id_tensor.numel());
  return detail::read_masks(TensorCheck(kFn, "track_masks", in.track_masks), in.track_masks, id_tensor.numel(),
                            "track_mask_ids entry");
}

} // namespace

detail::TrackList Tracker::Impl::read_input(const TrackerInput& in, FrameCues& frame_cues) {
  TensorCheck check(kFn, "detections", in.detections);
  check.dtype({at::kFloat, at::kDouble}).device_type(c10::kCPU);
  if (in.detections.dim() != 2 || (in.detections.size(1) != 5 && in.detections.size(1) != 6)) {
    check.fail("must have shape [N,5] or [N,6] (x1,y1,x2,y2,score[,class]), got " +
               shape_string(in.detections.sizes()));
  }
  const at::Tensor d = detail::checked_detections(check, in.detections, 0);
  const int64_t n = d.size(0), cols = d.size(1);

  std::vector<std::vector<float>> features;
  if (in.embeddings.defined()) features = read_features(in.embeddings, n, feature_dim);
  std::vector<detail::MaskPtr> masks;
  std::vector<int64_t> mask_grid; // H, W of every mask tensor of this frame, which must agree
  if (in.masks.defined()) {
    masks = detail::read_masks(TensorCheck(kFn, "masks", in.masks), in.masks, n, "detection row");
    mask_grid = {in.masks.size(1), in.masks.size(2)};
  }
  std::vector<int64_t> track_ids;
  const std::vector<detail::MaskPtr> track_masks = read_track_masks(in, track_ids);
  if (!track_masks.empty()) {
    const std::vector<int64_t> grid = {in.track_masks.size(1), in.track_masks.size(2)};
    if (!mask_grid.empty() && grid != mask_grid)
      fail_argument(kFn, "track_masks", "must be on the same grid as masks (" + shape_string(mask_grid) + ")");
    mask_grid = grid;
  }
  if (!mask_grid.empty()) {
    if (!mask_grid_.empty() && mask_grid != mask_grid_) {
      fail_argument(kFn, in.masks.defined() ? "masks" : "track_masks",
                    "are on a " + shape_string(mask_grid) + " grid but earlier frames' masks were " +
                        shape_string(mask_grid_) + " (reset() the tracker to change it)");
    }
    if (!(in.mask_scale > 0 && std::isfinite(in.mask_scale)))
      fail_argument(kFn, "mask_scale", "must be > 0, got " + std::to_string(in.mask_scale));
  }
  if (in.warp.defined()) {
    TensorCheck(kFn, "warp", in.warp).shape({2, 3}).dtype({at::kFloat, at::kDouble}).device_type(c10::kCPU).finite();
    frame_cues.warp_storage = in.warp.to(at::kDouble).contiguous();
    frame_cues.warp = frame_cues.warp_storage.const_data_ptr<double>();
  }

  // Every check passed: from here on nothing throws.
  frame_cues.mask_scale = in.mask_scale;
  frame_cues.float32_scores = in.detections.scalar_type() == at::kFloat;
  for (size_t k = 0; k < track_ids.size(); ++k) frame_cues.track_masks[track_ids[k]] = track_masks[k];
  if (!features.empty()) feature_dim = in.embeddings.size(1);
  if (!mask_grid.empty()) mask_grid_ = mask_grid;
  const double* p = d.const_data_ptr<double>();
  detail::TrackList out;
  out.reserve(n);
  for (int64_t i = 0; i < n; ++i, p += cols) {
    const int64_t cls = cols == 6 ? static_cast<int64_t>(p[5]) : 0;
    auto t = std::make_shared<detail::Track>(p[0], p[1], p[2], p[3], p[4], cls, i, options.motion_model);
    if (!features.empty()) t->feature = std::move(features[i]);
    if (!masks.empty()) {
      t->mask = masks[i];
      t->mask_cx = (p[0] + p[2]) / 2, t->mask_cy = (p[1] + p[3]) / 2;
    }
    out.push_back(std::move(t));
  }
  return out;
}

} // namespace trackkit
