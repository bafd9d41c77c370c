/* trackkit C ABI: the tracker (ByteTrack / BoT-SORT family; docs/tracker.md). Included by trackkit/trackkit.h. */
#ifndef TRACKKIT_C_TRACKER_H
#define TRACKKIT_C_TRACKER_H

#include "trackkit/c/core.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum tk_motion_model { TK_MOTION_XYAH = 0, TK_MOTION_XYWH = 1 } tk_motion_model;

typedef struct tk_tracker_config {
  size_t struct_size;              /**< set by tk_tracker_config_init */
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
  int32_t reserved;                /**< 0 */
  double proximity_thresh;         /**< 0.5: appearance counts only for pairs with IoU >= this */
  double appearance_thresh;        /**< 0.25: and half cosine distance (1 - cos)/2 <= this */
  double feature_momentum;         /**< 0.9: track feature EMA momentum */
} tk_tracker_config;

/** trackkit's defaults (trackkit::TrackerOptions) into the first struct_size bytes; sets config->struct_size. */
TK_API tk_status tk_tracker_config_init(tk_tracker_config* config, size_t struct_size);
/** A named preset (trackkit::TrackerOptions::preset) into an initialised *config: "bytetrack", "bytetrack_mot17",
 *  "botsort", "ultralytics_bytetrack", "ultralytics_botsort" or "original_pipeline" (tk_tracker_preset_name lists
 *  them), for a video of frame_rate fps (> 0; ultralytics' keep lost tracks 30 frames at any rate). An unknown name
 *  is TK_ERR_INVALID_ARGUMENT, tk_last_error() listing the valid names. */
TK_API tk_status tk_tracker_config_preset(const char* name, double frame_rate, tk_tracker_config* config);
/** The i-th preset name (static storage), or NULL past the last one. */
TK_API const char* tk_tracker_preset_name(size_t index);
/** ultralytics' tracker YAML (botsort.yaml / bytetrack.yaml; docs/tracker.md) into an initialised *config: the
 *  ultralytics preset of its tracker_type with the file's values. Errors name the file and the key:
 *  TK_ERR_NOT_FOUND (no such file, a directory), TK_ERR_INVALID_ARGUMENT (not YAML, an unknown key, a bad value),
 *  TK_ERR_UNSUPPORTED (trackkit built without yaml-cpp). *config is written only on success. */
TK_API tk_status tk_tracker_config_from_yaml(const char* path, double frame_rate, tk_tracker_config* config);

/** One video stream's tracker. Not thread-safe: one thread at a time per handle (different handles: any threads). */
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
  size_t struct_size;             /**< set by tk_tracker_input_init */
  const DLTensor* detections;     /**< CPU float32/float64 [N,5] or [N,6] */
  const DLTensor* embeddings;     /**< CPU float32/float64 [N,D] appearance features (ReID cue) */
  const DLTensor* masks;          /**< CPU bool/uint8 [N,Hm,Wm] instance masks on a grid covering the frame */
  const DLTensor* track_masks;    /**< CPU bool/uint8 [K,Hm,Wm] predicted masks for tracks ... */
  const DLTensor* track_mask_ids; /**< ... and their track ids, int64 [K] */
  const DLTensor* warp;           /**< CPU float32/float64 [2,3] camera warp, previous -> this frame */
  double mask_scale;              /**< 1: mask grid pixels per frame pixel */
} tk_tracker_input;

TK_API tk_status tk_tracker_input_init(tk_tracker_input* input, size_t struct_size);
/** The general form (trackkit::Tracker::update(TrackerInput)). *tracks: float64 [M,9] = x1, y1, x2, y2, id,
 *  score, class, det_index (-1 for a lost track), status (1 tracked, 2 lost). */
TK_API tk_status tk_tracker_update_ex(tk_tracker* tracker, const tk_tracker_input* input,
                                      DLManagedTensorVersioned** tracks);
/** Track ids of the last update: *started int64 [S] output for the first time in that frame, *ended int64 [E]
 *  output before and dropped in that frame (both CPU; empty before the first update). Either may be NULL. */
TK_API tk_status tk_tracker_events(const tk_tracker* tracker, DLManagedTensorVersioned** started,
                                   DLManagedTensorVersioned** ended);
/** Forgets every track; ids restart at 1. */
TK_API tk_status tk_tracker_reset(tk_tracker* tracker);

/** Many streams in one call, updated in parallel (trackkit::TrackerBank). Not thread-safe (one thread at a time). */
typedef struct tk_tracker_bank tk_tracker_bank;
TK_API tk_status tk_tracker_bank_create(const tk_tracker_config* config, int64_t streams, tk_tracker_bank** bank);
TK_API void tk_tracker_bank_destroy(tk_tracker_bank* bank);
/** detections: [N,6] (stream, x1,y1,x2,y2,score) or [N,7] (+ class); every stream advances one frame.
 *  *tracks: float64 [M,9] = stream, x1, y1, x2, y2, id, score, class, det_index (row of detections). */
TK_API tk_status tk_tracker_bank_update(tk_tracker_bank* bank, const DLTensor* detections,
                                        DLManagedTensorVersioned** tracks);
/** Resets one stream (0 <= stream < streams). */
TK_API tk_status tk_tracker_bank_reset(tk_tracker_bank* bank, int64_t stream);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* TRACKKIT_C_TRACKER_H */
