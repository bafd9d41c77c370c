/* trackkit C ABI: global motion compensation (docs/gmc.md). Included by trackkit/trackkit.h. */
#ifndef TRACKKIT_C_GMC_H
#define TRACKKIT_C_GMC_H

#include "trackkit/c/core.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum tk_gmc_method {
  TK_GMC_NONE = 0,
  TK_GMC_ECC = 1,
  TK_GMC_ORB = 2,
  TK_GMC_SIFT = 3,
  TK_GMC_SPARSE_OPTICAL_FLOW = 4
} tk_gmc_method;

typedef enum tk_ecc_motion {
  TK_ECC_TRANSLATION = 0,
  TK_ECC_EUCLIDEAN = 1,
  TK_ECC_AFFINE = 2,
  TK_ECC_HOMOGRAPHY = 3 /**< warps are 3x3 */
} tk_ecc_motion;

/** Why a warp is what it is; every value but TK_GMC_OK comes with the identity warp. */
typedef enum tk_gmc_status {
  TK_GMC_OK = 0,
  TK_GMC_FIRST_FRAME = 1,    /**< no previous frame yet */
  TK_GMC_TOO_FEW_POINTS = 2, /**< too few corners / keypoints / matches to begin with */
  TK_GMC_SCENE_CUT = 3,      /**< the points disagree, or ECC's correlation is low: different scenes */
  TK_GMC_TEXTURELESS = 4,    /**< a blank or flat frame */
  TK_GMC_SIZE_CHANGED = 5,   /**< the frame size changed */
  TK_GMC_FAILED = 6          /**< no convergence, an implausible warp, or an OpenCV error */
} tk_gmc_status;

/** Fields as trackkit::GmcOptions (include/trackkit/gmc.hpp documents each; defaults measured, docs/gmc.md). */
typedef struct tk_gmc_config {
  size_t struct_size;         /**< set by tk_gmc_config_init */
  int32_t method;             /**< tk_gmc_method; TK_GMC_SPARSE_OPTICAL_FLOW */
  int32_t ecc_motion;         /**< tk_ecc_motion; TK_ECC_AFFINE */
  int32_t downscale;          /**< 2: frames reduced to (W/2, H/2) before estimation */
  int32_t rgb;                /**< 0: 3-channel frames are BGR */
  int32_t ecc_iterations;     /**< 100 per pyramid level */
  int32_t ecc_levels;         /**< 3: coarse-to-fine levels */
  double ecc_eps;             /**< 1e-4: stop when the correlation changes less */
  double ecc_blur_sigma;      /**< 1.0: Gaussian pre-blur (processing pixels) */
  double ecc_min_correlation; /**< 0.6: below it, TK_GMC_SCENE_CUT */
  int32_t ecc_batched_on_cpu; /**< 0: CPU frames use OpenCV's ECC, not the batched (CUDA) implementation */
  int32_t max_corners;        /**< 64: corners tracked (sparse flow) */
  int32_t max_keypoints;      /**< 600: keypoints per frame (ORB, SIFT) */
  int32_t corner_level;       /**< 2: LK pyramid level the corners are found on */
  double corner_quality;      /**< 0.01: Shi-Tomasi quality level */
  double corner_min_distance; /**< 8: processing pixels between corners */
  int32_t flow_window;        /**< 11: LK window side */
  int32_t flow_levels;        /**< 3: LK pyramid levels */
  double ransac_threshold;    /**< 1.0 processing pixels */
  int32_t min_points;         /**< 8 */
  int32_t mask_detections;    /**< 1: detection boxes kept out of features / ECC */
  double min_inlier_ratio;    /**< 0.2 */
  double border;              /**< 0.02: fraction of each side kept out of feature detection */
  double min_contrast;        /**< 2.0: grey-level standard deviation of a flat frame */
  double max_scale_change;    /**< 0.25: |scale - 1| above it is implausible */
} tk_gmc_config;

