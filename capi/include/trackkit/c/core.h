/* trackkit C ABI: status and errors, versions, tensors, boxes, NMS, logging, precision (docs/c-abi.md). Part of
 * trackkit/trackkit.h, whose comment states the rules every tk_* function follows. */
#ifndef TRACKKIT_C_CORE_H
#define TRACKKIT_C_CORE_H

#include <stddef.h>
#include <stdint.h>

#include "dlpack/dlpack.h"

#if !defined(DLPACK_MAJOR_VERSION) || DLPACK_MAJOR_VERSION != 1
#error "trackkit's C ABI needs a DLPack 1.x header (dlpack/dlpack.h)"
#endif

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

/** The library release this header belongs to (semantic versioning). */
#define TK_VERSION_MAJOR 1
#define TK_VERSION_MINOR 0
#define TK_VERSION_PATCH 0
#define TK_VERSION_STRING "1.0.0"
/** The C ABI: the major changes only when binary compatibility breaks (it is the SONAME's number,
 *  libtrackkit_c.so.1); the minor grows when functions or struct fields are appended. */
#define TK_ABI_VERSION_MAJOR 1
#define TK_ABI_VERSION_MINOR 1

typedef enum tk_status {
  TK_OK = 0,
  TK_ERR_INVALID_ARGUMENT = 1, /**< wrong shape, dtype, value, NULL pointer, bad struct_size */
  TK_ERR_DEVICE = 2,           /**< wrong, mixed or unavailable device */
  TK_ERR_NOT_FOUND = 3,        /**< a file does not exist */
  TK_ERR_MODEL = 4,            /**< a model file is corrupt or of the wrong kind */
  TK_ERR_OUT_OF_MEMORY = 5,    /**< host or device memory exhausted */
  TK_ERR_CUDA = 6,             /**< CUDA runtime, driver or kernel error */
  TK_ERR_UNSUPPORTED = 7,      /**< not available in this build, on this device, or a newer struct field set */
  TK_ERR_INTERNAL = 8          /**< a bug, or an unexpected error from a dependency */
} tk_status;

/** Message of the last tk_* call on this thread: "" after success. Valid until the thread's next tk_* call. */
TK_API const char* tk_last_error(void);
/** Static name of a status, e.g. "invalid argument". */
TK_API const char* tk_status_name(tk_status status);
/** Library version "major.minor.patch" (static storage). */
TK_API const char* tk_version(void);
/** The library's TK_VERSION_MAJOR / MINOR / PATCH; any pointer may be NULL. */
TK_API void tk_version_numbers(int32_t* major, int32_t* minor, int32_t* patch);
/** The library's TK_ABI_VERSION_MAJOR / MINOR; any pointer may be NULL. A program may run against a library whose
 *  ABI major equals the one it was built with and whose minor is at least as large (tk_abi_compatible). */
TK_API void tk_abi_version(int32_t* major, int32_t* minor);
/** The DLPACK_MAJOR_VERSION / DLPACK_MINOR_VERSION of the tensors the library returns; any pointer may be NULL. */
TK_API void tk_dlpack_version(int32_t* major, int32_t* minor);
/** One line: version, CUDA kernels, LibTorch and OpenCV versions. */
TK_API const char* tk_build_info(void);
/** Number of CUDA GPUs trackkit can use (0 in a CPU-only build). */
TK_API int32_t tk_cuda_device_count(void);
/** Returns the GPU memory LibTorch's caching allocator holds but no tensor uses to the driver, on every device (what
 *  torch.cuda.empty_cache() does). Tensors and handles stay valid. A no-op without CUDA. */
TK_API tk_status tk_release_cached_memory(void);

/** 1 when the library loaded at run time serves a program built with this header, else 0. */
static inline int tk_abi_compatible(void) {
  int32_t major = 0, minor = 0;
  tk_abi_version(&major, &minor);
  return major == TK_ABI_VERSION_MAJOR && minor >= TK_ABI_VERSION_MINOR;
}

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
 *  CPU or CUDA (both on one device). *iou receives a new tensor on the same device. cuda_stream: a cudaStream_t
 *  of that device, or NULL for the current stream (ignored for CPU tensors). Thread-safe. */
TK_API tk_status tk_box_iou(const DLTensor* boxes1, const DLTensor* boxes2, void* cuda_stream,
                            DLManagedTensorVersioned** iou);

/** Converts boxes [...,4] between formats; *out receives a new tensor. Thread-safe. */
TK_API tk_status tk_convert_boxes(const DLTensor* boxes, tk_box_format from, tk_box_format to, void* cuda_stream,
                                  DLManagedTensorVersioned** out);

/* ---- batched NMS of detector outputs (trackkit::batched_nms; docs/core.md, "Batched NMS") ---- */

typedef struct tk_nms_config {
  size_t struct_size;     /**< set by tk_nms_config_init */
  double conf_threshold;  /**< 0.25: candidates have a best class score > this; [0,1] */
  double iou_threshold;   /**< 0.45: a kept box suppresses boxes with IoU > this; [0,1] */
  double class_offset;    /**< 7680: class-aware NMS shifts boxes by class * this (ultralytics' max_wh) */
  int64_t max_candidates; /**< 30000: highest-scoring candidates kept before NMS */
  int64_t max_detections; /**< 300: detections kept per image */
  const int64_t* classes; /**< NULL: all classes; else only these num_classes class ids (read during the call) */
  int64_t num_classes;    /**< 0: length of classes */
  int32_t agnostic;       /**< 0: class-aware; 1: one NMS over all classes */
} tk_nms_config;

/** Writes the defaults into the first struct_size bytes of *config and sets config->struct_size. */
TK_API tk_status tk_nms_config_init(tk_nms_config* config, size_t struct_size);
/** Per image: best class, score > conf_threshold, top max_candidates, greedy NMS, first max_detections
 *  (ultralytics' non_max_suppression). boxes [B,A,4] x1y1x2y2 and scores [B,A,C], one floating dtype, one
 *  device (CPU or CUDA), any strides. *detections: float32 [B,max_detections,6] x1,y1,x2,y2,score,class,
 *  rows past counts[b] zero; *counts: int64 [B]; both new tensors on the inputs' device (CUDA: no host sync).
 *  Thread-safe. */
TK_API tk_status tk_batched_nms(const DLTensor* boxes, const DLTensor* scores, const tk_nms_config* config,
                                void* cuda_stream, DLManagedTensorVersioned** detections,
                                DLManagedTensorVersioned** counts);

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
  size_t struct_size;       /**< set by tk_log_config_init */
  tk_log_level level;       /**< default TK_LOG_WARN (or $TRACKKIT_LOG_LEVEL) */
  tk_log_callback callback; /**< default NULL: messages go to stderr */
  void* user_data;          /**< passed to callback; default NULL */
} tk_log_config;

TK_API tk_status tk_log_config_init(tk_log_config* config, size_t struct_size);
/** Applies a logging configuration (process-wide, thread-safe) and logs one info line describing it. */
TK_API tk_status tk_set_log_config(const tk_log_config* config);

/* ---- precision of model components ---- */
typedef enum tk_precision { TK_PRECISION_FP32 = 0, TK_PRECISION_FP16 = 1, TK_PRECISION_BF16 = 2 } tk_precision;

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* TRACKKIT_C_CORE_H */
