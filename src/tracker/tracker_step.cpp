// One frame of ByteTrack: predict, associate high then low score detections, confirm or drop new tracks,
// start tracks, age lost ones. The list bookkeeping follows ByteTrack's BYTETracker.update step by step
// (same orders, same quirks) so that the tracks are the same.
#include <ATen/ATen.h>

#include <algorithm>
#include <unordered_set>

#include "tracker/tracker_impl.hpp"

namespace trackkit {

using detail::TrackList;
using detail::TrackPtr;
using detail::TrackState;

namespace {

std::unordered_set<int64_t> live_reported_ids(const TrackList& a, const TrackList& b) {
  std::unordered_set<int64_t> ids;
  for (const TrackList* list : {&a, &b})
    for (const auto& t : *list)
      if (t->reported && t->state != TrackState::Removed) ids.insert(t->id);
  return ids;
}

} // namespace

TrackerOutput Tracker::Impl::step(const TrackList& detections_all, const double* warp) {
  ++frame_id;
  const std::unordered_set<int64_t> before = live_reported_ids(tracked, lost);
  TrackList activated, refound, newly_lost, newly_removed;

  TrackList high, low;
  for (const auto& d : detections_all) {
    if (!(d->detection_tlwh[2] > 0 && d->detection_tlwh[3] > 0)) continue; // no aspect ratio: ignored
    if (d->score > options.track_thresh || (options.high_score_inclusive && d->score == options.track_thresh)) {
      high.push_back(d);
    } else if (d->score > options.low_thresh && d->score < options.track_thresh) {
      low.push_back(d);
    }
  }
  TrackList unconfirmed, confirmed;
  for (const auto& t : tracked) (t->activated ? confirmed : unconfirmed).push_back(t);

  auto apply = [&](const TrackPtr& t, const TrackPtr& d) {
    kalman.update(t->mean, t->covariance, d->measurement());
    t->score = d->score;
    t->cls = d->cls;
    t->det_index = d->det_index;
    t->frame_id = frame_id;
    t->activated = true;
    if (t->state == TrackState::Tracked) {
      ++t->tracklet_len;
      activated.push_back(t);
    } else {
      t->tracklet_len = 0;
      t->state = TrackState::Tracked;
      refound.push_back(t);
    }
  };

  // First association: confirmed and lost tracks, predicted, against high-score detections.
  TrackList pool = detail::joint(confirmed, lost);
  for (const auto& t : pool) {
    if (t->state != TrackState::Tracked) { // no size velocity while not seen
      t->mean[7] = 0;
      if (kalman.model() == MotionModel::XYWH) t->mean[6] = 0;
    }
    kalman.predict(t->mean, t->covariance);
  }
  if (warp != nullptr) { // camera motion, after prediction (BoT-SORT)
    for (const TrackList* list : {&pool, &unconfirmed})
      for (const auto& t : *list) detail::apply_warp(warp, t->mean, t->covariance);
  }
  const detail::Matching first = associate(pool, high, options.match_thresh, options.fuse_score);
  for (const auto& [i, j] : first.pairs) apply(pool[i], high[j]);

  // Second association: tracks still unmatched (only those tracked last frame) against low-score detections.
  TrackList remaining;
  for (int64_t i : first.unmatched_rows)
    if (pool[i]->state == TrackState::Tracked) remaining.push_back(pool[i]);
  const detail::Matching second = associate(remaining, low, options.second_match_thresh, false);
  for (const auto& [i, j] : second.pairs) apply(remaining[i], low[j]);
  for (int64_t i : second.unmatched_rows) {
    const TrackPtr& t = remaining[i];
    if (t->state != TrackState::Lost) {
      t->state = TrackState::Lost;
      newly_lost.push_back(t);
    }
  }

  // Tracks seen in one frame only get one chance, with the high detections left over.
  TrackList left;
  for (int64_t j : first.unmatched_cols) left.push_back(high[j]);
  const detail::Matching third = associate(unconfirmed, left, options.unconfirmed_match_thresh, options.fuse_score);
  for (const auto& [i, j] : third.pairs) apply(unconfirmed[i], left[j]);
  for (int64_t i : third.unmatched_rows) {
    unconfirmed[i]->state = TrackState::Removed;
    newly_removed.push_back(unconfirmed[i]);
  }

  // New tracks from confident leftovers; confirmed at once only in the first frame.
  for (int64_t j : third.unmatched_cols) {
    const TrackPtr& d = left[j];
    if (d->score < options.new_track_thresh) continue;
    d->id = ++next_id;
    kalman.initiate(d->measurement(), d->mean, d->covariance);
    d->has_state = true;
    d->tracklet_len = 0;
    d->state = TrackState::Tracked;
    d->activated = frame_id == 1;
    d->frame_id = d->start_frame = frame_id;
    activated.push_back(d);
  }

  for (const auto& t : lost) {
    if (frame_id - t->frame_id > max_time_lost()) {
      t->state = TrackState::Removed;
      newly_removed.push_back(t);
    }
  }

  TrackList still;
  for (const auto& t : tracked)
    if (t->state == TrackState::Tracked) still.push_back(t);
  tracked = detail::joint(detail::joint(still, activated), refound);
  lost = detail::sub(lost, tracked);
  lost.insert(lost.end(), newly_lost.begin(), newly_lost.end());
  // Removed before this frame only: a track removed now stays in `lost` one more frame (as in ByteTrack).
  TrackList removed_before;
  for (const auto& t : lost)
    if (removed_ids.count(t->id)) removed_before.push_back(t);
  lost = detail::sub(lost, removed_before);
  for (const auto& t : newly_removed) removed_ids.insert(t->id);
  remove_duplicates();

  TrackerOutput out;
  int64_t m = 0;
  for (const auto& t : tracked) m += t->activated ? 1 : 0;
  out.boxes = at::empty({m, 4}, at::kDouble);
  out.scores = at::empty({m}, at::kDouble);
  out.ids = at::empty({m}, at::kLong);
  out.classes = at::empty({m}, at::kLong);
  out.det_index = at::empty({m}, at::kLong);
  double* boxes = out.boxes.mutable_data_ptr<double>();
  double* scores = out.scores.mutable_data_ptr<double>();
  int64_t* ids = out.ids.mutable_data_ptr<int64_t>();
  int64_t* classes = out.classes.mutable_data_ptr<int64_t>();
  int64_t* rows = out.det_index.mutable_data_ptr<int64_t>();
  int64_t k = 0;
  for (const auto& t : tracked) {
    if (!t->activated) continue;
    const detail::TrackBox b = t->box();
    boxes[4 * k] = b.x1, boxes[4 * k + 1] = b.y1, boxes[4 * k + 2] = b.x2, boxes[4 * k + 3] = b.y2;
    ids[k] = t->id, scores[k] = t->score, classes[k] = t->cls, rows[k] = t->det_index;
    ++k;
    if (!t->reported) out.started.push_back(t->id);
    t->reported = true;
  }
  const std::unordered_set<int64_t> after = live_reported_ids(tracked, lost);
  for (int64_t id : before)
    if (!after.count(id)) out.ended.push_back(id);
  std::sort(out.ended.begin(), out.ended.end());
  return out;
}

} // namespace trackkit
