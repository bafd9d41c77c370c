#include "trackkit/tracker.hpp"

#include <ATen/ATen.h>

#include <algorithm>
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

TrackerOptions TrackerOptions::bytetrack_mot17(double frame_rate) {
  TrackerOptions o = bytetrack();
  o.track_thresh = 0.6;
  o.new_track_thresh = 0.7;
  o.match_thresh = 0.9;
  o.frame_rate = frame_rate;
  return o;
}

TrackList Tracker::Impl::read_detections(const at::Tensor& detections) const {
  TensorCheck check("Tracker::update", "detections", detections);
  check.dtype({at::kFloat, at::kDouble}).device_type(c10::kCPU);
  if (detections.dim() != 2 || (detections.size(1) != 5 && detections.size(1) != 6)) {
    check.fail("must have shape [N,5] or [N,6] (x1,y1,x2,y2,score[,class]), got " + shape_string(detections.sizes()));
  }
  const at::Tensor d = detections.to(at::kDouble).contiguous();
  const int64_t n = d.size(0), cols = d.size(1);
  const double* p = d.const_data_ptr<double>();
  TrackList out;
  out.reserve(n);
  for (int64_t i = 0; i < n; ++i, p += cols) {
    for (int64_t k = 0; k < cols; ++k)
      if (!std::isfinite(p[k])) check.fail("row " + std::to_string(i) + " contains NaN or infinite values");
    if (p[2] < p[0] || p[3] < p[1]) check.fail("row " + std::to_string(i) + " has x2 < x1 or y2 < y1");
    if (p[4] < 0 || p[4] > 1) check.fail("row " + std::to_string(i) + " has a score outside [0,1]");
    const int64_t cls = cols == 6 ? static_cast<int64_t>(p[5]) : 0;
    out.push_back(std::make_shared<detail::Track>(p[0], p[1], p[2], p[3], p[4], cls, i));
  }
  return out;
}

Matching Tracker::Impl::associate(const TrackList& tracks, const TrackList& dets, double thresh, bool fuse) const {
  std::vector<double> cost = detail::iou_distance(detail::boxes_of(tracks), detail::boxes_of(dets), offset());
  if (fuse && !cost.empty()) {
    std::vector<double> scores;
    for (const auto& d : dets) scores.push_back(d->score);
    detail::fuse_score(cost, tracks.size(), scores);
  }
  return detail::match(cost, static_cast<int64_t>(tracks.size()), static_cast<int64_t>(dets.size()), thresh);
}

void Tracker::Impl::remove_duplicates() {
  const std::vector<double> dist = detail::iou_distance(detail::boxes_of(tracked), detail::boxes_of(lost), offset());
  std::vector<char> drop_tracked(tracked.size(), 0), drop_lost(lost.size(), 0);
  for (size_t p = 0; p < tracked.size(); ++p)
    for (size_t q = 0; q < lost.size(); ++q) {
      if (!(dist[p * lost.size() + q] < options.duplicate_distance)) continue;
      // The younger of the two goes.
      const int64_t age_p = tracked[p]->frame_id - tracked[p]->start_frame;
      const int64_t age_q = lost[q]->frame_id - lost[q]->start_frame;
      (age_p > age_q ? drop_lost[q] : drop_tracked[p]) = 1;
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

Tracker::Tracker(const TrackerOptions& options) : impl_(std::make_unique<Impl>()) { impl_->options = options; }
Tracker::~Tracker() = default;
Tracker::Tracker(Tracker&&) noexcept = default;
Tracker& Tracker::operator=(Tracker&&) noexcept = default;

const TrackerOptions& Tracker::options() const { return impl_->options; }
int64_t Tracker::frame_count() const { return impl_->frame_id; }

void Tracker::reset() {
  const TrackerOptions options = impl_->options;
  impl_ = std::make_unique<Impl>();
  impl_->options = options;
}

TrackerOutput Tracker::update(const at::Tensor& detections) { return impl_->step(impl_->read_detections(detections)); }

} // namespace trackkit
