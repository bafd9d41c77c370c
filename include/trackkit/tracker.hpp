#pragma once
// Multi-object tracking by detection: the ByteTrack / BoT-SORT family (Kalman filter, two-stage association of
// high and low score detections, unconfirmed tracks, lost-track buffer, camera-motion warps, ReID and mask cues).
// See docs/tracker.md.
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <memory>
#include <string>
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
  bool warp_sizes_by_abs = false; ///< camera warp moves sizes by |R| (ultralytics) rather than R (BoT-SORT)

  // Appearance (BoT-SORT's ReID cue), used in the first and unconfirmed associations when update() is given
  // embeddings: for a pair with IoU >= proximity_thresh and half cosine distance (1 - cos) / 2 <=
  // appearance_thresh, the cost is min(IoU cost, half cosine distance).
  double proximity_thresh = 0.5;   ///< minimum IoU for appearance to count
  double appearance_thresh = 0.25; ///< largest half cosine distance that counts
  double feature_momentum = 0.9;   ///< track feature EMA: f <- m f + (1 - m) new, then L2-normalised

  /// Tracks not matched in this frame but kept (lost) are output too, with their predicted boxes, status
  /// TrackStatus::Lost and det_index -1.
  bool output_lost = false;

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
  /// BoT-SORT's own defaults (NirAharon/BoT-SORT tools/track.py): high 0.6, new tracks >= 0.7, XYWH state,
  /// camera warp by R, ReID gate IoU >= 0.5 and half distance <= 0.25, +1 pixel IoU.
  static TrackerOptions botsort(double frame_rate = 30);
  /// ultralytics' BOTSORT with its botsort.yaml (8.4): as ultralytics_bytetrack() plus the XYWH state, sizes
  /// warped by |R|, ReID gate IoU >= 0.5 and similarity >= 0.8 (half distance <= 0.2).
  static TrackerOptions ultralytics_botsort();

  /// Named settings, one of preset_names(): "bytetrack" (bytetrack() at frame_rate), "bytetrack_mot17",
  /// "botsort", "ultralytics_bytetrack", "ultralytics_botsort", "original_pipeline" (the functions above).
  /// Unknown name -> trackkit::Error (InvalidArgument) naming the argument and listing the valid names.
  /// frame_rate: the video's; presets whose lost-track buffer scales with it use it (ultralytics' keep 30 frames,
  /// as ultralytics does). It must be finite and > 0 for every preset.
  static TrackerOptions preset(const std::string& name, double frame_rate = 30);
  /// The names preset() takes, in a fixed order.
  static std::vector<std::string> preset_names();
  /// ultralytics' tracker YAML (botsort.yaml / bytetrack.yaml of ultralytics >= 8.3.125): their keys and meanings
  /// (docs/tracker.md has the mapping). Starts from ultralytics_botsort() or ultralytics_bytetrack() by the
  /// required tracker_type and overrides the keys the file has. gmc_method is checked, not stored (read it with
  /// GmcOptions::from_yaml); with_reid and model are accepted: ReID is on when update() is given embeddings. The
  /// buffer stays track_buffer frames at any frame_rate, as in ultralytics. Throws Error naming the file and the
  /// key: NotFound (missing file, a directory), InvalidArgument (not YAML, unknown key, wrong type or range),
  /// Unsupported (trackkit built without yaml-cpp).
  static TrackerOptions from_yaml(const std::string& path, double frame_rate = 30);
  /// A path ending in .yaml/.yml -> from_yaml, else preset(). What every example's --tracker takes.
  static TrackerOptions from_name_or_file(const std::string& name_or_path, double frame_rate = 30);
};

/// The status of an output track.
enum class TrackStatus : int64_t { Tracked = 1, Lost = 2 };

/// One frame's input. Only `detections` is required; every other tensor is optional (undefined = absent).
struct TrackerInput {
  /// CPU float32/float64 [N,5] (x1,y1,x2,y2,score) or [N,6] (+ class id), pixels, rows in any order, N may be 0.
  at::Tensor detections;
  /// CPU float32/float64 [N,D] appearance features (any scale; L2-normalised inside), D fixed per tracker.
  /// A row of zeros means "no feature" for that detection.
  at::Tensor embeddings;
  /// CPU bool/uint8 [N,Hm,Wm] instance masks on a grid covering the frame (nonzero = inside), enabling the
  /// mask cue: where a track or detection has several candidates under the cost limit, those pairs are
  /// costed by mask IoU (1 - IoU_mask, fused with the score) instead of box IoU. Each track keeps the mask of
  /// its last matched detection and predicts it moved with its box.
  at::Tensor masks;
  /// Mask pixels per frame pixel (e.g. 0.25 for masks at a quarter of the frame's resolution).
  double mask_scale = 1.0;
  /// Optional predicted masks for tracks (e.g. from a video segmenter): bool/uint8 [K,Hm,Wm] with their
  /// track ids int64 [K]; they replace the tracker's own prediction for those tracks.
  at::Tensor track_masks;
  at::Tensor track_mask_ids;
  /// CPU float32/float64 [2,3] affine map from the previous frame's pixels to this frame's (a GMC result),
  /// applied to every track after prediction, before association (BoT-SORT's multi_gmc).
  at::Tensor warp;
};

/// The tracks confirmed and matched in this frame, row i of each tensor describing one track.
struct TrackerOutput {
  at::Tensor boxes;             ///< float64 [M,4] x1,y1,x2,y2 (Kalman state after this frame's update)
  at::Tensor ids;               ///< int64 [M], from 1, unique within this tracker until reset()
  at::Tensor scores;            ///< float64 [M], score of the matched detection
  at::Tensor classes;           ///< int64 [M]
  at::Tensor det_index;         ///< int64 [M], the input row each track was matched to in this frame (-1: lost)
  at::Tensor states;            ///< int64 [M], TrackStatus (Lost only with options.output_lost)
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
  /// The general form: detections with optional embeddings, masks and camera warp. Every tensor is checked
  /// before the tracker changes; a rejected frame does not advance it.
  TrackerOutput update(const TrackerInput& input);
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
  explicit TrackerBank(int64_t streams, const TrackerOptions& options = TrackerOptions());
  ~TrackerBank();
  TrackerBank(TrackerBank&&) noexcept;
  TrackerBank& operator=(TrackerBank&&) noexcept;

  /// detections: CPU float32/float64 [N,6] (stream, x1,y1,x2,y2,score) or [N,7] (+ class id). Every stream
  /// advances one frame (a stream without rows sees an empty frame). Returns one output per stream;
  /// det_index there is the row of `detections`.
  std::vector<TrackerOutput> update(const at::Tensor& detections);
  /// The general form: `input.detections` has the stream column; embeddings and masks have one row per
  /// detection row (split by stream); `input.warp` is [S,2,3], one warp per stream. track_masks are not
  /// taken here (they are per stream: use Tracker). Everything is checked before any stream advances.
  std::vector<TrackerOutput> update(const TrackerInput& input);
  /// Forgets one stream's tracks (its ids restart at 1).
  void reset(int64_t stream);
  int64_t streams() const;

 private:
  std::vector<Tracker> trackers_;
  int64_t feature_dim_ = 0;        // embedding size, fixed by the first frame with embeddings
  std::vector<int64_t> mask_grid_; // mask grid H, W, fixed by the first frame with masks
};

} // namespace trackkit
