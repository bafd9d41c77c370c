/* trackkit C ABI (C99). Rules (docs/c-abi.md):
 *  - every function that can fail returns tk_status; on failure tk_last_error() (thread-local) says why,
 *    naming the argument at fault; on success it is "" again;
 *  - no C++ exception crosses this boundary; only tk_* symbols are exported;
 *  - objects are opaque handles created and destroyed by tk_*_create / tk_*_destroy (docs/c-abi.md lists them);
 *  - config structs start with `size_t struct_size` and are initialised by tk_*_defaults();
 *  - tensors go in as borrowed DLPack DLTensor views (no copy; valid for the duration of the call) and
 *    come out as DLManagedTensorVersioned the caller owns (hand them to numpy/torch/cupy from_dlpack, or
 *    release them with tk_tensor_free). */
#ifndef TRACKKIT_TRACKKIT_H
#define TRACKKIT_TRACKKIT_H

#include <stddef.h>
#include <stdint.h>

#include "dlpack/dlpack.h"

#if defined(_WIN32) && defined(TK_BUILDING_LIBRARY)
#define TK_API __declspec(dllexport)
#elif defined(_WIN32)
#define TK_API __declspec(dllimport)
#else
#define TK_API __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

/** Bumped whenever a change breaks binary compatibility; compare with tk_abi_version() at start-up. */
#define TK_ABI_VERSION 1

typedef enum tk_status {
  TK_OK = 0,
  TK_ERR_INVALID_ARGUMENT = 1, /**< wrong shape, dtype, value, NULL pointer, bad struct_size */
  TK_ERR_DEVICE = 2,           /**< wrong, mixed or unavailable device */
  TK_ERR_NOT_FOUND = 3,        /**< a file does not exist */
  TK_ERR_MODEL = 4,            /**< a model file is corrupt or of the wrong kind */
  TK_ERR_OUT_OF_MEMORY = 5,    /**< host or device memory exhausted */
  TK_ERR_CUDA = 6,             /**< CUDA runtime or kernel error */
  TK_ERR_UNSUPPORTED = 7,      /**< not available in this build or on this device */
  TK_ERR_INTERNAL = 8          /**< a bug, or an unexpected error from a dependency */
} tk_status;

/** Message of the last tk_* call on this thread: "" after success. Valid until the thread's next tk_* call. */
TK_API const char* tk_last_error(void);
/** Static name of a status, e.g. "invalid argument". */
TK_API const char* tk_status_name(tk_status status);
/** Library version "major.minor.patch". */
TK_API const char* tk_version(void);
/** One line: version, CUDA kernels, LibTorch and OpenCV versions. */
TK_API const char* tk_build_info(void);
/** TK_ABI_VERSION the library was built with. */
TK_API uint32_t tk_abi_version(void);
/** Number of CUDA GPUs trackkit can use (0 in a CPU-only build). */
TK_API int32_t tk_cuda_device_count(void);

/* ---- tensors ---- */

/** Releases a tensor returned by trackkit (calls its deleter); NULL is ignored. */
TK_API void tk_tensor_free(DLManagedTensorVersioned* tensor);

/* ---- boxes (pixels, half-pixel centres; see docs/conventions.md) ---- */

typedef enum tk_box_format {
  TK_BOX_XYXY = 0,   /**< x1, y1, x2, y2 */
  TK_BOX_XYWH = 1,   /**< x1, y1, width, height */
  TK_BOX_CXCYWH = 2, /**< centre x, centre y, width, height */
  TK_BOX_CXCYAH = 3  /**< centre x, centre y, aspect w/h, height */
} tk_box_format;

/** Pairwise IoU: boxes1 [N,4] & boxes2 [M,4] -> [N,M], or [B,N,4] & [B,M,4] -> [B,N,M]; float16/32/64;
 *  CPU or CUDA (both on one device). *iou receives a new tensor on the same device. */
TK_API tk_status tk_box_iou(const DLTensor* boxes1, const DLTensor* boxes2, DLManagedTensorVersioned** iou);

/** Converts boxes [...,4] between formats; *out receives a new tensor. */
TK_API tk_status tk_convert_boxes(const DLTensor* boxes, tk_box_format from, tk_box_format to,
                                  DLManagedTensorVersioned** out);

/* ---- batched NMS of detector outputs (trackkit::batched_nms; docs/core.md, "Batched NMS") ---- */

typedef struct tk_nms_config {
  size_t struct_size;     /**< sizeof(tk_nms_config), set by tk_nms_config_defaults() */
  double conf_threshold;  /**< 0.25: candidates have a best class score > this; [0,1] */
  double iou_threshold;   /**< 0.45: a kept box suppresses boxes with IoU > this; [0,1] */
  double class_offset;    /**< 7680: class-aware NMS shifts boxes by class * this (ultralytics' max_wh) */
  int64_t max_candidates; /**< 30000: highest-scoring candidates kept before NMS */
  int64_t max_detections; /**< 300: detections kept per image */
  const int64_t* classes; /**< NULL: all classes; else only these num_classes class ids (read during the call) */
  int64_t num_classes;    /**< 0: length of classes */
  int32_t agnostic;       /**< 0: class-aware; 1: one NMS over all classes */
} tk_nms_config;

