/* trackkit C ABI: face / person ReID embeddings and identity clustering (docs/embedder.md).
 * Included by trackkit/trackkit.h. */
#ifndef TRACKKIT_C_EMBEDDER_H
#define TRACKKIT_C_EMBEDDER_H

#include "trackkit/c/core.h"

#ifdef __cplusplus
extern "C" {
#endif

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
  size_t struct_size;   /**< set by tk_embedder_config_init */
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

/** A TorchScript embedding model (tools/embedder/convert_models.py). Not thread-safe: one thread at a time. */
typedef struct tk_embedder tk_embedder;
TK_API tk_status tk_embedder_config_init(tk_embedder_config* config, size_t struct_size);
TK_API tk_status tk_embedder_create(const char* model_path, const tk_embedder_config* config, tk_embedder** embedder);
TK_API void tk_embedder_destroy(tk_embedder* embedder);
/** The cudaStream_t (of the model's device) later calls run on; NULL (the default): the current stream. */
TK_API tk_status tk_embedder_set_cuda_stream(tk_embedder* embedder, void* cuda_stream);
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
/** The model's input crops of tk_embedder_embed: *crops [N,3,h,w] normalised, in the model's channel order and
 *  precision, on the frames' device (what the model sees; for inspection or another model). */
TK_API tk_status tk_embedder_crop_boxes(const tk_embedder* embedder, const DLTensor* frames, const DLTensor* boxes,
                                        DLManagedTensorVersioned** crops);
/** The crops of tk_embedder_embed_aligned, likewise. */
TK_API tk_status tk_embedder_crop_aligned(const tk_embedder* embedder, const DLTensor* frames,
                                          const DLTensor* landmarks, const DLTensor* frame_index,
                                          DLManagedTensorVersioned** crops);
/** Embeddings of crops the caller made: crops float [N,3,h,w] as tk_embedder_crop_boxes gives them. */
TK_API tk_status tk_embedder_embed_crops(tk_embedder* embedder, const DLTensor* crops,
                                         DLManagedTensorVersioned** embeddings);

/* ---- clustering (thread-safe functions) ---- */

typedef enum tk_cluster_method { TK_CLUSTER_AGGLOMERATIVE = 0, TK_CLUSTER_DENSITY = 1 } tk_cluster_method;
typedef enum tk_linkage { TK_LINKAGE_AVERAGE = 0, TK_LINKAGE_COMPLETE = 1, TK_LINKAGE_SINGLE = 2 } tk_linkage;
typedef struct tk_cluster_config {
  size_t struct_size;        /**< set by tk_cluster_config_init */
  int32_t method;            /**< TK_CLUSTER_AGGLOMERATIVE */
  int32_t linkage;           /**< TK_LINKAGE_AVERAGE */
  double distance_threshold; /**< 0.5: clusters at cosine distance below this merge */
  double eps;                /**< 0.3: density neighbourhood (cosine distance) */
  int64_t min_samples;       /**< 3: neighbours (itself included) of a core point */
} tk_cluster_config;
TK_API tk_status tk_cluster_config_init(tk_cluster_config* config, size_t struct_size);
/** embeddings: float [N,D] (CPU or CUDA) -> *labels: int64 [N] on the same device (clusters 0.. by first row; -1:
 *  noise of the density method). */
TK_API tk_status tk_cluster_embeddings(const DLTensor* embeddings, const tk_cluster_config* config, void* cuda_stream,
                                       DLManagedTensorVersioned** labels);
/** Purity and adjusted Rand index of labels against true ids (both int64 [N], CPU). */
TK_API tk_status tk_score_clusters(const DLTensor* labels, const DLTensor* truth, double* purity,
                                   double* adjusted_rand);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* TRACKKIT_C_EMBEDDER_H */
