/* trackkit C ABI (C99). Rules (docs/c-abi.md):
 *  - every function that can fail returns tk_status; on failure tk_last_error() (thread-local) says why,
 *    naming the argument at fault; on success it is "" again;
 *  - no C++ exception crosses this boundary; only tk_* symbols are exported;
 *  - objects are opaque handles created and destroyed by tk_*_create / tk_*_destroy;
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

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* TRACKKIT_TRACKKIT_H */