TK_API tk_nms_config tk_nms_config_defaults(void);
/** Per image: best class, score > conf_threshold, top max_candidates, greedy NMS, first max_detections
 *  (ultralytics' non_max_suppression). boxes [B,A,4] x1y1x2y2 and scores [B,A,C], one floating dtype, one
 *  device (CPU or CUDA), any strides. *detections: float32 [B,max_detections,6] x1,y1,x2,y2,score,class,
 *  rows past counts[b] zero; *counts: int64 [B]; both new tensors on the inputs' device (CUDA: no host sync). */
TK_API tk_status tk_batched_nms(const DLTensor* boxes, const DLTensor* scores, const tk_nms_config* config,
                                DLManagedTensorVersioned** detections, DLManagedTensorVersioned** counts);

/* ---- logging ---- */

typedef enum tk_log_level {
  TK_LOG_TRACE = 0,
  TK_LOG_DEBUG = 1,
  TK_LOG_INFO = 2,
  TK_LOG_WARN = 3,
  TK_LOG_ERROR = 4,
  TK_LOG_OFF = 5
} tk_log_level;

/** Called for each message at or above the level, one call at a time, from the thread that logs. */
typedef void (*tk_log_callback)(tk_log_level level, const char* message, void* user_data);

typedef struct tk_log_config {
  size_t struct_size;       /**< sizeof(tk_log_config), set by tk_log_config_defaults() */
  tk_log_level level;       /**< default TK_LOG_WARN (or $TRACKKIT_LOG_LEVEL) */
  tk_log_callback callback; /**< default NULL: messages go to stderr */
  void* user_data;          /**< passed to callback; default NULL */
} tk_log_config;

TK_API tk_log_config tk_log_config_defaults(void);
/** Applies a logging configuration (process-wide) and logs one info line describing it. */
TK_API tk_status tk_set_log_config(const tk_log_config* config);

/* ---- tracker (ByteTrack / BoT-SORT family; docs/tracker.md) ---- */

typedef enum tk_motion_model { TK_MOTION_XYAH = 0, TK_MOTION_XYWH = 1 } tk_motion_model;

typedef struct tk_tracker_config {
  size_t struct_size;              /**< sizeof(tk_tracker_config), set by the initialisers */
  double track_thresh;             /**< 0.5: score > this goes to the first association */
  double low_thresh;               /**< 0.1: low_thresh < score < track_thresh goes to the second */
  double new_track_thresh;         /**< 0.6: an unmatched high detection starts a track at or above this */
  double match_thresh;             /**< 0.8: first association cost limit (1 - IoU*score) */
  double second_match_thresh;      /**< 0.5: second association cost limit (1 - IoU) */
  double unconfirmed_match_thresh; /**< 0.7: cost limit for tracks seen in one frame */
  double frame_rate;               /**< 30: the video's frame rate */
  double duplicate_distance;       /**< 0.15: tracked/lost pairs closer than this are duplicates */
  int32_t track_buffer;            /**< 30: frames a lost track is kept, at 30 fps */
  int32_t fuse_score;              /**< 1: fuse IoU with the detection score */
  int32_t iou_plus_one;            /**< 0: +1 pixel widths in IoU (ByteTrack's cython_bbox) */
  int32_t high_score_inclusive;    /**< 0: score == track_thresh counts as high (ultralytics) */
  int32_t motion_model;            /**< TK_MOTION_XYAH (ByteTrack's Kalman state) or TK_MOTION_XYWH (BoT-SORT's) */
  int32_t warp_sizes_by_abs;       /**< 0: camera warps move sizes by |R| (ultralytics) rather than R */
  int32_t output_lost;             /**< 0: also output lost tracks (predicted boxes, status 2, det_index -1) */
  double proximity_thresh;         /**< 0.5: appearance counts only for pairs with IoU >= this */
  double appearance_thresh;        /**< 0.25: and half cosine distance (1 - cos)/2 <= this */
  double feature_momentum;         /**< 0.9: track feature EMA momentum */
} tk_tracker_config;

/** trackkit's defaults (trackkit::TrackerOptions). */
TK_API tk_tracker_config tk_tracker_config_defaults(void);
/** A named preset (trackkit::TrackerOptions::preset): "bytetrack", "bytetrack_mot17", "botsort",
 * "ultralytics_bytetrack", "ultralytics_botsort" or "original_pipeline" (tk_tracker_preset_name lists them), for a
 * video of frame_rate fps (> 0; ultralytics' keep lost tracks 30 frames at any rate, so they ignore it). An unknown
 * name is TK_ERR_INVALID_ARGUMENT, tk_last_error() listing the valid names. */
