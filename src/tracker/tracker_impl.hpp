#pragma once
// Tracker state shared by tracker.cpp (set-up, input, helpers) and tracker_step.cpp (one frame).
#include <ATen/core/Tensor.h>

#include <unordered_set>

#include "tracker/association.hpp"
#include "tracker/kalman_filter.hpp"
#include "tracker/track.hpp"
#include "trackkit/check.hpp"
#include "trackkit/tracker.hpp"

namespace trackkit {
namespace detail {
/// float64 contiguous copy of a detections tensor whose values are checked (finite, x2 >= x1, y2 >= y1,
/// score in [0,1]); boxes start at column `first`. Failures name the row through `check`.
at::Tensor checked_detections(const TensorCheck& check, const at::Tensor& detections, int64_t first);
} // namespace detail

struct Tracker::Impl {
  using TrackList = detail::TrackList;
  using Matching = detail::Matching;

  TrackerOptions options;
  detail::KalmanFilter kalman;
  TrackList tracked, lost;
  std::unordered_set<int64_t> removed_ids; // every id ever removed (ByteTrack's removed_stracks)
  int64_t frame_id = 0, next_id = 0;

  double offset() const { return options.iou_plus_one ? 1.0 : 0.0; }
  int64_t max_time_lost() const { return static_cast<int64_t>(options.frame_rate / 30.0 * options.track_buffer); }

  TrackList read_detections(const at::Tensor& detections) const;
  Matching associate(const TrackList& tracks, const TrackList& dets, double thresh, bool fuse) const;
  void remove_duplicates();
  /// One frame; warp: 6 values (2x3 row-major) or null.
  TrackerOutput step(const TrackList& detections_all, const double* warp);
};

} // namespace trackkit
