/* trackkit C ABI: the segmenter (SAM-family box-prompted masks; docs/segmenter.md) and mask utilities.
 * Included by trackkit/trackkit.h. */
#ifndef TRACKKIT_C_SEGMENTER_H
#define TRACKKIT_C_SEGMENTER_H

#include "trackkit/c/core.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Fields as trackkit::SegmenterOptions (include/trackkit/segmenter.hpp documents each). */
typedef struct tk_segmenter_config {
  size_t struct_size;         /**< set by tk_segmenter_config_init */
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

/** An encoder + decoder pair. Not thread-safe: one thread at a time per handle. */
typedef struct tk_segmenter tk_segmenter;
/** Image embeddings of a batch of frames (one size), from tk_segmenter_encode; read-only after it (any threads). */
typedef struct tk_segmenter_embeddings tk_segmenter_embeddings;
/** Masks of N boxes, M a box (1, or 3 with multimask_output); tensors the caller owns, on the model's device.
 *  An output: set struct_size = sizeof(tk_segmenter_masks) and the pointers to NULL before the call; release the
 *  tensors with tk_segmenter_masks_free. */
typedef struct tk_segmenter_masks {
  size_t struct_size;
  DLManagedTensorVersioned* masks;      /**< bool [N,M,H,W], or NULL without full_resolution */
  DLManagedTensorVersioned* low_res;    /**< float32 [N,M,256,256] logits over the padded input square */
  DLManagedTensorVersioned* scores;     /**< float32 [N,M] predicted IoU */
  DLManagedTensorVersioned* boxes;      /**< float32 [N,5] frame index, x1,y1,x2,y2 clamped to the frame */
  DLManagedTensorVersioned* mask_boxes; /**< float32 [N,M,4] tight mask boxes, or NULL without mask_boxes */
} tk_segmenter_masks;

TK_API tk_status tk_segmenter_config_init(tk_segmenter_config* config, size_t struct_size);
/** Loads an encoder + decoder pair: TorchScript (tools/segmenter/export_sam.py) or, for paths ending in ".pt2" on
 *  CUDA, AOTInductor packages (tools/segmenter/compile_aoti.py); TK_ERR_MODEL for a mismatched pair. */
TK_API tk_status tk_segmenter_create(const char* encoder_path, const char* decoder_path,
                                     const tk_segmenter_config* config, tk_segmenter** segmenter);
TK_API void tk_segmenter_destroy(tk_segmenter* segmenter);
/** The cudaStream_t (of the model's device) later calls run on; NULL (the default): the current stream. */
TK_API tk_status tk_segmenter_set_cuda_stream(tk_segmenter* segmenter, void* cuda_stream);
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

/* ---- masks (thread-safe functions) ---- */

/** COCO RLE (column-major, pycocotools-compatible) of bool/uint8 masks [N,H,W] on any device: *counts int64 [C]
 *  all masks' run lengths one after another, *offsets int64 [N+1] where mask i's runs start (CPU tensors). */
TK_API tk_status tk_rle_encode(const DLTensor* masks, void* cuda_stream, DLManagedTensorVersioned** counts,
                               DLManagedTensorVersioned** offsets);
/** pycocotools' compressed counts string of one mask's runs into buffer (capacity bytes with the terminating
 *  NUL); *length receives the string's length (also when the buffer is too small: TK_ERR_INVALID_ARGUMENT). */
TK_API tk_status tk_rle_to_string(const int64_t* counts, int64_t num_counts, char* buffer, size_t capacity,
                                  size_t* length);
/** Decodes a compressed counts string of a height x width mask into *mask: bool [H,W] on the CPU. */
TK_API tk_status tk_rle_decode_string(const char* counts, int64_t height, int64_t width,
                                      DLManagedTensorVersioned** mask);
/** IoU of masks a [N,H,W] and b [M,H,W] (bool/uint8, one device): *iou float64 [N,M] on the CPU. */
TK_API tk_status tk_mask_iou(const DLTensor* a, const DLTensor* b, void* cuda_stream, DLManagedTensorVersioned** iou);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* TRACKKIT_C_SEGMENTER_H */