TK_API tk_status tk_tracker_config_preset(const char* name, double frame_rate, tk_tracker_config* config);
/** The i-th preset name (static storage), or NULL past the last one. */
TK_API const char* tk_tracker_preset_name(size_t index);
/** ultralytics' tracker YAML (botsort.yaml / bytetrack.yaml; trackkit::TrackerOptions::from_yaml, docs/tracker.md):
 * the ultralytics preset of its tracker_type with the file's values. Errors name the file and the key:
 * TK_ERR_NOT_FOUND (no such file, a directory), TK_ERR_INVALID_ARGUMENT (not YAML, an unknown key, a bad value),
 * TK_ERR_UNSUPPORTED (trackkit built without yaml-cpp). *config is written only on success. */
TK_API tk_status tk_tracker_config_from_yaml(const char* path, double frame_rate, tk_tracker_config* config);

typedef struct tk_tracker tk_tracker;
TK_API tk_status tk_tracker_create(const tk_tracker_config* config, tk_tracker** tracker);
TK_API void tk_tracker_destroy(tk_tracker* tracker);
/** One frame. detections: CPU float32/float64 [N,5] (x1,y1,x2,y2,score) or [N,6] (+ class).
 *  *tracks: float64 [M,8] = x1, y1, x2, y2, id, score, class, det_index (the input row). */
TK_API tk_status tk_tracker_update(tk_tracker* tracker, const DLTensor* detections, DLManagedTensorVersioned** tracks);
/** The same with camera motion: warp is a CPU float32/float64 [2,3] affine map from the previous frame's pixels
 *  to this frame's (a GMC result), applied to the tracks after prediction (BoT-SORT). */
TK_API tk_status tk_tracker_update_warp(tk_tracker* tracker, const DLTensor* detections, const DLTensor* warp,
                                        DLManagedTensorVersioned** tracks);

/** One frame's input for tk_tracker_update_ex: NULL tensors are absent; only detections is required. */
typedef struct tk_tracker_input {
  size_t struct_size;             /**< sizeof(tk_tracker_input), set by tk_tracker_input_defaults() */
  const DLTensor* detections;     /**< CPU float32/float64 [N,5] or [N,6] */
  const DLTensor* embeddings;     /**< CPU float32/float64 [N,D] appearance features (ReID cue) */
  const DLTensor* masks;          /**< CPU bool/uint8 [N,Hm,Wm] instance masks on a grid covering the frame */
  const DLTensor* track_masks;    /**< CPU bool/uint8 [K,Hm,Wm] predicted masks for tracks ... */
  const DLTensor* track_mask_ids; /**< ... and their track ids, int64 [K] */
  const DLTensor* warp;           /**< CPU float32/float64 [2,3] camera warp, previous -> this frame */
  double mask_scale;              /**< 1: mask grid pixels per frame pixel */
} tk_tracker_input;

TK_API tk_tracker_input tk_tracker_input_defaults(void);
/** The general form (trackkit::Tracker::update(TrackerInput)). *tracks: float64 [M,9] = x1, y1, x2, y2, id,
 *  score, class, det_index (-1 for a lost track), status (1 tracked, 2 lost). */
TK_API tk_status tk_tracker_update_ex(tk_tracker* tracker, const tk_tracker_input* input,
                                      DLManagedTensorVersioned** tracks);
TK_API tk_status tk_tracker_reset(tk_tracker* tracker);

/** Many streams in one call, updated in parallel (trackkit::TrackerBank). */
typedef struct tk_tracker_bank tk_tracker_bank;
TK_API tk_status tk_tracker_bank_create(const tk_tracker_config* config, int64_t streams, tk_tracker_bank** bank);
TK_API void tk_tracker_bank_destroy(tk_tracker_bank* bank);
/** detections: [N,6] (stream, x1,y1,x2,y2,score) or [N,7] (+ class); every stream advances one frame.
 *  *tracks: float64 [M,9] = stream, x1, y1, x2, y2, id, score, class, det_index (row of detections). */
TK_API tk_status tk_tracker_bank_update(tk_tracker_bank* bank, const DLTensor* detections,
                                        DLManagedTensorVersioned** tracks);
TK_API tk_status tk_tracker_bank_reset(tk_tracker_bank* bank, int64_t stream);

/* ---- detector (YOLO TorchScript exports; docs/detector.md) ---- */

typedef enum tk_precision { TK_PRECISION_FP32 = 0, TK_PRECISION_FP16 = 1, TK_PRECISION_BF16 = 2 } tk_precision;
typedef enum tk_yolo_layout {
  TK_YOLO_AUTO = 0,   /**< from the export's metadata, else the output's shape */
  TK_YOLO_V8 = 1,     /**< [B,4+nc,A] (YOLOv8 / YOLO11 / YOLOv5u) */
  TK_YOLO_V5 = 2,     /**< [B,A,5+nc] (classic YOLOv5) */
  TK_YOLO_END2END = 3 /**< [B,K,6] (NMS-free: YOLOv10, YOLO26) */
} tk_yolo_layout;

