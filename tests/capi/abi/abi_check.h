/* Shared by the ABI compatibility tests (tests/capi/abi): canaries around caller structs and the list of structs
 * initialised by a tk_*_init. Included after "trackkit/trackkit.h" of whichever header the program is built
 * against (the frozen 1.0 copy or the grown one). */
#ifndef TRACKKIT_TESTS_CAPI_ABI_CHECK_H
#define TRACKKIT_TESTS_CAPI_ABI_CHECK_H
#include <stddef.h>
#include <string.h>

#include "check.h"

/* Bytes after a caller's struct that the library must neither write nor (as unknown fields) read. */
enum { TK_CANARY_BYTES = 64, TK_CANARY = 0xA5 };

/* A struct followed directly by its canary: `CANARIED(tk_x_config) c; canary_fill(&c, sizeof c);`. The canary
 * starts at sizeof(T) since a char array needs no alignment. */
#define CANARIED(T)                        \
  struct {                                 \
    T value;                               \
    unsigned char canary[TK_CANARY_BYTES]; \
  }

static inline void canary_fill(void* p, size_t n) { memset(p, TK_CANARY, n); }

/* 1 when the n bytes at p all equal value. */
static inline int bytes_all(const void* p, size_t n, unsigned char value) {
  const unsigned char* b = (const unsigned char*)p;
  size_t i;
  for (i = 0; i < n; ++i) {
    if (b[i] != value) return 0;
  }
  return 1;
}

static inline int canary_intact(const unsigned char* canary) { return bytes_all(canary, TK_CANARY_BYTES, TK_CANARY); }

/* Every struct with a tk_*_init, as X(type, init function). */
#define TK_ABI_INIT_STRUCTS(X)                     \
  X(tk_nms_config, tk_nms_config_init)             \
  X(tk_log_config, tk_log_config_init)             \
  X(tk_tracker_config, tk_tracker_config_init)     \
  X(tk_tracker_input, tk_tracker_input_init)       \
  X(tk_detector_config, tk_detector_config_init)   \
  X(tk_gmc_config, tk_gmc_config_init)             \
  X(tk_pipeline_config, tk_pipeline_config_init)   \
  X(tk_segmenter_config, tk_segmenter_config_init) \
  X(tk_embedder_config, tk_embedder_config_init)   \
  X(tk_cluster_config, tk_cluster_config_init)     \
  X(tk_e2p_view, tk_e2p_view_init)                 \
  X(tk_e2p_config, tk_e2p_config_init)             \
  X(tk_mot_eval_config, tk_mot_eval_config_init)

/* The output structs the library fills up to their struct_size (tk_segmenter_masks needs models: not listed). */
#define TK_ABI_OUTPUT_STRUCTS(X) X(tk_gmc_quality) X(tk_pipeline_times) X(tk_mot_seqinfo) X(tk_mot_metrics)

/* A borrowed CPU float tensor (bits 32 or 64). */
static inline DLTensor float_tensor(void* data, int32_t ndim, int64_t* shape, uint8_t bits) {
  return borrowed_cpu_tensor(data, ndim, shape, kDLFloat, bits);
}

/* The first element of a returned tensor, as T. */
#define TENSOR_DATA(T, managed) \
  ((const T*)(const void*)((const char*)(managed)->dl_tensor.data + (managed)->dl_tensor.byte_offset))

#endif
