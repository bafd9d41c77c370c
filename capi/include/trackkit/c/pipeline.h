/* trackkit C ABI: detection -> GMC -> tracking over one stream, and frame reading (docs/track_video.md).
 * Included by trackkit/trackkit.h. */
#ifndef TRACKKIT_C_PIPELINE_H
#define TRACKKIT_C_PIPELINE_H

#include "trackkit/c/core.h"
/* The component configs it points to. */
#include "trackkit/c/detector.h"
#include "trackkit/c/gmc.h"
#include "trackkit/c/tracker.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The components' configs are pointed to, not embedded, so each can grow on its own; they are read during
 *  tk_pipeline_create. */
typedef struct tk_pipeline_config {
  size_t struct_size;                 /**< set by tk_pipeline_config_init */
  const tk_detector_config* detector; /**< NULL: the detector's defaults except conf_threshold 0.1 */
  const tk_gmc_config* gmc;           /**< NULL: GMC's defaults; method TK_GMC_NONE turns camera motion off */
  const tk_tracker_config* tracker;   /**< NULL: the "ultralytics_botsort" preset */
} tk_pipeline_config;

/** Seconds per stage since tk_pipeline_create (GPU stages measured on the GPU), an output: set struct_size before
 *  tk_pipeline_times_get. tk_pipeline_reset keeps them. */
typedef struct tk_pipeline_times {
  size_t struct_size;
  int64_t frames;
  double upload, detect, wait, gmc, track, total;
  int64_t peak_memory_bytes; /**< the GPU's peak allocated bytes since creation or tk_pipeline_warmup (0: CPU) */
} tk_pipeline_times;

/** One stream's pipeline. Not thread-safe: one thread at a time per handle. */
typedef struct tk_pipeline tk_pipeline;
TK_API tk_status tk_pipeline_config_init(tk_pipeline_config* config, size_t struct_size);
TK_API tk_status tk_pipeline_create(const char* model_path, const tk_pipeline_config* config, tk_pipeline** pipeline);
TK_API void tk_pipeline_destroy(tk_pipeline* pipeline);
/** The cudaStream_t (of the model's device) later calls run on; NULL (the default): the current stream. */
TK_API tk_status tk_pipeline_set_cuda_stream(tk_pipeline* pipeline, void* cuda_stream);
/** Compiles kernels for this frame size and picks the batch size (tk_pipeline_batch_size) from free GPU memory. */
TK_API tk_status tk_pipeline_warmup(tk_pipeline* pipeline, int64_t frame_height, int64_t frame_width);
TK_API tk_status tk_pipeline_batch_size(const tk_pipeline* pipeline, int64_t* batch_size);
/** Number of the detector's class names, and one of them (valid while the pipeline lives). */
TK_API tk_status tk_pipeline_class_count(const tk_pipeline* pipeline, int64_t* count);
TK_API tk_status tk_pipeline_class_name(const tk_pipeline* pipeline, int64_t index, const char** name);
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

/** Frames of a video, image folder, MOT sequence folder or .npy file. Not thread-safe: one thread at a time. */
typedef struct tk_frame_reader tk_frame_reader;
/** Opens a video, an image folder, a MOT sequence folder or a .npy uint8 [N,H,W,3] array; frames are decoded
 *  ahead on background threads. max_frames: -1 for all. The defaults of tk_frame_reader_config otherwise. */
TK_API tk_status tk_frame_reader_open(const char* path, int64_t max_frames, tk_frame_reader** reader);

/** Where a video is decoded (trackkit::FrameReaderOptions::decode; docs/video.md). */
typedef enum tk_decode {
  TK_DECODE_AUTO = 0, /**< the GPU (FFmpeg's NVDEC) where this build and machine can, else the CPU */
  TK_DECODE_GPU = 1,  /**< the GPU, else tk_frame_reader_open_with fails (TK_ERR_UNSUPPORTED) */
  TK_DECODE_CPU = 2   /**< FFmpeg's libavcodec on the CPU (OpenCV's videoio in a build without FFmpeg) */
} tk_decode;

typedef struct tk_frame_reader_config {
  size_t struct_size;  /**< set by tk_frame_reader_config_init */
  int64_t max_frames;  /**< -1: all */
  int32_t decode;      /**< tk_decode of videos; TK_DECODE_AUTO */
  int32_t rgb;         /**< 0: BGR frames; 1: RGB (every source) */
  int32_t cuda_device; /**< 0: the GPU that decodes with TK_DECODE_AUTO / TK_DECODE_GPU */
  int32_t threads;     /**< decoding threads (image folders; FFmpeg on the CPU); 0: by cores */
  int64_t prefetch;    /**< 64 frames decoded ahead (videos through FFmpeg: at most 1 GiB of them) */
} tk_frame_reader_config;
TK_API tk_status tk_frame_reader_config_init(tk_frame_reader_config* config, size_t struct_size);
/** tk_frame_reader_open with a config (NULL is an error: initialise one with tk_frame_reader_config_init). */
TK_API tk_status tk_frame_reader_open_with(const char* path, const tk_frame_reader_config* config,
                                           tk_frame_reader** reader);
TK_API void tk_frame_reader_close(tk_frame_reader* reader);
/** frames: -1 when the container does not say. Any pointer may be NULL. */
TK_API tk_status tk_frame_reader_info(const tk_frame_reader* reader, int64_t* frames, int64_t* height, int64_t* width,
                                      double* fps);
/** *frames: the next up to max_frames frames, uint8 [b,H,W,3] BGR (RGB with config->rgb); b = 0 at the end. On the
 *  CPU (pinned where CUDA is), or on CUDA (device config->cuda_device) when the video decodes on the GPU: complete
 *  on return, usable on any stream. A damaged or truncated video gives its frames before the damage, then an error
 *  naming the path and the frame index. */
TK_API tk_status tk_frame_reader_read(tk_frame_reader* reader, int64_t max_frames, DLManagedTensorVersioned** frames);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* TRACKKIT_C_PIPELINE_H */