typedef struct tk_detector_config {
  size_t struct_size;      /**< sizeof(tk_detector_config), set by tk_detector_config_defaults() */
  const char* device;      /**< "auto" (default), "cpu", "cuda", "cuda:N" */
  int32_t precision;       /**< TK_PRECISION_FP32 */
  int32_t layout;          /**< TK_YOLO_AUTO */
  int32_t input_height;    /**< 0: from the export's metadata, else 640 */
  int32_t input_width;     /**< 0: likewise */
  int32_t stride_multiple; /**< 0: pad to the full input; 1: only to a stride multiple (rect) */
  int32_t input_bgr;       /**< 1: frames are BGR; 0: RGB */
  int32_t agnostic;        /**< 0: class-aware NMS */
  int32_t reserved;        /**< 0 */
  double conf_threshold;   /**< 0.25 */
  double iou_threshold;    /**< 0.45 */
  int64_t max_candidates;  /**< 30000 */
  int64_t max_detections;  /**< 300 */
  int64_t batch_size;      /**< 0: chosen by tk_detector_warmup from free GPU memory */
  const int64_t* classes;  /**< NULL: all classes; else num_classes class ids to keep */
  int64_t num_classes;     /**< 0 */
} tk_detector_config;

typedef struct tk_detector tk_detector;
TK_API tk_detector_config tk_detector_config_defaults(void);
TK_API tk_status tk_detector_create(const char* model_path, const tk_detector_config* config, tk_detector** detector);
TK_API void tk_detector_destroy(tk_detector* detector);
/** Runs the model once for frames of this size (and picks the batch size when it is 0). */
TK_API tk_status tk_detector_warmup(tk_detector* detector, int64_t frame_height, int64_t frame_width);
/** frames: uint8 [B,H,W,3] on any device. *detections: float32 [B,max_detections,6] (x1,y1,x2,y2,score,class in
 *  frame pixels; rows past the frame's count are zero) and *counts: int64 [B], both on the model's device. */
TK_API tk_status tk_detector_detect(tk_detector* detector, const DLTensor* frames,
                                    DLManagedTensorVersioned** detections, DLManagedTensorVersioned** counts);
/** The same into caller buffers on the host: detections holds capacity_frames * max_detections * 6 floats,
 *  counts capacity_frames int64 (capacity_frames >= B). */
TK_API tk_status tk_detector_detect_into(tk_detector* detector, const DLTensor* frames, float* detections,
                                         int64_t* counts, int64_t capacity_frames);
/** Number of class names in the export's metadata, and one of them (valid while the detector lives). */
TK_API tk_status tk_detector_class_count(const tk_detector* detector, int64_t* count);
TK_API tk_status tk_detector_class_name(const tk_detector* detector, int64_t index, const char** name);

/* ---- GMC: global motion compensation (docs/gmc.md) ---- */

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
  size_t struct_size;         /**< sizeof(tk_gmc_config), set by the initialisers */
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

/** trackkit's defaults (trackkit::GmcOptions). */
TK_API tk_gmc_config tk_gmc_config_defaults(void);
/** A named preset (trackkit::GmcOptions::preset): "original_pipeline" (ECC euclidean, 500 iterations, eps 1e-4,
 *  downscale 4) or "reference_<method>" with method none, ecc, orb, sift or sparse_optical_flow (BoT-SORT's
 *  settings). An unknown name is TK_ERR_INVALID_ARGUMENT, tk_last_error() listing the valid names. */
TK_API tk_status tk_gmc_config_preset(const char* name, tk_gmc_config* config);
/** The GMC of an ultralytics tracker YAML: "reference_<method>" with its gmc_method key (sparseOptFlow, orb, sift,
 *  ecc, none), method none without the key (bytetrack.yaml). Errors as tk_tracker_config_from_yaml's. */
TK_API tk_status tk_gmc_config_from_yaml(const char* path, tk_gmc_config* config);
TK_API const char* tk_gmc_status_name(tk_gmc_status status);

typedef struct tk_gmc_quality {
  int32_t status;  /**< tk_gmc_status */
  int32_t points;  /**< points tracked or matched (feature methods), pixels compared (ECC) */
  int32_t inliers; /**< RANSAC inliers (feature methods) */
  double score;    /**< inlier ratio, or ECC's correlation coefficient */
} tk_gmc_quality;

/** One video stream's estimator (a handle is used by one thread at a time). */
typedef struct tk_gmc tk_gmc;
TK_API tk_status tk_gmc_create(const tk_gmc_config* config, tk_gmc** gmc);
TK_API void tk_gmc_destroy(tk_gmc* gmc);
/** frame: uint8 [H,W] or [H,W,C] (C = 1 or 3), CPU or CUDA. detections: NULL or float [N,4+] boxes x1,y1,x2,y2 (CPU)
 *  of this frame. *warp: float64 [2,3] ([3,3] for homographies) from the previous frame to this one, full-resolution
 *  pixels, on the frame's device. quality may be NULL. */
