#pragma once
// Faces end to end: frames in order -> batched face detection -> faces linked across frames by the Tracker ->
// a quality score per face and the best faces per track -> aligned crops and batched embeddings -> tracks
// clustered into identities. examples/face_cluster is its command line; docs/face_cluster.md.
#include <ATen/core/Tensor.h>

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "trackkit/cluster.hpp"
#include "trackkit/embedder.hpp"
#include "trackkit/export.hpp"
#include "trackkit/face_detector.hpp"
#include "trackkit/tracker.hpp"

namespace trackkit {

/// How a face's quality in [0,1] is scored: the product of four terms, each in [0,1].
/// - size: min(1, short box side / full_size_px), 0 below min_size_px;
/// - detector score (as returned by the FaceDetector);
/// - sharpness: s / (s + sharpness_half), s the variance of the Laplacian of the aligned grey crop (0..255 units);
/// - frontal pose from the landmarks: 1 for a face looking at the camera, falling to 0 in profile (face_frontality).
struct FaceQualityOptions {
  double min_size_px = 16;      ///< faces whose box is narrower or lower than this score 0 (and are not embedded)
  double full_size_px = 80;     ///< box short side at which the size term reaches 1
  double sharpness_half = 100;  ///< Laplacian variance at which the sharpness term is 0.5
  int64_t sharpness_crop = 112; ///< side of the aligned grey crop the sharpness is measured on
  bool input_bgr = true;        ///< frames are BGR (OpenCV's order); false: RGB (the grey weights need to know)
};

/// Frontal-pose term from landmarks float [N,5,2] (left eye, right eye, nose, mouth left, mouth right) -> float32
/// [N] in [0,1] on the landmarks' device: 1 when the nose lies midway between the eyes and the mouth corners,
/// falling linearly to 0 as it reaches either side (yaw), times the same for its height between the eye line and
/// the mouth line (pitch). Measured in the face's own axes, so a tilted (rolled) head scores as an upright one:
/// across = the nose's projection onto the segment from the left side (mean of left eye and left mouth corner) to
/// the right side, as a fraction t of it; down = likewise from the eyes' midpoint to the mouth corners' midpoint;
/// each term is max(0, 1 - |2t - 1|). ArcFace's 5-point template scores 0.990 (its nose sits at 0.495 of the way
/// down). Throws Error naming `landmarks` for a wrong shape or non-finite values.
TRACKKIT_API at::Tensor face_frontality(const at::Tensor& landmarks);

/// Sharpness of aligned faces: frames uint8 [B,H,W,3], landmarks float [N,5,2], frame_index int64 [N] -> float32
/// [N], the variance of the 3x3 Laplacian (0 1 0 / 1 -4 1 / 0 1 0, inner pixels) of each face's grey aligned crop
/// of side options.sharpness_crop, in 0..255 units (OpenCV's cv2.Laplacian(grey, CV_64F).var() on the crop's
/// inner pixels). The crop is crop_aligned's (ArcFace template, uint8 levels), grey = 0.114 B + 0.587 G + 0.299 R
/// kept in float (cv2.cvtColor would round it). Batched on the frames' device. Throws Error naming the argument
/// (frames, landmarks, frame_index: shape, dtype, NaN, an index outside [0,B)) or the option.
TRACKKIT_API at::Tensor face_sharpness(const at::Tensor& frames, const at::Tensor& landmarks,
                                       const at::Tensor& frame_index, const FaceQualityOptions& options = {});

/// Quality in [0,1] from boxes float [N,5] (x1,y1,x2,y2,score), landmarks [N,5,2] and sharpness [N] (face_sharpness)
/// -> float32 [N]: the product of the terms above, on the boxes' device (all three on one device). Throws Error
/// naming the argument for wrong shapes, NaN or infinity, a negative sharpness, or the option.
TRACKKIT_API at::Tensor face_quality(const at::Tensor& boxes, const at::Tensor& landmarks, const at::Tensor& sharpness,
                                     const FaceQualityOptions& options = {});

struct TRACKKIT_API FaceClusterOptions {
  /// Its device ("auto": the first GPU if any) and precision are used for the embedder too, and its input_bgr (the
  /// frames' colour order) by every stage: embedder crops, sharpness, contact-sheet crops.
  FaceDetectorOptions detector;
  EmbedderOptions embedder; ///< its device, precision and crop.input_bgr are overridden by the detector's
  /// How faces are linked across the frames of one input: the tracker, given each face's embedding as its
  /// appearance cue (zero rows for faces too small to embed). Default: face_tracker_options(). Its frame_rate is
  /// replaced by each input's fps (begin_input), so the lost-track buffer keeps its length in seconds.
  TrackerOptions tracker;
  /// Link faces across frames (videos). false: every face is its own track (a folder of unrelated photos).
  bool link_across_frames = true;
  /// Faces whose box is narrower or lower than quality.min_size_px are tracked but not embedded (quality 0).
  /// quality.input_bgr is taken from detector.input_bgr.
  FaceQualityOptions quality;
  int64_t best_faces = 5;      ///< faces kept per track, highest quality first (> 0)
  double min_quality = 0.05;   ///< faces below this are tracked but neither kept nor embedded into identities
  int64_t min_track_faces = 1; ///< tracks with fewer kept faces are dropped from the identities (1..best_faces)
  /// How tracks (their quality-weighted mean embeddings) merge into identities; default: agglomerative, average
  /// linkage, cosine distance (1 - cos) threshold 0.65 for MobileFaceNet: the middle of the cosine-similarity
  /// thresholds (0.3-0.4) at which ArcFace-trained MobileFaceNet verifies LFW pairs, not tuned to the shared pairs
  /// (docs/face_cluster.md gives the distances measured on them). DBSCAN (Density) labels its noise tracks as
  /// identities of their own.
  ClusterOptions cluster;
  FaceClusterOptions();
};

/// Tracker settings for faces: TrackerOptions::botsort(frame_rate) (XYWH Kalman state, appearance cue gated at
/// IoU >= 0.5 and half cosine distance <= 0.25) with plain IoU (no "+1"), track_thresh 0.5 and new_track_thresh
/// 0.6 (face detectors keep faces above 0.3 (yolov5-face) or 0.5 (RetinaFace); a turning head scores lower), and
/// lost faces kept 2 s (track_buffer 60 at 30 fps: int(frame_rate / 30 * 60) frames).
TRACKKIT_API TrackerOptions face_tracker_options(double frame_rate = 30);

/// One face as found in a frame.
struct FaceRecord {
  int64_t frame = 0;                 ///< frame index within its input, from 0
  double time = 0;                   ///< seconds: frame / fps of the input
  std::array<float, 4> box{};        ///< x1,y1,x2,y2, frame pixels
  std::array<float, 10> landmarks{}; ///< x0,y0..x4,y4 in crop_aligned's order, frame pixels
  float score = 0;                   ///< detector score
  float quality = 0;                 ///< face_quality
};

/// One person's face through consecutive frames.
///
/// Every face found is in exactly one track (before tracks without kept faces are dropped):
/// - a face the tracker outputs joins that track (det_index);
/// - a track the tracker outputs for the first time after its first frame was started, unconfirmed, by a face of
///   the previous frame that it did not output then (ByteTrack confirms a new track on its second frame, except in
///   the first frame): of that frame's faces left over that could start a track (score >= new_track_thresh), the
///   one overlapping the track's new face most joins it, so the track begins with its first face;
/// - a face the tracker never puts in an output track (a face seen in one frame only, a score too low to start a
///   track, a box of zero size) becomes a track of its own, with an id after the tracker's largest;
/// - with link_across_frames false, every face is a track of its own, ids from 1 in frame order.
struct FaceTrack {
  int64_t id = 0; ///< tracker id, from 1 within its input (one-face tracks: see above)
  int64_t first_frame = 0, last_frame = 0;
  int64_t faces_seen = 0;       ///< faces linked into this track (kept or not)
  std::vector<FaceRecord> best; ///< up to best_faces, highest quality first
  at::Tensor best_crops;        ///< uint8 [K,112,112,3] BGR aligned crops of `best`, CPU
  at::Tensor embedding;         ///< float32 [D] L2-normalised quality-weighted mean of the best faces, CPU
  at::Tensor best_embeddings;   ///< float32 [K,D] L2-normalised embeddings of `best`, CPU
};

struct FaceIdentity {
  int64_t id = 0;                   ///< from 0 within its input, in order of first appearance
  std::vector<int64_t> tracks;      ///< indices into FaceClusterResult::tracks
  int64_t representative_track = 0; ///< index into tracks of the best face's track
  FaceRecord representative;        ///< the highest-quality face among the identity's tracks
};

struct FaceClusterResult {
  std::string input; ///< the name given to begin_input
  int64_t frames = 0;
  double fps = 0;
  std::vector<FaceTrack> tracks; ///< tracks with at least min_track_faces kept faces, by first frame, then id
  std::vector<FaceIdentity> identities;
};

/// Runs the pipeline over inputs one at a time: begin_input, add_frames in frame order (any batch sizes),
/// finish_input. Per add_frames call: one FaceDetector::detect over the batch, one Embedder::embed_aligned and one
/// face_sharpness call for all its faces at least quality.min_size_px wide and high, the tracker frame by frame
/// (CPU), and one crop_aligned call for the faces that became some track's best. Not thread-safe.
class TRACKKIT_API FaceClusterer {
 public:
  /// Throws Error naming the path (as FaceDetector and Embedder do) or the option.
  FaceClusterer(const std::string& detector_path, const std::string& embedder_path,
                const FaceClusterOptions& options = {});
  ~FaceClusterer();
  FaceClusterer(FaceClusterer&&) noexcept;
  FaceClusterer& operator=(FaceClusterer&&) noexcept;

  /// Starts an input (a video or an image folder); fps > 0 gives each face's time and the tracker's frame rate.
  /// Ends none: beginning while an input is unfinished is an error (InvalidArgument).
  void begin_input(const std::string& name, double fps = 30);
  /// frames uint8 [B,H,W,3] BGR (any device), the input's next B frames (B may be 0). Frames of different sizes
  /// may come in different calls. Throws Error naming `frames` (the input goes on), or InvalidArgument before
  /// begin_input. An error once the batch's faces are being linked (none is expected) ends the input.
  void add_frames(const at::Tensor& frames);
  /// Ends the input: clusters its tracks into identities and forgets them. Throws InvalidArgument before
  /// begin_input.
  FaceClusterResult finish_input();

  /// Faces detected and faces embedded so far (over every input).
  int64_t faces_detected() const;
  int64_t faces_embedded() const;
  const FaceClusterOptions& options() const;
  FaceDetector& detector();
  Embedder& embedder();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

} // namespace trackkit
