/* trackkit C ABI 1.1: face detection with five landmarks (docs/face.md) and faces clustered into identities
 * (docs/face_cluster.md). Included by trackkit/trackkit.h. Every function here is new in ABI 1.1 (symbol version
 * TRACKKIT_1.1): a program using one needs a library with tk_abi_compatible() true for this header. */
#ifndef TRACKKIT_C_FACE_H
#define TRACKKIT_C_FACE_H

#include "trackkit/c/core.h"
#include "trackkit/c/embedder.h" /* tk_cluster_method, tk_linkage */
#include "trackkit/c/tracker.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- face detection (trackkit::FaceDetector: yolov5-face and RetinaFace exports of tools/faces) ---- */

typedef struct tk_face_detector_config {
  size_t struct_size;     /**< set by tk_face_detector_config_init */
  const char* device;     /**< "auto" (default), "cpu", "cuda", "cuda:N" (read during the create call) */
  int32_t precision;      /**< TK_PRECISION_FP32: the model's; decoding, NMS and coordinates stay float32 */
  int32_t input_bgr;      /**< 1: frames are BGR; 0: RGB */
  int32_t input_height;   /**< 0: the export's metadata (640); a multiple of its stride */
  int32_t input_width;    /**< 0: likewise */
  double conf_threshold;  /**< 0: the layout's (yolov5_face 0.3, retinaface 0.5); faces with score > this */
  double iou_threshold;   /**< 0: the layout's (yolov5_face 0.5, retinaface 0.4); NMS suppresses IoU > this */
  int64_t max_candidates; /**< 30000: best-scoring candidates entering NMS */
  int64_t max_detections; /**< 300: faces kept per frame */
  int64_t batch_size;     /**< 0: chosen by tk_face_detector_warmup from free GPU memory */
} tk_face_detector_config;

/** A loaded face detector. Not thread-safe: one thread at a time per handle. */
typedef struct tk_face_detector tk_face_detector;
TK_API tk_status tk_face_detector_config_init(tk_face_detector_config* config, size_t struct_size);
/** model_path: an export whose config.txt says "task": "face" (TK_ERR_MODEL otherwise, e.g. for a YOLO object
 *  detector). */
TK_API tk_status tk_face_detector_create(const char* model_path, const tk_face_detector_config* config,
                                         tk_face_detector** detector);
TK_API void tk_face_detector_destroy(tk_face_detector* detector);
/** The cudaStream_t (of the model's device) later calls run on; NULL (the default): the current stream. */
TK_API tk_status tk_face_detector_set_cuda_stream(tk_face_detector* detector, void* cuda_stream);
/** Runs the model once for frames of this size (and picks the batch size when it is 0). */
TK_API tk_status tk_face_detector_warmup(tk_face_detector* detector, int64_t frame_height, int64_t frame_width);
/** frames: uint8 [B,H,W,3] on any device (moved to the model's). As tk_detector_detect, a padded batch:
 *  *faces: float32 [B,max_detections,15], row = x1,y1,x2,y2, score, then the landmarks x0,y0 .. x4,y4 (left eye,
 *  right eye, nose, mouth left, mouth right), in frame pixels, best score first; boxes clipped to the frame,
 *  landmarks not; rows past the frame's count are zero. *counts: int64 [B]. Both on the model's device; both or
 *  neither are returned. Waits for the device once a forward pass (the face counts). */
TK_API tk_status tk_face_detector_detect(tk_face_detector* detector, const DLTensor* frames,
                                         DLManagedTensorVersioned** faces, DLManagedTensorVersioned** counts);

/* ---- faces clustered into identities (trackkit::FaceClusterer) ---- */