TK_API tk_status tk_gmc_apply(tk_gmc* gmc, const DLTensor* frame, const DLTensor* detections,
                              DLManagedTensorVersioned** warp, tk_gmc_quality* quality);
/** Stateless batch: frames uint8 [B,H,W] or [B,H,W,C]; previous NULL (B-1 warps) or one frame before frames[0] (B
 *  warps); detections NULL or float [N,5] (frame index, x1,y1,x2,y2), CPU. *warps: float64 [N,2,3] (or [N,3,3]);
 *  *quality (may be NULL): float64 [N,4] = status, points, inliers, score. Outputs on the frames' device. */
TK_API tk_status tk_gmc_estimate(const tk_gmc* gmc, const DLTensor* frames, const DLTensor* previous,
                                 const DLTensor* detections, DLManagedTensorVersioned** warps,
                                 DLManagedTensorVersioned** quality);
/** Forgets the previous frame. */
TK_API tk_status tk_gmc_reset(tk_gmc* gmc);

/* ---- pipeline: detection -> GMC -> tracking over one stream, and frame reading (docs/track_video.md) ---- */

typedef struct tk_pipeline_config {
  size_t struct_size;          /**< sizeof(tk_pipeline_config), set by tk_pipeline_config_defaults() */
  tk_detector_config detector; /**< the detector's defaults except conf_threshold 0.1 */
  tk_gmc_config gmc;           /**< method TK_GMC_NONE turns camera-motion compensation off; no homographies */
  tk_tracker_config tracker;   /**< the "ultralytics_botsort" preset */
} tk_pipeline_config;

/** Seconds per stage since tk_pipeline_create (GPU stages measured on the GPU), read by tk_pipeline_times_get;
 *  tk_pipeline_reset keeps them (the C++ TrackingPipeline::reset_times has no C twin yet). */
typedef struct tk_pipeline_times {
  size_t struct_size; /**< sizeof(tk_pipeline_times): set it before calling tk_pipeline_times_get */
  int64_t frames;
  double upload, detect, wait, gmc, track, total;
  int64_t peak_memory_bytes; /**< the GPU's peak allocated bytes since creation or tk_pipeline_warmup (0: CPU) */
} tk_pipeline_times;

typedef struct tk_pipeline tk_pipeline;
TK_API tk_pipeline_config tk_pipeline_config_defaults(void);
TK_API tk_status tk_pipeline_create(const char* model_path, const tk_pipeline_config* config, tk_pipeline** pipeline);
TK_API void tk_pipeline_destroy(tk_pipeline* pipeline);
/** Compiles kernels for this frame size and picks the batch size (tk_pipeline_batch_size) from free GPU memory. */
TK_API tk_status tk_pipeline_warmup(tk_pipeline* pipeline, int64_t frame_height, int64_t frame_width);
TK_API tk_status tk_pipeline_batch_size(const tk_pipeline* pipeline, int64_t* batch_size);
/** Takes the next frames, uint8 [B,H,W,3] (CPU or the model's GPU). The pipeline reads them until the call that
 *  finishes them (on a GPU the next push or tk_pipeline_finish; on the CPU this one): keep them alive until then.
 *  *tracks: float64 [M,10] CPU rows of the frames finished by this call, in frame order: frame (0-based), id,
 *  x1, y1, x2, y2, score, class, det_index, tk_gmc_status of the frame. *frames_finished: how many frames. */
TK_API tk_status tk_pipeline_push(tk_pipeline* pipeline, const DLTensor* frames, DLManagedTensorVersioned** tracks,
                                  int64_t* frames_finished);
/** Finishes the frames in flight (same outputs as tk_pipeline_push). */
TK_API tk_status tk_pipeline_finish(tk_pipeline* pipeline, DLManagedTensorVersioned** tracks, int64_t* frames_finished);
/** A new stream: tracks forgotten, ids restart at 1, frames in flight dropped. */
TK_API tk_status tk_pipeline_reset(tk_pipeline* pipeline);
TK_API tk_status tk_pipeline_times_get(const tk_pipeline* pipeline, tk_pipeline_times* times);

typedef struct tk_frame_reader tk_frame_reader;
/** Opens a video, an image folder, a MOT sequence folder or a .npy uint8 [N,H,W,3] array; frames are decoded
 *  ahead on background threads. max_frames: -1 for all. */
TK_API tk_status tk_frame_reader_open(const char* path, int64_t max_frames, tk_frame_reader** reader);
TK_API void tk_frame_reader_close(tk_frame_reader* reader);
/** frames: -1 when the container does not say. */
TK_API tk_status tk_frame_reader_info(const tk_frame_reader* reader, int64_t* frames, int64_t* height, int64_t* width,
                                      double* fps);
