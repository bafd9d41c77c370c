/* Uses the installed C ABI 1.0: the version guard, a tensor function and a config initialised in place. */
#include <math.h>
#include <stdio.h>

#include "trackkit/trackkit.h"

int main(void) {
  float a[4] = {0, 0, 10, 10}, b[4] = {5, 5, 15, 15};
  double box[5] = {10, 20, 50, 100, 0.9};
  int64_t shape[2] = {1, 4}, box_shape[2] = {1, 5};
  DLTensor ta = {0}, tb, tbox;
  DLManagedTensorVersioned *iou = NULL, *tracks = NULL;
  tk_tracker_config config;
  tk_tracker* tracker = NULL;
  float value;
  int32_t dlpack_major = 0;
  if (!tk_abi_compatible()) {
    fprintf(stderr, "libtrackkit_c %s does not serve ABI %d.%d\n", tk_version(), TK_ABI_VERSION_MAJOR,
            TK_ABI_VERSION_MINOR);
    return 1;
  }
  ta.data = a;
  ta.device.device_type = kDLCPU;
  ta.ndim = 2;
  ta.dtype.code = kDLFloat;
  ta.dtype.bits = 32;
  ta.dtype.lanes = 1;
  ta.shape = shape;
  tb = ta;
  tb.data = b;
  if (tk_box_iou(&ta, &tb, NULL, &iou) != TK_OK) {
    fprintf(stderr, "%s\n", tk_last_error());
    return 1;
  }
  tk_dlpack_version(&dlpack_major, NULL);
  value = ((const float*)iou->dl_tensor.data)[0];
  if ((int32_t)iou->version.major != dlpack_major) return 1;
  tk_tensor_free(iou);

  tbox = ta;
  tbox.data = box;
  tbox.dtype.bits = 64;
  tbox.shape = box_shape;
  if (tk_tracker_config_init(&config, sizeof config) != TK_OK || tk_tracker_create(&config, &tracker) != TK_OK ||
      tk_tracker_update(tracker, &tbox, &tracks) != TK_OK) {
    fprintf(stderr, "%s\n", tk_last_error());
    return 1;
  }
  printf("downstream C: trackkit %s, iou=%.6f, %lld track(s)\n", tk_version(), value,
         (long long)tracks->dl_tensor.shape[0]);
  tk_tensor_free(tracks);
  tk_tracker_destroy(tracker);
  return fabsf(value - 1.0f / 7.0f) < 1e-6f ? 0 : 1;
}
