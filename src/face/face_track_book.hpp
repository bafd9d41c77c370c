#pragma once
// FaceClusterer's record of one input's tracks: which faces joined which tracker track, the best faces of each,
// and the faces the tracker has not (yet) put in a track, so that every face found ends in some track.
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <map>
#include <vector>

#include "trackkit/face_cluster.hpp"
#include "trackkit/tracker.hpp"

namespace trackkit::detail {

/// A face as the book holds it, on the CPU.
struct BookFace {
  FaceRecord record;
  at::Tensor embedding; ///< float32 [D]; undefined when the face was not embedded (too small)
  at::Tensor crop;      ///< uint8 [112,112,3] BGR; undefined until its batch's crops are made
  int64_t row = -1;     ///< its row in the current add_frames batch while its crop is still to be made
};

struct BookTrack {
  int64_t id = 0;
  int64_t first_frame = -1, last_frame = -1;
  int64_t faces_seen = 0;
  std::vector<BookFace> best; ///< highest quality first; equal qualities in frame order
};

class TrackBook {
 public:
  /// best_faces > 0 faces kept per track, each with quality >= min_quality and an embedding.
  TrackBook(int64_t best_faces, double min_quality) : best_faces_(best_faces), min_quality_(min_quality) {}

  /// One frame's faces (in detection row order) after the tracker's update on them. Faces matched to an output
  /// track join it. A track output for the first time (`started`) in any but the tracker's first frame was created,
  /// unconfirmed, from a face of the previous frame that the tracker did not output then: of that frame's leftover
  /// faces able to start a track (score >= new_track_score and high), the one overlapping the track's face of this
  /// frame most joins it too (the unconfirmed track matched by IoU or, overlapping, by appearance). Leftovers of the
  /// previous frame not claimed so become tracks of one face; this frame's leftovers wait for the next frame.
  void frame(const std::vector<BookFace>& faces, const TrackerOutput& out, bool first_tracker_frame,
             const TrackerOptions& tracker);
  /// A face of its own track (faces not linked across frames).
  void add_alone(const BookFace& face);
  /// Leftover faces of the last frame become tracks of one face (end of an input).
  void flush();
  /// The faces held (kept among a track's best, or waiting) whose crop is still to be made from the current
  /// batch; valid until the book changes.
  std::vector<BookFace*> awaiting_crops();
  /// Every track: tracker tracks by id, then one-face tracks, numbered after the largest tracker id in order of
  /// their frames. Empties the book.
  std::vector<BookTrack> take();

 private:
  void add(BookTrack& track, const BookFace& face) const;

  int64_t best_faces_;
  double min_quality_;
  std::map<int64_t, BookTrack> tracked_; ///< by tracker id
  std::vector<BookTrack> alone_;         ///< one face each, id assigned by take()
  std::vector<BookFace> waiting_;        ///< the previous frame's faces no output track took
};

} // namespace trackkit::detail
