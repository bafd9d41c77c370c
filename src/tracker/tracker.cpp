#include "trackkit/tracker.hpp"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <unordered_set>

#include "tracker/tracker_impl.hpp"
#include "trackkit/check.hpp"

namespace trackkit {

using detail::Matching;
using detail::TrackList;

TrackerOptions TrackerOptions::bytetrack() {
  TrackerOptions o;
  o.iou_plus_one = true;
  return o;
}

TrackerOptions TrackerOptions::ultralytics_bytetrack() {
  TrackerOptions o;
  o.track_thresh = 0.25;
  o.new_track_thresh = 0.25;
  o.high_score_inclusive = true;
  return o;
}

TrackerOptions TrackerOptions::original_pipeline(double frame_rate) {
  TrackerOptions o;
  o.low_thresh = 0.4; // its detector's confidence threshold: nothing lower reaches the tracker
  o.track_thresh = 0.5;
  o.track_buffer = 90;
  o.frame_rate = frame_rate;
  return o;
}

TrackerOptions TrackerOptions::bytetrack_mot17(double frame_rate) {
  TrackerOptions o = bytetrack();
  o.track_thresh = 0.6;
  o.new_track_thresh = 0.7;
  o.match_thresh = 0.9;
  o.frame_rate = frame_rate;
  return o;
}

namespace detail {

at::Tensor checked_detections(const TensorCheck& check, const at::Tensor& detections, int64_t first) {
  const at::Tensor d = detections.to(at::kDouble).contiguous();
  const int64_t n = d.size(0), cols = d.size(1);
  const double* p = d.const_data_ptr<double>();
  for (int64_t i = 0; i < n; ++i, p += cols) {
    const double* b = p + first; // x1, y1, x2, y2, score[, class]
    for (int64_t k = 0; k < cols; ++k)
      if (!std::isfinite(p[k])) check.fail("row " + std::to_string(i) + " contains NaN or infinite values");
    if (b[2] < b[0] || b[3] < b[1]) check.fail("row " + std::to_string(i) + " has x2 < x1 or y2 < y1");
    if (b[4] < 0 || b[4] > 1) check.fail("row " + std::to_string(i) + " has a score outside [0,1]");
  }
  return d;
}

} // namespace detail

TrackList Tracker::Impl::read_detections(const at::Tensor& detections) const {
  TensorCheck check("Tracker::update", "detections", detections);
  check.dtype({at::kFloat, at::kDouble}).device_type(c10::kCPU);
  if (detections.dim() != 2 || (detections.size(1) != 5 && detections.size(1) != 6)) {
    check.fail("must have shape [N,5] or [N,6] (x1,y1,x2,y2,score[,class]), got " + shape_string(detections.sizes()));
  }
  const at::Tensor d = detail::checked_detections(check, detections, 0);
  const int64_t n = d.size(0), cols = d.size(1);
  const double* p = d.const_data_ptr<double>();
  TrackList out;
  out.reserve(n);
  for (int64_t i = 0; i < n; ++i, p += cols) {
    const int64_t cls = cols == 6 ? static_cast<int64_t>(p[5]) : 0;
    out.push_back(std::make_shared<detail::Track>(p[0], p[1], p[2], p[3], p[4], cls, i, options.motion_model));
  }
  return out;
}

Matching Tracker::Impl::associate(const TrackList& tracks, const TrackList& dets, double thresh, bool fuse) const {
  std::vector<AssignmentEdge> costs = detail::overlap_costs(detail::boxes_of(tracks), detail::boxes_of(dets), offset());
  if (fuse) {
    std::vector<double> scores;
    for (const auto& d : dets) scores.push_back(d->score);
    detail::fuse_score(costs, scores);
  }
  return detail::match(costs, static_cast<int64_t>(tracks.size()), static_cast<int64_t>(dets.size()), thresh);
}

void Tracker::Impl::remove_duplicates() {
  std::vector<char> drop_tracked(tracked.size(), 0), drop_lost(lost.size(), 0);
  for (const AssignmentEdge& e : detail::overlap_costs(detail::boxes_of(tracked), detail::boxes_of(lost), offset())) {
    if (!(e.cost < options.duplicate_distance)) continue;
    // The younger of the two goes.
    const auto& p = tracked[e.row];
    const auto& q = lost[e.col];
    (p->frame_id - p->start_frame > q->frame_id - q->start_frame ? drop_lost[e.col] : drop_tracked[e.row]) = 1;
  }
  auto keep = [](const TrackList& list, const std::vector<char>& drop) {
    TrackList out;
    for (size_t i = 0; i < list.size(); ++i)
      if (!drop[i]) out.push_back(list[i]);
    return out;
  };
  tracked = keep(tracked, drop_tracked);
  lost = keep(lost, drop_lost);
}

namespace {

void check_options(const TrackerOptions& o) {
  auto require = [](bool ok, const char* field, const std::string& rule, double value) {
    if (!ok) fail_argument("Tracker", std::string("options.") + field, rule + ", got " + std::to_string(value));
  };
  require(o.track_thresh >= 0 && o.track_thresh <= 1, "track_thresh", "must be in [0,1]", o.track_thresh);
  require(o.low_thresh >= 0 && o.low_thresh <= o.track_thresh, "low_thresh", "must be in [0,track_thresh]",
          o.low_thresh);
  require(o.new_track_thresh >= 0 && o.new_track_thresh <= 1, "new_track_thresh", "must be in [0,1]",
          o.new_track_thresh);
  // Association limits stay below 1: pairs that do not overlap (cost 1) are never matched.
  require(o.match_thresh > 0 && o.match_thresh < 1, "match_thresh", "must be in (0,1)", o.match_thresh);
  require(o.second_match_thresh > 0 && o.second_match_thresh < 1, "second_match_thresh", "must be in (0,1)",
          o.second_match_thresh);
  require(o.unconfirmed_match_thresh > 0 && o.unconfirmed_match_thresh < 1, "unconfirmed_match_thresh",
          "must be in (0,1)", o.unconfirmed_match_thresh);
  require(o.track_buffer >= 0, "track_buffer", "must be >= 0", o.track_buffer);
  require(o.frame_rate > 0 && std::isfinite(o.frame_rate), "frame_rate", "must be > 0", o.frame_rate);
  require(o.duplicate_distance >= 0 && o.duplicate_distance < 1, "duplicate_distance", "must be in [0,1)",
          o.duplicate_distance);
}

} // namespace

Tracker::Tracker(const TrackerOptions& options) : impl_(std::make_unique<Impl>()) {
  check_options(options);
  impl_->options = options;
  impl_->kalman = detail::KalmanFilter(options.motion_model);
}
Tracker::~Tracker() = default;
Tracker::Tracker(Tracker&&) noexcept = default;
Tracker& Tracker::operator=(Tracker&&) noexcept = default;

const TrackerOptions& Tracker::options() const { return impl_->options; }
int64_t Tracker::frame_count() const { return impl_->frame_id; }

void Tracker::reset() { *this = Tracker(impl_->options); }

TrackerOutput Tracker::update(const at::Tensor& detections) {
  return impl_->step(impl_->read_detections(detections), nullptr);
}

TrackerOutput Tracker::update(const at::Tensor& detections, const at::Tensor& warp) {
  TensorCheck check("Tracker::update", "warp", warp);
  check.shape({2, 3}).dtype({at::kFloat, at::kDouble}).device_type(c10::kCPU).finite();
  const at::Tensor w = warp.to(at::kDouble).contiguous();
  return impl_->step(impl_->read_detections(detections), w.const_data_ptr<double>());
}

} // namespace trackkit
