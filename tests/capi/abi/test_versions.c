/* The version contract (docs/c-abi.md, "Versions"): the header's TK_VERSION_* / TK_ABI_VERSION_* macros equal what
 * the library reports at run time, tk_abi_compatible() holds, and the tensors the library returns carry the DLPack
 * version tk_dlpack_version() names, a 1.x one like the header's. */
#include <stdio.h>
#include <string.h>

#include "abi_check.h"
#include "trackkit/trackkit.h"

static void test_library_version(void) {
  int32_t major = -1, minor = -1, patch = -1;
  char text[32];
  tk_version_numbers(&major, &minor, &patch);
  CHECK(major == TK_VERSION_MAJOR && minor == TK_VERSION_MINOR && patch == TK_VERSION_PATCH);
  CHECK(strcmp(tk_version(), TK_VERSION_STRING) == 0);
  snprintf(text, sizeof text, "%d.%d.%d", TK_VERSION_MAJOR, TK_VERSION_MINOR, TK_VERSION_PATCH);
  CHECK(strcmp(TK_VERSION_STRING, text) == 0);
  CHECK(strstr(tk_build_info(), TK_VERSION_STRING) != NULL);
  tk_version_numbers(NULL, NULL, NULL); /* any pointer may be NULL */
  minor = -1;
  tk_version_numbers(NULL, &minor, NULL);
  CHECK(minor == TK_VERSION_MINOR);
}

static void test_abi_version(void) {
  int32_t major = -1, minor = -1;
  tk_abi_version(&major, &minor);
  CHECK(major == TK_ABI_VERSION_MAJOR && minor == TK_ABI_VERSION_MINOR);
  CHECK(tk_abi_compatible() == 1);
  tk_abi_version(NULL, NULL);
}

/* A returned tensor's DLManagedTensorVersioned.version is the library's DLPack version, the header's major. */
static void test_dlpack_version(void) {
  float a[4] = {0, 0, 10, 10}, b[4] = {5, 5, 15, 15};
  int64_t shape[2] = {1, 4};
  DLTensor ta = float_tensor(a, 2, shape, 32), tb = float_tensor(b, 2, shape, 32);
  DLManagedTensorVersioned* iou = NULL;
  int32_t major = -1, minor = -1;
  tk_dlpack_version(&major, &minor);
  CHECK(major == 1 && major == DLPACK_MAJOR_VERSION && minor >= 0);
  CHECK(tk_box_iou(&ta, &tb, NULL, &iou) == TK_OK && iou != NULL);
  if (iou != NULL) {
    CHECK((int32_t)iou->version.major == major && (int32_t)iou->version.minor == minor);
    CHECK(iou->deleter != NULL);
    CHECK(TENSOR_DATA(float, iou)[0] > 0.1428f && TENSOR_DATA(float, iou)[0] < 0.1429f); /* 25 / 175 */
  }
  tk_tensor_free(iou);
  tk_dlpack_version(NULL, NULL);
}

/* The status names cover every code, TK_ERR_CUDA included; releasing cached memory works with or without CUDA. */
static void test_status_and_memory(void) {
  CHECK(strcmp(tk_status_name(TK_OK), "ok") == 0);
  CHECK(strcmp(tk_status_name(TK_ERR_CUDA), "CUDA error") == 0);
  CHECK(strcmp(tk_status_name((tk_status)99), "unknown status") == 0);
  CHECK(tk_release_cached_memory() == TK_OK && strcmp(tk_last_error(), "") == 0);
}

int main(void) {
  test_library_version();
  test_abi_version();
  test_dlpack_version();
  test_status_and_memory();
  printf("trackkit %s, ABI %d.%d, %s\n", tk_version(), TK_ABI_VERSION_MAJOR, TK_ABI_VERSION_MINOR, tk_build_info());
  return report();
}
