/* Uses the installed C ABI. */
#include <math.h>
#include <stdio.h>

#include "trackkit/trackkit.h"

int main(void) {
  float a[4] = {0, 0, 10, 10}, b[4] = {5, 5, 15, 15};
  int64_t shape[2] = {1, 4};
  DLTensor ta = {0}, tb;
  DLManagedTensorVersioned* iou = NULL;
  float value;
  ta.data = a;
  ta.device.device_type = kDLCPU;
  ta.ndim = 2;
  ta.dtype.code = kDLFloat;
  ta.dtype.bits = 32;
  ta.dtype.lanes = 1;
  ta.shape = shape;
  tb = ta;
  tb.data = b;
  if (tk_abi_version() != TK_ABI_VERSION) return 1;
  if (tk_box_iou(&ta, &tb, &iou) != TK_OK) {
    fprintf(stderr, "%s\n", tk_last_error());
    return 1;
  }
  value = ((const float*)iou->dl_tensor.data)[0];
  tk_tensor_free(iou);
  printf("downstream C: trackkit %s, iou=%.6f\n", tk_version(), value);
  return fabsf(value - 1.0f / 7.0f) < 1e-6f ? 0 : 1;
}
