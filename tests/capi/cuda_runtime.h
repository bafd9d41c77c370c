/* The CUDA runtime for the C ABI tests' GPU paths, looked up at run time (the tests link only libtrackkit_c, and must
 * run where no GPU is): a caller's own cudaStream_t and device memory, as a C program on the CUDA runtime has them.
 * The library LibTorch already loaded is found by its name, so both share one runtime. */
#ifndef TRACKKIT_TESTS_CAPI_CUDA_RUNTIME_H
#define TRACKKIT_TESTS_CAPI_CUDA_RUNTIME_H
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include "trackkit/trackkit.h"

typedef struct cuda_runtime {
  int (*stream_create)(void** stream);
  int (*stream_destroy)(void* stream);
  int (*stream_synchronize)(void* stream);
  int (*malloc_device)(void** pointer, size_t bytes);
  int (*free_device)(void* pointer);
  int (*memcpy_any)(void* dst, const void* src, size_t bytes, int kind); /* cudaMemcpy, kind cudaMemcpyDefault */
} cuda_runtime;

/* The runtime's entry points into *rt; 0 (with a SKIPPED line naming `what`) without a GPU or a runtime library. */
static inline int cuda_runtime_load(cuda_runtime* rt, const char* what) {
  static const char* const libraries[] = {"libcudart.so.13", "libcudart.so.12", "libcudart.so"};
  static const char* const names[] = {"cudaStreamCreate", "cudaStreamDestroy", "cudaStreamSynchronize",
                                      "cudaMalloc",       "cudaFree",          "cudaMemcpy"};
  void* library = NULL;
  void* symbols[6];
  size_t i;
  if (tk_cuda_device_count() == 0) {
    printf("SKIPPED %s: no CUDA device\n", what);
    return 0;
  }
  for (i = 0; i < sizeof libraries / sizeof libraries[0] && library == NULL; ++i)
    library = dlopen(libraries[i], RTLD_NOW);
  if (library == NULL) {
    printf("SKIPPED %s: no libcudart\n", what);
    return 0;
  }
  for (i = 0; i < 6; ++i) {
    symbols[i] = dlsym(library, names[i]);
    if (symbols[i] == NULL) {
      printf("SKIPPED %s: libcudart lacks %s\n", what, names[i]);
      return 0;
    }
  }
  /* POSIX: a dlsym result converts to a function pointer (copied, since ISO C has no such cast). */
  memcpy(&rt->stream_create, &symbols[0], sizeof(void*));
  memcpy(&rt->stream_destroy, &symbols[1], sizeof(void*));
  memcpy(&rt->stream_synchronize, &symbols[2], sizeof(void*));
  memcpy(&rt->malloc_device, &symbols[3], sizeof(void*));
  memcpy(&rt->free_device, &symbols[4], sizeof(void*));
  memcpy(&rt->memcpy_any, &symbols[5], sizeof(void*));
  return 1;
}

enum { CUDA_MEMCPY_DEFAULT = 4 }; /* cudaMemcpyDefault: the direction from the pointers (unified addressing) */

/* A copy of `bytes` host bytes in new device memory of GPU 0 (NULL on failure). */
static inline void* cuda_upload(const cuda_runtime* rt, const void* host, size_t bytes) {
  void* device = NULL;
  if (rt->malloc_device(&device, bytes) != 0) return NULL;
  if (rt->memcpy_any(device, host, bytes, CUDA_MEMCPY_DEFAULT) != 0) {
    rt->free_device(device);
    return NULL;
  }
  return device;
}

/* `bytes` of a (device) tensor's memory into host memory; 0 on success. */
static inline int cuda_download(const cuda_runtime* rt, void* host, const DLTensor* t, size_t bytes) {
  return rt->memcpy_any(host, (const char*)t->data + t->byte_offset, bytes, CUDA_MEMCPY_DEFAULT);
}

/* A DLTensor's view of device memory of GPU 0, compact row-major. */
static inline DLTensor cuda_tensor(void* data, int32_t ndim, int64_t* shape, uint8_t code, uint8_t bits) {
  DLTensor t;
  memset(&t, 0, sizeof t);
  t.data = data;
  t.device.device_type = kDLCUDA;
  t.device.device_id = 0;
  t.ndim = ndim;
  t.dtype.code = code;
  t.dtype.bits = bits;
  t.dtype.lanes = 1;
  t.shape = shape;
  return t;
}

#endif
