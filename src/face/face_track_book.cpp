#include "face_track_book.hpp"

#include <algorithm>

#include "ops/box_iou_formula.hpp"

namespace trackkit::detail {
namespace {

float iou(const std::array<float, 4>& a, const std::array<float, 4>& b) {
  return pair_iou(a.data(), clamped_area(a[0], a[1], a[2], a[3]), b.data(), clamped_area(b[0], b[1], b[2], b[3]));
}

/// Whether the tracker could have started a track from this face: a high detection (first association) scoring
/// at least new_track_thresh, compared in float32 as the tracker compares float32 scores.
bool can_start(const BookFace& face, const TrackerOptions& o) {
  const float score = face.record.score, high = static_cast<float>(o.track_thresh);
  return score >= static_cast<float>(o.new_track_thresh) && (score > high || (o.high_score_inclusive && score == high));
}

} // namespace

void TrackBook::add(BookTrack& track, const BookFace& face) const {
  const int64_t frame = face.record.frame;
  track.first_frame = track.first_frame < 0 ? frame : std::min(track.first_frame, frame);
  track.last_frame = std::max(track.last_frame, frame);
  ++track.faces_seen;
  if (!face.embedding.defined() || face.record.quality < min_quality_) return;
  // Insert after every face of higher or equal quality: best first, ties in the order the faces came.
  const auto at = std::find_if(track.best.begin(), track.best.end(),
                               [&](const BookFace& kept) { return kept.record.quality < face.record.quality; });
  if (at - track.best.begin() >= best_faces_) return;
  track.best.insert(at, face);
  if (static_cast<int64_t>(track.best.size()) > best_faces_) track.best.pop_back();
}

void TrackBook::frame(const std::vector<BookFace>& faces, const TrackerOutput& out, bool first_tracker_frame,
                      const TrackerOptions& tracker) {
  std::vector<bool> taken(faces.size(), false);
  const int64_t rows = out.ids.size(0);
  const int64_t* ids = out.ids.const_data_ptr<int64_t>();
  const int64_t* det = out.det_index.const_data_ptr<int64_t>();
  for (int64_t k = 0; k < rows; ++k) {
    if (det[k] < 0) continue; // a lost track (options.output_lost): no face in this frame
    BookTrack& track = tracked_[ids[k]];
    track.id = ids[k];
    add(track, faces[det[k]]);
    taken[det[k]] = true;
  }
  std::vector<bool> claimed(waiting_.size(), false);
  if (!first_tracker_frame) {
    for (int64_t id : out.started) {
      const int64_t k = std::find(ids, ids + rows, id) - ids;
      if (k == rows || det[k] < 0) continue;
      const std::array<float, 4>& now = faces[det[k]].record.box;
      int64_t best = -1;
      float best_iou = 0;
      for (size_t w = 0; w < waiting_.size(); ++w) {
        if (claimed[w] || !can_start(waiting_[w], tracker)) continue;
        const float overlap = iou(waiting_[w].record.box, now);
        if (overlap > best_iou) best = static_cast<int64_t>(w), best_iou = overlap;
      }
      if (best < 0) continue;
      claimed[best] = true;
      add(tracked_[id], waiting_[best]);
    }
  }
  for (size_t w = 0; w < waiting_.size(); ++w)
    if (!claimed[w]) add_alone(waiting_[w]);
  waiting_.clear();
  for (size_t i = 0; i < faces.size(); ++i)
    if (!taken[i]) waiting_.push_back(faces[i]);
}

void TrackBook::add_alone(const BookFace& face) {
  alone_.emplace_back();
  add(alone_.back(), face);
}

void TrackBook::flush() {
  for (const BookFace& face : waiting_) add_alone(face);
  waiting_.clear();
}

std::vector<BookFace*> TrackBook::awaiting_crops() {
  std::vector<BookFace*> out;
  auto collect = [&](std::vector<BookFace>& faces) {
    for (BookFace& f : faces)
      if (f.row >= 0 && !f.crop.defined()) out.push_back(&f);
  };
  for (auto& [id, track] : tracked_) collect(track.best);
  for (BookTrack& track : alone_) collect(track.best);
  // Waiting faces may still join a track in a later batch, when this batch's frames are gone.
  for (BookFace& f : waiting_)
    if (f.row >= 0 && !f.crop.defined() && f.embedding.defined() && f.record.quality >= min_quality_) out.push_back(&f);
  return out;
}

std::vector<BookTrack> TrackBook::take() {
  std::vector<BookTrack> out;
  out.reserve(tracked_.size() + alone_.size());
  int64_t next_id = 1;
  for (auto& [id, track] : tracked_) {
    next_id = std::max(next_id, id + 1);
    out.push_back(std::move(track));
  }
  for (BookTrack& track : alone_) {
    track.id = next_id++;
    out.push_back(std::move(track));
  }
  tracked_.clear(), alone_.clear(), waiting_.clear();
  return out;
}

} // namespace trackkit::detail