/** *frames: the next up to max_frames frames, uint8 [b,H,W,3] BGR on the CPU (pinned where CUDA is); b = 0 at the end.
 */
TK_API tk_status tk_frame_reader_read(tk_frame_reader* reader, int64_t max_frames, DLManagedTensorVersioned** frames);

/* ---- EquirectToPinhole: equirectangular 360° frames -> pinhole views (docs/e2p.md) ---- */

typedef enum tk_e2p_interpolation { TK_E2P_NEAREST = 0, TK_E2P_BILINEAR = 1, TK_E2P_BICUBIC = 2 } tk_e2p_interpolation;
typedef enum tk_e2p_layout { TK_E2P_NHWC = 0, TK_E2P_NCHW = 1 } tk_e2p_layout;

/** One camera (trackkit::PinholeView): degrees; yaw right, pitch up, roll clockwise positive; fields of view span
 *  pixel edges; fx / fy (pixels) > 0 replace hfov / vfov; vfov 0: square pixels. In an array of views, the
 *  elements lie views[0].struct_size bytes apart. */
typedef struct tk_e2p_view {
  size_t struct_size; /**< sizeof(tk_e2p_view), set by tk_e2p_view_defaults() */
  double yaw, pitch, roll;
  int64_t width, height; /**< 1920 x 1080 */
  double hfov;           /**< 90 */
  double vfov;           /**< 0 */
  double fx, fy;         /**< 0 */
} tk_e2p_view;
TK_API tk_e2p_view tk_e2p_view_defaults(void);
/** n views around the horizon (yaw = first_yaw + i * 360 / n) into views[0..n-1] (caller's array of n). */
TK_API tk_status tk_e2p_horizon_views(int32_t n, int64_t width, int64_t height, double hfov, double pitch,
                                      double first_yaw, tk_e2p_view* views);
/** The 6 cube faces of size x size into views[0..5]: front, right, back, left, up, down. */
TK_API tk_status tk_e2p_cube_views(int64_t size, tk_e2p_view* views);

typedef struct tk_e2p_config {
  size_t struct_size;             /**< sizeof(tk_e2p_config), set by tk_e2p_config_defaults() */
  int32_t interpolation;          /**< tk_e2p_interpolation; TK_E2P_BILINEAR */
  int32_t layout;                 /**< tk_e2p_layout of frames and views; TK_E2P_NHWC */
  int32_t cuda_pixels_per_thread; /**< 4 (1, 2 or 4: tuning of the uint8 3-channel bilinear kernel without tiles) */
  int32_t cuda_wide_loads;        /**< 1 */
  int32_t cuda_tiles;             /**< 1: the uint8 3-channel bilinear kernel by 64 x 64 tiles (E2POptions) */
} tk_e2p_config;
TK_API tk_e2p_config tk_e2p_config_defaults(void);

/** A projection onto a fixed set of views of one size (a handle is used by one thread at a time). */
typedef struct tk_e2p tk_e2p;
TK_API tk_status tk_e2p_create(const tk_e2p_config* config, const tk_e2p_view* views, size_t count, tk_e2p** e2p);
TK_API void tk_e2p_destroy(tk_e2p* e2p);
/** frames: [B,H,W,C] (NHWC) or [B,C,H,W] (NCHW), uint8 / float16 / float32, CPU or CUDA. *views: [B,V,h,w,C] or
 *  [B,V,C,h,w], same dtype and device. */
TK_API tk_status tk_e2p_project(const tk_e2p* e2p, const DLTensor* frames, DLManagedTensorVersioned** views);
/** float32 [V,h,w,2] (x, y): where each view pixel samples an height x width equirect (continuous pixel
 *  coordinates), on the CPU. */
TK_API tk_status tk_e2p_source_coordinates(const tk_e2p* e2p, int64_t height, int64_t width,
                                           DLManagedTensorVersioned** coordinates);

/* ---- segmenter (SAM-family box-prompted masks; docs/segmenter.md) ---- */

/** Fields as trackkit::SegmenterOptions (include/trackkit/segmenter.hpp documents each). */
typedef struct tk_segmenter_config {
  size_t struct_size;         /**< sizeof(tk_segmenter_config), set by tk_segmenter_config_defaults() */
  const char* device;         /**< "auto" (default), "cpu", "cuda", "cuda:N" */
  int32_t precision;          /**< TK_PRECISION_FP32 */
  int32_t input_bgr;          /**< 1: frames are BGR; 0: RGB */
  int32_t multimask_output;   /**< 0: one mask a box; 1: SAM's three */
  int32_t full_resolution;    /**< 1: boolean masks at frame resolution besides the low-res logits */
  int32_t mask_boxes;         /**< 0; 1: tight boxes of the masks too */
  int32_t reserved;           /**< 0 */
  double mask_threshold;      /**< NaN: the export's (SAM: 0) */
  int64_t encoder_batch_size; /**< 0: chosen by tk_segmenter_warmup from free GPU memory */
  int64_t decoder_batch_size; /**< 0: every box of a call in one decoder call */
} tk_segmenter_config;

