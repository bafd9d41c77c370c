#pragma once
// Global motion compensation: the camera's motion between consecutive frames as a warp from the previous
// frame's pixels to the current frame's (docs/gmc.md). Methods: ECC (dense, four motion models), ORB, SIFT,
// sparse optical flow, none. Image content never throws: cuts, blank frames, size changes and failed
// estimates give the identity with a status. Bad arguments (dtype, rank, channels, options) throw Error.
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "trackkit/export.hpp"

namespace trackkit {

enum class GmcMethod { None, Ecc, Orb, Sift, SparseOpticalFlow };
/// ECC's motion model: 2 (translation), 3 (euclidean: rotation + translation), 6 (affine) or 8 (homography)
/// parameters. Homography warps are 3x3, the others 2x3.
enum class EccMotion { Translation, Euclidean, Affine, Homography };

/// Why a warp is what it is. Everything but Ok comes with the identity warp.
enum class GmcStatus : int32_t {
  Ok = 0,
  FirstFrame = 1,   ///< no previous frame yet (apply's first call, or after reset)
  TooFewPoints = 2, ///< fewer corners / keypoints / matches than options.min_points to begin with
  SceneCut = 3,     ///< points there, but few agree on a motion; or ECC correlation low: the frames differ
  Textureless = 4,  ///< a frame is blank or flat (grey-level standard deviation below options.min_contrast)
  SizeChanged = 5,  ///< the frame's size differs from the previous frame's
  Failed = 6,       ///< the estimator failed (no convergence, degenerate or implausible warp, OpenCV error)
};
TRACKKIT_API const char* gmc_status_name(GmcStatus status) noexcept;
/// "none", "ecc", "orb", "sift", "sparse_optical_flow" (also "sparseOptFlow"); throws Error naming `argument`.
TRACKKIT_API GmcMethod parse_gmc_method(const std::string& text, const std::string& argument = "method");
TRACKKIT_API const char* gmc_method_name(GmcMethod method) noexcept;

/// Defaults are measured (docs/gmc.md has the figures behind each one).
struct TRACKKIT_API GmcOptions {
  GmcMethod method = GmcMethod::SparseOpticalFlow;
  EccMotion ecc_motion = EccMotion::Affine;
  /// Frames are reduced to (W / downscale, H / downscale) (integer division, area averaging) before
  /// estimation; warps are scaled back by the exact per-axis ratio W / (W / downscale).
  int downscale = 2;
  bool rgb = false; ///< 3-channel frames are RGB rather than BGR (only the grey conversion differs)

  // ECC (coarse to fine over ecc_levels pyramid levels; the finest level is the downscaled frame)
  int ecc_iterations = 100;         ///< iteration limit at each pyramid level
  double ecc_eps = 1e-4;            ///< stop when the correlation coefficient changes by less than this
  double ecc_blur_sigma = 1.0;      ///< Gaussian pre-blur (processing pixels) before estimation; 0: none
  int ecc_levels = 3;               ///< pyramid levels (1: single level, as OpenCV's findTransformECC)
  double ecc_min_correlation = 0.6; ///< correlation below this after convergence: SceneCut
  /// CPU frames: ECC through the batched implementation that CUDA frames always use (translation,
  /// euclidean, affine; detections are not masked there) instead of OpenCV's findTransformECC.
  bool ecc_batched_on_cpu = false;

  // sparse optical flow and features
  int max_corners = 64;         ///< sparse flow: corners tracked
  int max_keypoints = 600;      ///< ORB, SIFT: keypoints kept per frame
  double corner_quality = 0.01; ///< Shi-Tomasi quality level (fraction of the best corner's score)
  /// Corners are found on this level of the LK pyramid (0: the processing image) and tracked from there at
  /// full processing resolution: each level up quarters the corner search's cost (docs/gmc.md).
  int corner_level = 2;
  double corner_min_distance = 8; ///< processing pixels between corners; below 2 (at the corner level) is 0
  int flow_window = 11;           ///< Lucas-Kanade window side (processing pixels)
  int flow_levels = 3;            ///< Lucas-Kanade pyramid levels above the base
  double ransac_threshold = 1.0;  ///< RANSAC reprojection threshold (processing pixels)
  int min_points = 8;             ///< fewer points than this: TooFewPoints; fewer RANSAC inliers: SceneCut
  double min_inlier_ratio = 0.2;  ///< inliers / points (or inliers < min_points) below this: SceneCut
  double border = 0.02;           ///< fraction of each side kept out of feature detection
  bool mask_detections = true;    ///< boxes given with a frame are kept out of feature detection / ECC

  double min_contrast = 2.0;      ///< grey-level standard deviation under which a frame is Textureless
  double max_scale_change = 0.25; ///< |scale - 1| above this is implausible between frames: Failed

