#pragma once
// One track (or a detection that may become one), with ByteTrack's STrack semantics.
#include <cstdint>
#include <memory>
#include <vector>

#include "tracker/association.hpp"
#include "tracker/kalman_filter.hpp"

namespace trackkit::detail {

enum class TrackState { New, Tracked, Lost, Removed };

struct Track {
  int64_t id = 0; // 0 until activated
  Vec8 mean = Vec8::Zero();
  Mat8 covariance = Mat8::Zero();
  bool has_state = false;
  double detection_tlwh[4] = {0, 0, 0, 0}; // the box it was created from
  double score = 0;
  int64_t cls = 0;
  int64_t det_index = -1;
  TrackState state = TrackState::New;
  bool activated = false;
  bool reported = false; // has been output
  int64_t frame_id = 0, start_frame = 0, tracklet_len = 0;
  MotionModel model = MotionModel::XYAH;

  /// Detection row (x1,y1,x2,y2) -> not yet a track.
  Track(double x1, double y1, double x2, double y2, double score_, int64_t cls_, int64_t row, MotionModel model_);

  void tlwh(double out[4]) const;
  TrackBox box() const; // x1,y1,x2,y2 as ByteTrack's tlbr (tlwh with w, h added)
  /// The box in the Kalman filter's measurement form: (cx, cy, w/h, h) or (cx, cy, w, h).
  Vec4 measurement() const;
};

using TrackPtr = std::shared_ptr<Track>;
using TrackList = std::vector<TrackPtr>;

/// a, then b's tracks whose ids are not in a.
TrackList joint(const TrackList& a, const TrackList& b);
/// a without the tracks whose ids are in b.
TrackList sub(const TrackList& a, const TrackList& b);
std::vector<TrackBox> boxes_of(const TrackList& tracks);

} // namespace trackkit::detail
