#pragma once
// Multi-object tracking by detection: the ByteTrack family (Kalman filter, two-stage association of high and
// low score detections, unconfirmed tracks, lost-track buffer). See docs/tracker.md.
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "trackkit/export.hpp"

namespace trackkit {

/// The Kalman state: ByteTrack's (centre, aspect ratio w/h, height) or BoT-SORT's (centre, width, height).
enum class MotionModel { XYAH, XYWH };

struct TRACKKIT_API TrackerOptions {
  double track_thresh = 0.5;             ///< score > this: first ("high") association
  double low_thresh = 0.1;               ///< low_thresh < score < track_thresh: second association
  double new_track_thresh = 0.6;         ///< an unmatched high detection starts a track if score >= this
  double match_thresh = 0.8;             ///< cost limit of the first association (1 - IoU, fused with score)
  double second_match_thresh = 0.5;      ///< cost limit of the second association (1 - IoU)
  double unconfirmed_match_thresh = 0.7; ///< cost limit for tracks seen in one frame only
  bool fuse_score = true;                ///< first and unconfirmed costs: 1 - IoU * score
  int track_buffer = 30;                 ///< frames a lost track is kept, at 30 fps
  double frame_rate = 30;                ///< the video's; lost tracks live int(frame_rate / 30 * track_buffer) frames
  double duplicate_distance = 0.15;      ///< tracked/lost pairs closer than this (1 - IoU) are duplicates
  bool iou_plus_one = false;             ///< widths and heights + 1 pixel in IoU (ByteTrack's cython_bbox)
  bool high_score_inclusive = false;     ///< score == track_thresh counts as high (ultralytics) rather than neither
  MotionModel motion_model = MotionModel::XYAH; ///< Kalman state (XYWH: BoT-SORT's)

  /// ByteTrack's own defaults (ifzhang/ByteTrack BYTETracker with its argparse defaults).
  static TrackerOptions bytetrack();
  /// ByteTrack's MOT17 evaluation settings (tools/track.py): track 0.6, match 0.9, new tracks >= 0.7.
  static TrackerOptions bytetrack_mot17(double frame_rate = 30);
  /// ultralytics' BYTETracker with its bytetrack.yaml (8.4): high >= 0.25, new tracks >= 0.25, buffer 30 frames
  /// whatever the frame rate, plain IoU.
  static TrackerOptions ultralytics_bytetrack();
  /// The settings of the pipeline trackkit grew from: detections below confidence 0.4 dropped, track_thresh 0.5,
  /// lost tracks kept 90 frames at 30 fps (scaled by the video's frame rate), ByteTrack's other defaults.
  static TrackerOptions original_pipeline(double frame_rate = 30);
};

/// The tracks confirmed and matched in this frame, row i of each tensor describing one track.
struct TrackerOutput {
  at::Tensor boxes;             ///< float64 [M,4] x1,y1,x2,y2 (Kalman state after this frame's update)
  at::Tensor ids;               ///< int64 [M], from 1, unique within this tracker until reset()
  at::Tensor scores;            ///< float64 [M], score of the matched detection
  at::Tensor classes;           ///< int64 [M]
  at::Tensor det_index;         ///< int64 [M], the input row each track was matched to in this frame
  std::vector<int64_t> started; ///< ids output for the first time in this frame
  std::vector<int64_t> ended;   ///< ids of output tracks that were dropped in this frame
};

/// One video stream's tracker. Not thread-safe; use one per stream.
class TRACKKIT_API Tracker {
 public:
  explicit Tracker(const TrackerOptions& options = TrackerOptions());
  ~Tracker();
  Tracker(Tracker&&) noexcept;
  Tracker& operator=(Tracker&&) noexcept;

  /// Advances one frame. detections: CPU float32/float64 [N,5] (x1,y1,x2,y2,score) or [N,6] (+ class id),
  /// rows in any order, N may be 0. Boxes must be finite with x2 >= x1, y2 >= y1; zero-width or zero-height
  /// boxes are ignored (they have no aspect ratio). Association is class-gated.
  TrackerOutput update(const at::Tensor& detections);
  /// The same with camera motion: `warp` is a CPU float32/float64 [2,3] affine map from the previous frame's
  /// pixels to this frame's (a GMC result), applied to every track's state after prediction, before
  /// association (BoT-SORT's multi_gmc).
  TrackerOutput update(const at::Tensor& detections, const at::Tensor& warp);
  /// Forgets every track and restarts ids at 1.
  void reset();
  const TrackerOptions& options() const;
  int64_t frame_count() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Many independent streams (cameras, videos, 360° views) advanced together: one call takes every stream's
/// detections of one frame, with a stream column, and updates the streams in parallel (ATen's thread pool).
/// Each stream has its own state and ids; results equal running one Tracker per stream.
class TRACKKIT_API TrackerBank {
 public:
  TrackerBank(int64_t streams, const TrackerOptions& options = TrackerOptions());
  ~TrackerBank();
  TrackerBank(TrackerBank&&) noexcept;
  TrackerBank& operator=(TrackerBank&&) noexcept;

  /// detections: CPU float32/float64 [N,6] (stream, x1,y1,x2,y2,score) or [N,7] (+ class id). Every stream
  /// advances one frame (a stream without rows sees an empty frame). Returns one output per stream;
  /// det_index there is the row of `detections`.
  std::vector<TrackerOutput> update(const at::Tensor& detections);
  /// Forgets one stream's tracks (its ids restart at 1).
  void reset(int64_t stream);
  int64_t streams() const;

 private:
  std::vector<Tracker> trackers_;
};

} // namespace trackkit