/** trackkit's defaults (trackkit::GmcOptions) into the first struct_size bytes; sets config->struct_size. */
TK_API tk_status tk_gmc_config_init(tk_gmc_config* config, size_t struct_size);
/** A named preset (trackkit::GmcOptions::preset) into an initialised *config: "original_pipeline" (ECC euclidean,
 *  500 iterations, eps 1e-4, downscale 4) or "reference_<method>" with method none, ecc, orb, sift or
 *  sparse_optical_flow (BoT-SORT's settings). An unknown name is TK_ERR_INVALID_ARGUMENT, listing the valid names. */
TK_API tk_status tk_gmc_config_preset(const char* name, tk_gmc_config* config);
/** The GMC of an ultralytics tracker YAML into an initialised *config: "reference_<method>" with its gmc_method key
 *  (sparseOptFlow, orb, sift, ecc, none), method none without the key (bytetrack.yaml). Errors as
 *  tk_tracker_config_from_yaml's. */
TK_API tk_status tk_gmc_config_from_yaml(const char* path, tk_gmc_config* config);
TK_API const char* tk_gmc_status_name(tk_gmc_status status);

/** How one estimate went (an output: set struct_size = sizeof(tk_gmc_quality) before the call). */
typedef struct tk_gmc_quality {
  size_t struct_size;
  int32_t status;  /**< tk_gmc_status */
  int32_t points;  /**< points tracked or matched (feature methods), pixels compared (ECC) */
  int32_t inliers; /**< RANSAC inliers (feature methods) */
  int32_t reserved;
  double score; /**< inlier ratio, or ECC's correlation coefficient */
} tk_gmc_quality;

/** One video stream's estimator. Not thread-safe: one thread at a time per handle. */
typedef struct tk_gmc tk_gmc;
TK_API tk_status tk_gmc_create(const tk_gmc_config* config, tk_gmc** gmc);
TK_API void tk_gmc_destroy(tk_gmc* gmc);
/** The cudaStream_t later calls on CUDA frames run on; NULL (the default): the current stream. */
TK_API tk_status tk_gmc_set_cuda_stream(tk_gmc* gmc, void* cuda_stream);
/** frame: uint8 [H,W] or [H,W,C] (C = 1 or 3), CPU or CUDA. detections: NULL or float [N,4+] boxes x1,y1,x2,y2 (CPU)
 *  of this frame. *warp: float64 [2,3] ([3,3] for homographies) from the previous frame to this one, full-resolution
 *  pixels, on the frame's device. quality may be NULL. */
TK_API tk_status tk_gmc_apply(tk_gmc* gmc, const DLTensor* frame, const DLTensor* detections,
                              DLManagedTensorVersioned** warp, tk_gmc_quality* quality);
/** The stream's next frames at once (trackkit::GMC::apply_batch): frames uint8 [B,H,W] or [B,H,W,C]; detections NULL
 *  or float [N,5] (frame index, x1,y1,x2,y2), CPU. *warps: float64 [B,2,3] (or [B,3,3]), warp b from the frame
 *  before frames[b] (the previous call's last frame for b = 0); *quality (may be NULL): float64 [B,4] = status,
 *  points, inliers, score. Outputs on the frames' device. The same warps as B calls of tk_gmc_apply. */
TK_API tk_status tk_gmc_apply_batch(tk_gmc* gmc, const DLTensor* frames, const DLTensor* detections,
                                    DLManagedTensorVersioned** warps, DLManagedTensorVersioned** quality);
/** Stateless batch: frames uint8 [B,H,W] or [B,H,W,C]; previous NULL (B-1 warps) or one frame before frames[0] (B
 *  warps); detections NULL or float [N,5] (frame index, x1,y1,x2,y2), CPU. *warps: float64 [N,2,3] (or [N,3,3]);
 *  *quality (may be NULL): float64 [N,4] = status, points, inliers, score. Outputs on the frames' device. */
TK_API tk_status tk_gmc_estimate(const tk_gmc* gmc, const DLTensor* frames, const DLTensor* previous,
                                 const DLTensor* detections, DLManagedTensorVersioned** warps,
                                 DLManagedTensorVersioned** quality);
/** Forgets the previous frame. */
TK_API tk_status tk_gmc_reset(tk_gmc* gmc);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* TRACKKIT_C_GMC_H */
