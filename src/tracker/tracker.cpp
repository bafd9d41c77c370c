#include "trackkit/tracker.hpp"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "tracker_impl.hpp"
#include "trackkit/check.hpp"

namespace trackkit {

using detail::Matching;
using detail::TrackList;

Matching Tracker::Impl::associate(const TrackList& tracks, const TrackList& dets, double thresh, bool fuse,
                                  bool appearance) const {
  std::vector<AssignmentEdge> costs = detail::overlap_costs(detail::boxes_of(tracks), detail::boxes_of(dets), offset());
  const int64_t rows = static_cast<int64_t>(tracks.size()), cols = static_cast<int64_t>(dets.size());
  std::vector<char> near; // IoU >= proximity_thresh, judged before score fusion (as BoT-SORT does)
  if (appearance)
    for (const AssignmentEdge& e : costs) near.push_back(!(e.cost > 1 - options.proximity_thresh));
  auto fused = [&](double iou, int64_t col) { return 1.0 - iou * (fuse ? dets[col]->score : 1.0); };
  if (fuse)
    for (AssignmentEdge& e : costs) e.cost = fused(1.0 - e.cost, e.col);
  const bool masks = std::any_of(dets.begin(), dets.end(), [](const auto& d) { return d->mask != nullptr; });
  if (masks) {
    detail::apply_mask_cue(costs, rows, cols, thresh, [&](const AssignmentEdge& e) {
      const detail::Track& t = *tracks[e.row];
      const detail::Track& d = *dets[e.col];
      if (!d.mask) return -1.0;
      if (const auto given = cues.track_masks.find(t.id); given != cues.track_masks.end())
        return fused(detail::mask_iou(*given->second, 0, 0, *d.mask), e.col);
      if (!t.mask) return -1.0;
      const detail::TrackBox b = t.box(); // the track's mask follows its predicted box
      const auto dx = static_cast<int64_t>(std::lround(((b.x1 + b.x2) / 2 - t.mask_cx) * cues.mask_scale));
      const auto dy = static_cast<int64_t>(std::lround(((b.y1 + b.y2) / 2 - t.mask_cy) * cues.mask_scale));
      return fused(detail::mask_iou(*t.mask, dx, dy, *d.mask), e.col);
    });
  }
  if (appearance) {
    for (size_t k = 0; k < costs.size(); ++k) {
      AssignmentEdge& e = costs[k];
      const std::vector<float>& f = tracks[e.row]->feature;
      const std::vector<float>& g = dets[e.col]->feature;
      if (!near[k] || f.empty() || g.empty()) continue;
      double dot = 0, ff = 0, gg = 0;
      for (size_t i = 0; i < f.size(); ++i)
        dot += double(f[i]) * g[i], ff += double(f[i]) * f[i], gg += double(g[i]) * g[i];
      const double half_distance = std::max(0.0, 1.0 - dot / std::sqrt(ff * gg)) / 2;
      if (!(half_distance > options.appearance_thresh)) e.cost = std::min(e.cost, half_distance);
    }
  }
  return detail::match(costs, rows, cols, thresh);
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
  // Bounds that keep the lost-track lifetime frame_rate / 30 * track_buffer a representable frame count.
  require(o.track_buffer >= 0 && o.track_buffer <= 1000000000, "track_buffer", "must be in [0, 1e9]", o.track_buffer);
  require(o.frame_rate > 0 && o.frame_rate <= 1e6, "frame_rate", "must be in (0, 1e6] frames/s", o.frame_rate);
  require(o.proximity_thresh >= 0 && o.proximity_thresh <= 1, "proximity_thresh", "must be in [0,1]",
          o.proximity_thresh);
  require(o.appearance_thresh >= 0 && o.appearance_thresh <= 1, "appearance_thresh", "must be in [0,1]",
          o.appearance_thresh);
  require(o.feature_momentum >= 0 && o.feature_momentum < 1, "feature_momentum", "must be in [0,1)",
          o.feature_momentum);
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
  TrackerInput input;
  input.detections = detections;
  return update(input);
}

TrackerOutput Tracker::update(const at::Tensor& detections, const at::Tensor& warp) {
  TrackerInput input;
  input.detections = detections;
  input.warp = warp;
  return update(input);
}

TrackerOutput Tracker::update(const TrackerInput& input) {
  FrameCues frame_cues;
  TrackList detections = impl_->read_input(input, frame_cues); // throws before any state changes
  impl_->cues = std::move(frame_cues);
  return impl_->step(detections);
}

} // namespace trackkit
