/* Shared by the C ABI tests: a CHECK that counts and reports, and borrowed CPU tensors. */
#ifndef TRACKKIT_TESTS_CAPI_CHECK_H
#define TRACKKIT_TESTS_CAPI_CHECK_H
#include <stdio.h>
#include <string.h>

#include "trackkit/trackkit.h"

static int passed = 0, failed = 0;

#define CHECK(cond)                                                                                                \
  do {                                                                                                             \
    if (cond) {                                                                                                    \
      ++passed;                                                                                                    \
    } else {                                                                                                       \
      ++failed;                                                                                                    \
      fprintf(stderr, "%s:%d: CHECK(%s) failed; tk_last_error: %s\n", __FILE__, __LINE__, #cond, tk_last_error()); \
    }                                                                                                              \
  } while (0)

/* A borrowed CPU tensor over caller memory, compact row-major; code: kDLUInt, kDLInt or kDLFloat. */
static inline DLTensor borrowed_cpu_tensor(void* data, int32_t ndim, int64_t* shape, uint8_t code, uint8_t bits) {
  DLTensor t;
  memset(&t, 0, sizeof t);
  t.data = data;
  t.device.device_type = kDLCPU;
  t.ndim = ndim;
  t.dtype.code = code;
  t.dtype.bits = bits;
  t.dtype.lanes = 1;
  t.shape = shape;
  return t;
}

/* Prints the closing line and gives the exit status. */
static int report(void) {
  printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}

#endif
