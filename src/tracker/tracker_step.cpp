// One frame of ByteTrack: predict, associate high then low score detections, confirm or drop new tracks,
// start tracks, age lost ones. The list bookkeeping follows ByteTrack's BYTETracker.update step by step
// (same orders, same quirks) so that the tracks are the same.
#include <ATen/ATen.h>

#include <algorithm>

#include "tracker_impl.hpp"

namespace trackkit {

using detail::TrackList;
using detail::TrackPtr;
using detail::TrackState;

namespace {

/// The tracks that have been output and are still alive, each once.
TrackList live_reported(const TrackList& a, const TrackList& b) {
  TrackList live;
  for (const TrackList* list : {&a, &b})
    for (const auto& t : *list)
      if (t->reported && t->state != TrackState::Removed) live.push_back(t);
  return detail::sub(live, {});
}

} // namespace

void Tracker::Impl::predict(const TrackList& pool, const TrackList& unconfirmed) const {
  // Tracks not seen last frame have no size velocity; the pool is predicted, then everything is warped.
  const size_t n_pool = pool.size(), n = n_pool + (cues.warp ? unconfirmed.size() : 0);
  detail::Means means(8, static_cast<Eigen::Index>(n));
  detail::Covariances covariances(n);
  for (size_t i = 0; i < n; ++i) {
    const TrackPtr& t = i < n_pool ? pool[i] : unconfirmed[i - n_pool];
    means.col(i) = t->mean;
    covariances[i] = t->covariance;
    if (i < n_pool && t->state != TrackState::Tracked) {
      means(7, i) = 0;
      if (kalman.model() == MotionModel::XYWH) means(6, i) = 0;
    }
  }
  detail::Means pool_means = means.leftCols(n_pool);
  detail::Covariances pool_covariances(covariances.begin(), covariances.begin() + n_pool);
  kalman.predict(pool_means, pool_covariances);
  means.leftCols(n_pool) = pool_means;
  std::copy(pool_covariances.begin(), pool_covariances.end(), covariances.begin());
  if (cues.warp) detail::apply_warp(cues.warp, options.warp_sizes_by_abs, means, covariances);
  for (size_t i = 0; i < n; ++i) {
    const TrackPtr& t = i < n_pool ? pool[i] : unconfirmed[i - n_pool];
    t->mean = means.col(i);
    t->covariance = covariances[i];
  }
}

TrackerOutput Tracker::Impl::step(const TrackList& detections_all) {
  ++frame_id;
  const TrackList before = live_reported(tracked, lost);
  TrackList activated, refound, newly_lost;

  // Scores meet thresholds in the detections' own precision: float32 scores against float32 thresholds, as
  // numpy compares a float32 array with a Python float (the references' behaviour).
  const auto limit = [&](double t) { return cues.float32_scores ? static_cast<double>(static_cast<float>(t)) : t; };
  const double high_limit = limit(options.track_thresh), low_limit = limit(options.low_thresh);
  const double new_limit = limit(options.new_track_thresh);
  TrackList high, low;
  for (const auto& d : detections_all) {
    if (!(d->detection_tlwh[2] > 0 && d->detection_tlwh[3] > 0)) continue; // no aspect ratio: ignored
    if (d->score > high_limit || (options.high_score_inclusive && d->score == high_limit)) {
      high.push_back(d);
    } else if (d->score > low_limit && d->score < high_limit) {
      low.push_back(d);
    }
  }
  TrackList unconfirmed, confirmed;
  for (const auto& t : tracked) (t->activated ? confirmed : unconfirmed).push_back(t);

  // A stage's matches: every matched state corrected at once, then each track takes its detection.
  auto apply = [&](const TrackList& tracks, const TrackList& dets, const detail::Matching& m) {
    const auto k = static_cast<Eigen::Index>(m.pairs.size());
    detail::Means means(8, k);
    detail::Covariances covariances(k);
    Eigen::Matrix<double, 4, Eigen::Dynamic> z(4, k);
    for (Eigen::Index p = 0; p < k; ++p) {
      const auto& [i, j] = m.pairs[p];
      means.col(p) = tracks[i]->mean, covariances[p] = tracks[i]->covariance, z.col(p) = dets[j]->measurement();
    }
    kalman.update(means, covariances, z);
    for (Eigen::Index p = 0; p < k; ++p) {
      const TrackPtr& t = tracks[m.pairs[p].first];
      const TrackPtr& d = dets[m.pairs[p].second];
      t->mean = means.col(p), t->covariance = covariances[p];
      t->score = d->score;
      t->cls = d->cls;
      t->det_index = d->det_index;
      t->frame_id = frame_id;
      t->activated = true;
      t->absorb_cues(*d, options.feature_momentum);
      if (t->state == TrackState::Tracked) {
        ++t->tracklet_len;
        activated.push_back(t);
      } else {
        t->tracklet_len = 0;
        t->state = TrackState::Tracked;
        refound.push_back(t);
      }
    }
  };

  // First association: confirmed and lost tracks, predicted (and warped), against high-score detections.
  const TrackList pool = detail::joint(confirmed, lost);
  predict(pool, unconfirmed);
  const detail::Matching first = associate(pool, high, options.match_thresh, options.fuse_score, true);
  apply(pool, high, first);

  // Second association: tracks still unmatched (only those tracked last frame) against low-score detections.
  TrackList remaining;
  for (int64_t i : first.unmatched_rows)
    if (pool[i]->state == TrackState::Tracked) remaining.push_back(pool[i]);
  const detail::Matching second = associate(remaining, low, options.second_match_thresh, false, false);
  apply(remaining, low, second);
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
  const detail::Matching third =
      associate(unconfirmed, left, options.unconfirmed_match_thresh, options.fuse_score, true);
  apply(unconfirmed, left, third);
  for (int64_t i : third.unmatched_rows) {
    unconfirmed[i]->state = TrackState::Removed;
    if (unconfirmed[i]->removed_at < 0) unconfirmed[i]->removed_at = frame_id;
  }

  // New tracks from confident leftovers; confirmed at once only in the first frame.
  for (int64_t j : third.unmatched_cols) {
    const TrackPtr& d = left[j];
    if (d->score < new_limit) continue;
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
      if (t->removed_at < 0) t->removed_at = frame_id;
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
    if (t->removed_at >= 0 && t->removed_at < frame_id) removed_before.push_back(t);
  lost = detail::sub(lost, removed_before);
  remove_duplicates();

  return output(before);
}

TrackerOutput Tracker::Impl::output(const TrackList& before) {
  TrackList shown;
  for (const auto& t : tracked)
    if (t->activated) shown.push_back(t);
  if (options.output_lost) {
    for (const auto& t : lost)
      if (t->state == TrackState::Lost && t->reported) shown.push_back(t);
  }
  const auto m = static_cast<int64_t>(shown.size());
  TrackerOutput out;
  out.boxes = at::empty({m, 4}, at::kDouble);
  out.scores = at::empty({m}, at::kDouble);
  out.ids = at::empty({m}, at::kLong);
  out.classes = at::empty({m}, at::kLong);
  out.det_index = at::empty({m}, at::kLong);
  out.states = at::empty({m}, at::kLong);
  double* boxes = out.boxes.mutable_data_ptr<double>();
  double* scores = out.scores.mutable_data_ptr<double>();
  int64_t* ids = out.ids.mutable_data_ptr<int64_t>();
  int64_t* classes = out.classes.mutable_data_ptr<int64_t>();
  int64_t* rows = out.det_index.mutable_data_ptr<int64_t>();
  int64_t* states = out.states.mutable_data_ptr<int64_t>();
  for (int64_t k = 0; k < m; ++k) {
    const TrackPtr& t = shown[k];
    const detail::TrackBox b = t->box();
    const bool live = t->state == TrackState::Tracked;
    boxes[4 * k] = b.x1, boxes[4 * k + 1] = b.y1, boxes[4 * k + 2] = b.x2, boxes[4 * k + 3] = b.y2;
    ids[k] = t->id, scores[k] = t->score, classes[k] = t->cls, rows[k] = live ? t->det_index : -1;
    states[k] = static_cast<int64_t>(live ? TrackStatus::Tracked : TrackStatus::Lost);
    if (!t->reported) out.started.push_back(t->id);
    t->reported = true;
  }
  const uint64_t alive = detail::next_epoch();
  for (const auto& t : live_reported(tracked, lost)) t->mark = alive;
  for (const auto& t : before)
    if (t->mark != alive) out.ended.push_back(t->id);
  std::sort(out.ended.begin(), out.ended.end());
  return out;
}

} // namespace trackkit