typedef struct tk_segmenter tk_segmenter;
/** Image embeddings of a batch of frames (one size), from tk_segmenter_encode. */
typedef struct tk_segmenter_embeddings tk_segmenter_embeddings;
/** Masks of N boxes, M a box (1, or 3 with multimask_output); tensors the caller owns, on the model's device.
 *  Release them all with tk_segmenter_masks_free. */
typedef struct tk_segmenter_masks {
  DLManagedTensorVersioned* masks;      /**< bool [N,M,H,W], or NULL without full_resolution */
  DLManagedTensorVersioned* low_res;    /**< float32 [N,M,256,256] logits over the padded input square */
  DLManagedTensorVersioned* scores;     /**< float32 [N,M] predicted IoU */
  DLManagedTensorVersioned* boxes;      /**< float32 [N,5] frame index, x1,y1,x2,y2 clamped to the frame */
  DLManagedTensorVersioned* mask_boxes; /**< float32 [N,M,4] tight mask boxes, or NULL without mask_boxes */
} tk_segmenter_masks;

TK_API tk_segmenter_config tk_segmenter_config_defaults(void);
/** Loads an encoder + decoder pair: TorchScript (tools/segmenter/export_sam.py) or, for paths ending in ".pt2" on
 *  CUDA, AOTInductor packages (tools/segmenter/compile_aoti.py); TK_ERR_MODEL for a mismatched pair. */
TK_API tk_status tk_segmenter_create(const char* encoder_path, const char* decoder_path,
                                     const tk_segmenter_config* config, tk_segmenter** segmenter);
TK_API void tk_segmenter_destroy(tk_segmenter* segmenter);
/** Runs encoder and decoder once (and picks the encoder batch size when it is 0). */
TK_API tk_status tk_segmenter_warmup(tk_segmenter* segmenter, int64_t frame_height, int64_t frame_width, int64_t boxes);
/** frames: uint8 [B,H,W,3] on any device -> *embeddings (release with tk_segmenter_embeddings_destroy). */
TK_API tk_status tk_segmenter_encode(tk_segmenter* segmenter, const DLTensor* frames,
                                     tk_segmenter_embeddings** embeddings);
TK_API void tk_segmenter_embeddings_destroy(tk_segmenter_embeddings* embeddings);
/** boxes: float [N,5] frame index, x1,y1,x2,y2 in frame pixels; every box in one decoder call. */
TK_API tk_status tk_segmenter_decode(tk_segmenter* segmenter, const tk_segmenter_embeddings* embeddings,
                                     const DLTensor* boxes, tk_segmenter_masks* masks);
/** encode + decode. */
TK_API tk_status tk_segmenter_segment(tk_segmenter* segmenter, const DLTensor* frames, const DLTensor* boxes,
                                      tk_segmenter_masks* masks);
/** Frees every tensor of *masks and sets them to NULL; NULL is ignored. */
TK_API void tk_segmenter_masks_free(tk_segmenter_masks* masks);

/** COCO RLE (column-major, pycocotools-compatible) of bool/uint8 masks [N,H,W] on any device: *counts int64 [C]
 *  all masks' run lengths one after another, *offsets int64 [N+1] where mask i's runs start (CPU tensors). */
TK_API tk_status tk_rle_encode(const DLTensor* masks, DLManagedTensorVersioned** counts,
                               DLManagedTensorVersioned** offsets);
/** pycocotools' compressed counts string of one mask's runs into buffer (capacity bytes with the terminating
 *  NUL); *length receives the string's length (also when the buffer is too small: TK_ERR_INVALID_ARGUMENT). */
TK_API tk_status tk_rle_to_string(const int64_t* counts, int64_t num_counts, char* buffer, size_t capacity,
                                  size_t* length);
/** Decodes a compressed counts string of a height x width mask into *mask: bool [H,W] on the CPU. */
TK_API tk_status tk_rle_decode_string(const char* counts, int64_t height, int64_t width,
                                      DLManagedTensorVersioned** mask);
/** IoU of masks a [N,H,W] and b [M,H,W] (bool/uint8): *iou float64 [N,M] on the CPU. */
TK_API tk_status tk_mask_iou(const DLTensor* a, const DLTensor* b, DLManagedTensorVersioned** iou);
/* ---- embedder: face / person ReID embeddings and identity clustering (docs/embedder.md) ---- */

