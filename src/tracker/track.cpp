#include "track.hpp"

#include <atomic>
#include <cmath>

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

void Track::absorb_cues(const Track& d, double momentum) {
  if (!d.feature.empty()) {
    if (feature.empty()) {
      feature = d.feature;
    } else {
      double norm = 0;
      std::vector<double> mixed(feature.size());
      for (size_t k = 0; k < feature.size(); ++k) {
        mixed[k] = momentum * feature[k] + (1 - momentum) * d.feature[k];
        norm += mixed[k] * mixed[k];
      }
      norm = std::sqrt(norm);
      if (!(norm > 0)) { // exactly opposite features at momentum 0.5: keep the newest
        feature = d.feature;
        return absorb_mask(d);
      }
      for (size_t k = 0; k < feature.size(); ++k) feature[k] = static_cast<float>(mixed[k] / norm);
    }
  }
  absorb_mask(d);
}

void Track::absorb_mask(const Track& d) {
  if (!d.mask) return;
  mask = d.mask;
  mask_cx = d.mask_cx, mask_cy = d.mask_cy;
}

uint64_t next_epoch() {
  static std::atomic<uint64_t> epoch{0};
  return ++epoch;
}

TrackList joint(const TrackList& a, const TrackList& b) {
  const uint64_t seen = next_epoch();
  TrackList out;
  out.reserve(a.size() + b.size());
  for (const auto& t : a) {
    t->mark = seen;
    out.push_back(t);
  }
  for (const auto& t : b)
    if (t->mark != seen) t->mark = seen, out.push_back(t);
  return out;
}

TrackList sub(const TrackList& a, const TrackList& b) {
  const uint64_t drop = next_epoch();
  for (const auto& t : b) t->mark = drop;
  const uint64_t kept = next_epoch(); // like ByteTrack's dict: one entry per id, first position
  TrackList out;
  for (const auto& t : a)
    if (t->mark != drop && t->mark != kept) t->mark = kept, out.push_back(t);
  return out;
}

std::vector<TrackBox> boxes_of(const TrackList& tracks) {
  std::vector<TrackBox> boxes;
  boxes.reserve(tracks.size());
  for (const auto& t : tracks) boxes.push_back(t->box());
  return boxes;
}

} // namespace trackkit::detail
