#include "tracker/track.hpp"

#include <unordered_set>

namespace trackkit::detail {

Track::Track(double x1, double y1, double x2, double y2, double score_, int64_t cls_, int64_t row, MotionModel model_)
    : score(score_), cls(cls_), det_index(row), model(model_) {
  detection_tlwh[0] = x1;
  detection_tlwh[1] = y1;
  detection_tlwh[2] = x2 - x1;
  detection_tlwh[3] = y2 - y1;
}

void Track::tlwh(double out[4]) const {
  if (!has_state) {
    for (int k = 0; k < 4; ++k) out[k] = detection_tlwh[k];
    return;
  }
  const double w = model == MotionModel::XYAH ? mean[2] * mean[3] : mean[2], h = mean[3];
  out[0] = mean[0] - w / 2;
  out[1] = mean[1] - h / 2;
  out[2] = w;
  out[3] = h;
}

TrackBox Track::box() const {
  double t[4];
  tlwh(t);
  return {t[0], t[1], t[2] + t[0], t[3] + t[1], cls};
}

Vec4 Track::measurement() const {
  double t[4];
  tlwh(t);
  return Vec4(t[0] + t[2] / 2, t[1] + t[3] / 2, model == MotionModel::XYAH ? t[2] / t[3] : t[2], t[3]);
}

TrackList joint(const TrackList& a, const TrackList& b) {
  std::unordered_set<int64_t> seen;
  TrackList out;
  out.reserve(a.size() + b.size());
  for (const auto& t : a) {
    seen.insert(t->id);
    out.push_back(t);
  }
  for (const auto& t : b)
    if (seen.insert(t->id).second) out.push_back(t);
  return out;
}

TrackList sub(const TrackList& a, const TrackList& b) {
  std::unordered_set<int64_t> drop;
  for (const auto& t : b) drop.insert(t->id);
  std::unordered_set<int64_t> kept; // like ByteTrack's dict: one entry per id, first position
  TrackList out;
  for (const auto& t : a)
    if (!drop.count(t->id) && kept.insert(t->id).second) out.push_back(t);
  return out;
}

std::vector<TrackBox> boxes_of(const TrackList& tracks) {
  std::vector<TrackBox> boxes;
  boxes.reserve(tracks.size());
  for (const auto& t : tracks) boxes.push_back(t->box());
  return boxes;
}

} // namespace trackkit::detail