typedef struct tk_face_clusterer_config {
  size_t struct_size;                      /**< set by tk_face_clusterer_config_init */
  const tk_face_detector_config* detector; /**< NULL: the defaults. Its device and precision serve the embedder too;
                                                the embedder takes its crops from the model's metadata */
  const tk_tracker_config* tracker;        /**< NULL: the face tracker (BoT-SORT with the embeddings as appearance
                                                cue, lost faces kept 2 s); its frame_rate becomes each input's fps.
                                                Configs pointed to are read during the create call */
  int32_t link_across_frames;              /**< 1: faces linked across frames (videos); 0: each face its own track */
  int32_t cluster_method;                  /**< tk_cluster_method: TK_CLUSTER_AGGLOMERATIVE */
  int32_t cluster_linkage;                 /**< tk_linkage: TK_LINKAGE_AVERAGE */
  int32_t reserved;                        /**< 0 */
  double cluster_distance_threshold;       /**< tracks closer than this (cosine distance) merge; the default is tuned
                                                for MobileFaceNet (docs/face_cluster.md) */
  double cluster_eps;                      /**< TK_CLUSTER_DENSITY's neighbourhood (cosine distance) */
  int64_t cluster_min_samples;             /**< TK_CLUSTER_DENSITY's core-point neighbours, itself included */
  int64_t best_faces;                      /**< 5: faces kept per track, highest quality first */
  double min_quality;                      /**< 0.05: faces below are tracked but neither kept nor embedded */
  int64_t min_track_faces;                 /**< 1: tracks with fewer kept faces are left out of the result */
  double min_size_px;                      /**< 16: quality 0 (not embedded) below this box side, pixels */
  double full_size_px;                     /**< 80: box short side at which the size term of the quality is 1 */
  double sharpness_half;                   /**< 100: Laplacian variance at which the sharpness term is 0.5 */
  int64_t sharpness_crop;                  /**< 112: side of the aligned grey crop the sharpness is measured on */
} tk_face_clusterer_config;

/** One face as found in a frame; an output: set struct_size = sizeof(tk_face_record) before the call. */
typedef struct tk_face_record {
  size_t struct_size;
  int64_t frame;       /**< frame index within its input, from 0 */
  double time;         /**< seconds: frame / fps of the input */
  float box[4];        /**< x1,y1,x2,y2, frame pixels */
  float landmarks[10]; /**< x0,y0 .. x4,y4: left eye, right eye, nose, mouth left, mouth right, frame pixels */
  float score;         /**< detector score */
  float quality;       /**< in [0,1]: size x score x sharpness x frontal pose (docs/face_cluster.md) */
} tk_face_record;

/** One person's face through consecutive frames; an output (struct_size set by the caller). */
typedef struct tk_face_track {
  size_t struct_size;
  int64_t id;          /**< tracker id, from 1 within its input */
  int64_t first_frame; /**< first and last frame the tracker linked a face into it */
  int64_t last_frame;
  int64_t faces_seen; /**< faces the tracker linked into it */
  int64_t best_faces; /**< faces kept (tk_face_result_track_face), up to the config's best_faces */
  int64_t identity;   /**< index of its identity in the result */
} tk_face_track;

/** One person: tracks whose embeddings clustered together; an output (struct_size set by the caller). */
typedef struct tk_face_identity {
  size_t struct_size;
  int64_t id;                   /**< from 0 within its input, in order of first appearance */
  int64_t tracks;               /**< number of its tracks (tk_face_result_identity_tracks) */
  int64_t representative_track; /**< index into the result's tracks of the track holding the best face */
} tk_face_identity;

/** Frames in, identities out: begin_input, add_frames in frame order, finish_input, for one input after another.
 *  Not thread-safe: one thread at a time per handle. */
typedef struct tk_face_clusterer tk_face_clusterer;
/** What finish_input found for one input; read-only: its accessors may be called from any threads at once. */
typedef struct tk_face_result tk_face_result;

TK_API tk_status tk_face_clusterer_config_init(tk_face_clusterer_config* config, size_t struct_size);
/** detector_path: a face export (as tk_face_detector_create); embedder_path: a face embedding model (as
 *  tk_embedder_create, e.g. MobileFaceNet). */
