#pragma once
// Tracker state shared by tracker.cpp (set-up, input, helpers) and tracker_step.cpp (one frame).
#include <ATen/core/Tensor.h>

#include <unordered_map>

#include "association.hpp"
#include "kalman_filter.hpp"
#include "track.hpp"
#include "trackkit/check.hpp"
#include "trackkit/tracker.hpp"

namespace trackkit {
namespace detail {
/// float64 contiguous copy of a detections tensor whose values are checked (finite, x2 >= x1, y2 >= y1,
/// score in [0,1]); boxes start at column `first`. Failures name the row through `check`.
at::Tensor checked_detections(const TensorCheck& check, const at::Tensor& detections, int64_t first);
} // namespace detail

/// What one frame brings besides boxes, read and checked before the tracker changes.
struct FrameCues {
  const double* warp = nullptr;                             // 6 values (2x3 row-major) or null
  double mask_scale = 1;                                    // mask grid pixels per frame pixel
  bool float32_scores = false;                              // detections came as float32
  std::unordered_map<int64_t, detail::MaskPtr> track_masks; // given predictions, by track id
  at::Tensor warp_storage;                                  // keeps `warp` alive
};

struct Tracker::Impl {
  using TrackList = detail::TrackList;
  using Matching = detail::Matching;

  TrackerOptions options;
  detail::KalmanFilter kalman;
  TrackList tracked, lost;
  int64_t frame_id = 0, next_id = 0;
  int64_t feature_dim = 0;         // embedding size, fixed by the first frame that has embeddings
  std::vector<int64_t> mask_grid_; // mask grid H, W, fixed by the first frame that has masks
  FrameCues cues;                  // this frame's

  double offset() const { return options.iou_plus_one ? 1.0 : 0.0; }
  int64_t max_time_lost() const { return static_cast<int64_t>(options.frame_rate / 30.0 * options.track_buffer); }

  /// Checks every tensor of the input and turns its rows into detections carrying their cues.
  TrackList read_input(const TrackerInput& input, FrameCues& frame_cues);
  /// Gated minimum-cost matching; fuse: score-fused IoU cost; appearance: BoT-SORT's ReID cue (when features
  /// exist). The mask cue applies wherever both sides of an ambiguous pair have masks.
  Matching associate(const TrackList& tracks, const TrackList& dets, double thresh, bool fuse, bool appearance) const;
  void remove_duplicates();
  /// Predicts tracks (velocity of sizes zeroed for those not tracked) and applies this frame's warp.
  void predict(const TrackList& pool, const TrackList& unconfirmed) const;
  TrackerOutput step(const TrackList& detections_all);
  TrackerOutput output(const TrackList& reported_before);
};

} // namespace trackkit