  /// BoT-SORT's/ultralytics' reference settings for a method (for comparison): downscale 2, ECC euclidean
  /// 5000 iterations / eps 1e-6 / single level, 1000 corners at minimum distance 1, LK 21x21 over 3 levels.
  static GmcOptions reference(GmcMethod method);
  /// The pipeline trackkit grew from: ECC euclidean, 500 iterations, eps 1e-4, downscale 4.
  static GmcOptions original_pipeline();
  /// Named settings, one of preset_names(): "original_pipeline", or "reference_<method>" for each method's
  /// reference(): reference_none, reference_ecc, reference_orb, reference_sift, reference_sparse_optical_flow.
  /// Unknown name -> Error (InvalidArgument) naming the argument and listing the valid names.
  static GmcOptions preset(const std::string& name);
  static std::vector<std::string> preset_names();
  /// The GMC of an ultralytics tracker YAML (botsort.yaml): reference(method) with method from its gmc_method key
  /// (sparseOptFlow, orb, sift, ecc, none/None); a file without it (bytetrack.yaml) gives GmcMethod::None, as
  /// ultralytics' BYTETracker compensates nothing. Other keys are ignored. Errors as TrackerOptions::from_yaml's.
  static GmcOptions from_yaml(const std::string& path);
};

/// One warp's quality record.
struct GmcQuality {
  GmcStatus status = GmcStatus::FirstFrame;
  int32_t points = 0;  ///< points tracked / matched (feature methods), pixels compared (ECC)
  int32_t inliers = 0; ///< RANSAC inliers (feature methods)
  double score = 0;    ///< inlier ratio (feature methods) or final correlation coefficient (ECC)
};

struct GmcResult {
  at::Tensor warp; ///< float64 [2,3] ([3,3] for homographies), previous -> current frame, full-resolution pixels
  GmcQuality quality;
};

/// Warps of many frame pairs. Row i maps frame i's pixels (or `previous`'s for i = 0) to frame i+1's.
struct GmcBatchResult {
  at::Tensor warps;   ///< float64 [N,2,3] or [N,3,3], on the frames' device
  at::Tensor status;  ///< int32 [N] GmcStatus values
  at::Tensor points;  ///< int32 [N]
  at::Tensor inliers; ///< int32 [N]
  at::Tensor score;   ///< float64 [N]
};

/// Per-stream global motion estimator. Frames are uint8 [H,W] or [H,W,C] with C = 1 or 3 (BGR unless
/// options.rgb), on the CPU or CUDA. Warps use docs/conventions.md's pixel coordinates (half-pixel centres).
/// CUDA frames: ECC (translation, euclidean, affine) runs batched on the GPU; other methods copy the
/// frames to the host (outputs return to the GPU). Detection masks apply to the CPU methods only. Not thread-safe; one
/// object per stream.
class TRACKKIT_API GMC {
 public:
  explicit GMC(const GmcOptions& options = GmcOptions());
  ~GMC();
  GMC(GMC&&) noexcept;
  GMC& operator=(GMC&&) noexcept;

  /// Warp from the previous frame given to apply() to this one (identity + FirstFrame on the first call).
  /// detections: optional [N,4+] boxes (x1,y1,x2,y2, full-resolution pixels, any float dtype) of this
  /// frame, kept out of feature detection when options.mask_detections.
  GmcResult apply(const at::Tensor& frame, const at::Tensor& detections = at::Tensor());
  /// apply() for the stream's next B frames at once: frames uint8 [B,H,W] or [B,H,W,C] (one size a call).
  /// Returns B warps, row i from frame i-1 to frame i, where frame -1 is the last frame given to apply() or
  /// apply_batch() before; statuses as apply() gives frame by frame (row 0: FirstFrame on the first call or
  /// after reset(), SizeChanged when the size differs from that frame's). apply() and apply_batch() share the
  /// stream: any interleaving gives apply()'s results frame by frame. Pairs run in parallel as in estimate().
  /// detections: optional [N,5+] rows (frame index in `frames`, x1, y1, x2, y2), masked as apply() masks a
  /// frame by its boxes. B = 0: nothing happens, no rows.
  GmcBatchResult apply_batch(const at::Tensor& frames, const at::Tensor& detections = at::Tensor());
  /// Stateless and batched: frames uint8 [B,H,W] or [B,H,W,C] of consecutive frames. Without `previous`,
  /// B-1 warps (frame i -> i+1); with `previous` ([H,W] or [H,W,C], same device), B warps, the first from
  /// `previous` to frames[0]. Pairs run in parallel (ATen's thread pool on the CPU, one batch on CUDA).
  /// detections: optional [N,5] rows (frame index in `frames`, x1, y1, x2, y2); with `previous`, index -1 marks
  /// boxes of `previous` (as apply() masks a frame by the boxes it was given with). Does not touch apply's state.
  GmcBatchResult estimate(const at::Tensor& frames, const at::Tensor& previous = at::Tensor(),
                          const at::Tensor& detections = at::Tensor()) const;
  /// Forgets the previous frame (of apply() and apply_batch()).
  void reset();
  const GmcOptions& options() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

} // namespace trackkit
