#pragma once
// One track (or a detection that may become one), with ByteTrack's STrack semantics.
#include <cstdint>
#include <memory>
#include <vector>

#include "association.hpp"
#include "kalman_filter.hpp"
#include "mask_cue.hpp"

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
  int64_t removed_at = -1; // the frame it was first removed in (ByteTrack's removed_stracks keeps it forever)
  uint64_t mark = 0;       // list operations' scratch: the epoch (next_epoch()) that last saw it
  MotionModel model = MotionModel::XYAH;
  /// Appearance, L2-normalised: a detection's own feature, a track's EMA of its matches' features. Empty: none.
  std::vector<float> feature;
  /// Instance mask (a detection's, or a track's last matched one) and the box centre it was seen at.
  MaskPtr mask;
  double mask_cx = 0, mask_cy = 0;

  /// Detection row (x1,y1,x2,y2) -> not yet a track.
  Track(double x1, double y1, double x2, double y2, double score_, int64_t cls_, int64_t row, MotionModel model_);

  void tlwh(double out[4]) const;
  TrackBox box() const; // x1,y1,x2,y2 as ByteTrack's tlbr (tlwh with w, h added)
  /// The box in the Kalman filter's measurement form: (cx, cy, w/h, h) or (cx, cy, w, h).
  Vec4 measurement() const;
  /// Takes a matched detection's feature into the EMA (momentum m) and its mask as the latest.
  void absorb_cues(const Track& detection, double momentum);

 private:
  void absorb_mask(const Track& detection);
};

using TrackPtr = std::shared_ptr<Track>;
using TrackList = std::vector<TrackPtr>;

/// A number no list operation has used yet (process-wide), for Track::mark.
uint64_t next_epoch();
/// a, then b's tracks whose ids are not in a. (An id belongs to one Track object, so the list operations
/// compare objects through their marks instead of hashing ids.)
TrackList joint(const TrackList& a, const TrackList& b);
/// a without the tracks whose ids are in b.
TrackList sub(const TrackList& a, const TrackList& b);
std::vector<TrackBox> boxes_of(const TrackList& tracks);

} // namespace trackkit::detail