typedef enum tk_crop_preset {
  TK_CROP_AUTO = 0,     /**< from the model's metadata (config.txt) */
  TK_CROP_FACENET = 1,  /**< 160x160, (v - 127.5) / 128 */
  TK_CROP_ARCFACE = 2,  /**< 112x112, (v - 127.5) / 127.5 */
  TK_CROP_IMAGENET = 3, /**< 256x128, ImageNet mean / std (person ReID) */
  TK_CROP_CUSTOM = 4    /**< mean, std, height, width as given */
} tk_crop_preset;
typedef enum tk_box_sampling {
  TK_BOX_SAMPLING_OPENCV = 0,  /**< integer edges, cv2.resize's fixed-point bilinear (bit-exact) */
  TK_BOX_SAMPLING_SUBPIXEL = 1 /**< fractional edges, float bilinear */
} tk_box_sampling;

typedef struct tk_embedder_config {
  size_t struct_size;   /**< sizeof(tk_embedder_config), set by tk_embedder_config_defaults() */
  const char* device;   /**< "auto" (default), "cpu", "cuda", "cuda:N" */
  int32_t precision;    /**< TK_PRECISION_FP32 */
  int32_t preset;       /**< TK_CROP_AUTO */
  int32_t box_sampling; /**< TK_BOX_SAMPLING_OPENCV */
  int32_t input_bgr;    /**< 1: frames are BGR; 0: RGB */
  int32_t model_bgr;    /**< 0: the model takes RGB */
  int32_t quantize;     /**< 1: aligned / subpixel samples rounded to integers as uint8 crops are */
  int32_t height;       /**< crop height; 0: the preset's or the metadata's */
  int32_t width;        /**< crop width; 0: likewise */
  int32_t fill;         /**< 0: value of aligned-crop taps outside the frame */
  int32_t reserved;     /**< 0 */
  float mean[3];        /**< TK_CROP_CUSTOM: per model channel, 0..255 units */
  float std[3];         /**< TK_CROP_CUSTOM: per model channel (> 0) */
  int64_t batch_size;   /**< crops per forward pass; 0: chosen by tk_embedder_warmup from free GPU memory */
} tk_embedder_config;

/** A TorchScript embedding model (tools/embedder/convert_models.py); one thread at a time. */
typedef struct tk_embedder tk_embedder;
TK_API tk_embedder_config tk_embedder_config_defaults(void);
TK_API tk_status tk_embedder_create(const char* model_path, const tk_embedder_config* config, tk_embedder** embedder);
TK_API void tk_embedder_destroy(tk_embedder* embedder);
TK_API tk_status tk_embedder_warmup(tk_embedder* embedder);
/** The embedding size D. */
TK_API tk_status tk_embedder_dim(const tk_embedder* embedder, int64_t* dim);
/** frames: uint8 [B,H,W,3] on any device; boxes: float [N,5] (frame index, x1,y1,x2,y2). *embeddings: float32 [N,D],
 *  L2-normalised, on the model's device (N = 0 gives [0,D]). */
TK_API tk_status tk_embedder_embed(tk_embedder* embedder, const DLTensor* frames, const DLTensor* boxes,
                                   DLManagedTensorVersioned** embeddings);
/** Faces aligned to the ArcFace template: landmarks float [N,5,2]; frame_index int64 [N] (NULL: all from frame 0 of a
 *  single frame). */
TK_API tk_status tk_embedder_embed_aligned(tk_embedder* embedder, const DLTensor* frames, const DLTensor* landmarks,
                                           const DLTensor* frame_index, DLManagedTensorVersioned** embeddings);

typedef enum tk_cluster_method { TK_CLUSTER_AGGLOMERATIVE = 0, TK_CLUSTER_DENSITY = 1 } tk_cluster_method;
typedef enum tk_linkage { TK_LINKAGE_AVERAGE = 0, TK_LINKAGE_COMPLETE = 1, TK_LINKAGE_SINGLE = 2 } tk_linkage;
typedef struct tk_cluster_config {
  size_t struct_size;        /**< sizeof(tk_cluster_config), set by tk_cluster_config_defaults() */
  int32_t method;            /**< TK_CLUSTER_AGGLOMERATIVE */
  int32_t linkage;           /**< TK_LINKAGE_AVERAGE */
  double distance_threshold; /**< 0.5: clusters at cosine distance below this merge */
  double eps;                /**< 0.3: density neighbourhood (cosine distance) */
  int64_t min_samples;       /**< 3: neighbours (itself included) of a core point */
} tk_cluster_config;
TK_API tk_cluster_config tk_cluster_config_defaults(void);
/** embeddings: float [N,D] (CPU or CUDA) -> *labels: int64 [N] on the same device (clusters 0.. by first row; -1:
 *  noise of the density method). */
TK_API tk_status tk_cluster_embeddings(const DLTensor* embeddings, const tk_cluster_config* config,
                                       DLManagedTensorVersioned** labels);
/** Purity and adjusted Rand index of labels against true ids (both int64 [N]). */
TK_API tk_status tk_score_clusters(const DLTensor* labels, const DLTensor* truth, double* purity,
                                   double* adjusted_rand);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* TRACKKIT_TRACKKIT_H */