TK_API tk_status tk_face_clusterer_create(const char* detector_path, const char* embedder_path,
                                          const tk_face_clusterer_config* config, tk_face_clusterer** clusterer);
TK_API void tk_face_clusterer_destroy(tk_face_clusterer* clusterer);
/** The cudaStream_t (of the models' device) later calls run on; NULL (the default): the current stream. */
TK_API tk_status tk_face_clusterer_set_cuda_stream(tk_face_clusterer* clusterer, void* cuda_stream);
/** Runs both models once for frames of this size (and picks their batch sizes where they are 0). */
TK_API tk_status tk_face_clusterer_warmup(tk_face_clusterer* clusterer, int64_t frame_height, int64_t frame_width);
/** Starts an input (a video or an image folder) named `name` (copied); fps > 0 gives each face's time. An input
 *  already begun and not finished is an error. */
TK_API tk_status tk_face_clusterer_begin_input(tk_face_clusterer* clusterer, const char* name, double fps);
/** frames: uint8 [B,H,W,3] BGR on any device, the input's next B frames (read during the call only). Frames of
 *  different sizes may come in different calls. */
TK_API tk_status tk_face_clusterer_add_frames(tk_face_clusterer* clusterer, const DLTensor* frames);
/** Ends the input: clusters its tracks into identities. *result: a new result (tk_face_result_destroy). */
TK_API tk_status tk_face_clusterer_finish_input(tk_face_clusterer* clusterer, tk_face_result** result);
/** Faces detected and faces embedded so far, over every input; either pointer may be NULL. */
TK_API tk_status tk_face_clusterer_counts(const tk_face_clusterer* clusterer, int64_t* faces_detected,
                                          int64_t* faces_embedded);

TK_API void tk_face_result_destroy(tk_face_result* result);
/** The input's name (valid while the result lives), frames, fps, and the numbers of tracks and identities; any
 *  pointer may be NULL. */
TK_API tk_status tk_face_result_info(const tk_face_result* result, const char** input, int64_t* frames, double* fps,
                                     int64_t* tracks, int64_t* identities);
/** Identity `index` (0 .. identities-1) into *identity, up to identity->struct_size. */
TK_API tk_status tk_face_result_identity(const tk_face_result* result, int64_t index, tk_face_identity* identity);
/** *tracks: int64 [T] CPU, the indices into the result's tracks of identity `index`, in order of first frame. */
TK_API tk_status tk_face_result_identity_tracks(const tk_face_result* result, int64_t index,
                                                DLManagedTensorVersioned** tracks);
/** The highest-quality face among identity `index`'s tracks into *face, up to face->struct_size. */
TK_API tk_status tk_face_result_representative(const tk_face_result* result, int64_t index, tk_face_record* face);
/** Track `index` (0 .. tracks-1, by first frame) into *track, up to track->struct_size. */
TK_API tk_status tk_face_result_track(const tk_face_result* result, int64_t index, tk_face_track* track);
/** Best face `face_index` (0 .. best_faces-1, highest quality first) of track `track_index` into *face. */
TK_API tk_status tk_face_result_track_face(const tk_face_result* result, int64_t track_index, int64_t face_index,
                                           tk_face_record* face);
/** *embedding: float32 [D] CPU, the L2-normalised quality-weighted mean embedding of track `index`'s best faces. */
TK_API tk_status tk_face_result_track_embedding(const tk_face_result* result, int64_t index,
                                                DLManagedTensorVersioned** embedding);
/** *crops: uint8 [K,112,112,3] BGR CPU, the aligned crops of track `index`'s best faces, in their order. */
TK_API tk_status tk_face_result_track_crops(const tk_face_result* result, int64_t index,
                                            DLManagedTensorVersioned** crops);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* TRACKKIT_C_FACE_H */
