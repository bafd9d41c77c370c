/* The C ABI from C99: status and errors, versions, DLPack in and out, box IoU, batched NMS, config structs. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "trackkit/trackkit.h"

/* A borrowed float32 CPU tensor over caller memory. */
static DLTensor cpu_tensor(float* data, int32_t ndim, int64_t* shape) {
  return borrowed_cpu_tensor(data, ndim, shape, kDLFloat, 32);
}

static void test_versions(void) {
  char expected[32];
  CHECK(tk_abi_version() == TK_ABI_VERSION);
  CHECK(strlen(tk_version()) >= 5);
  snprintf(expected, sizeof expected, "trackkit %s", tk_version());
  CHECK(strncmp(tk_build_info(), expected, strlen(expected)) == 0);
  CHECK(strcmp(tk_status_name(TK_OK), "ok") == 0);
  CHECK(strcmp(tk_status_name(TK_ERR_INVALID_ARGUMENT), "invalid argument") == 0);
  CHECK(strcmp(tk_status_name((tk_status)99), "unknown status") == 0);
  CHECK(tk_cuda_device_count() >= 0);
}

static void test_box_iou(void) {
  /* a = [0,0,10,10]; b = same box, a box overlapping 25 of 175, and a disjoint box. */
  float a[4] = {0, 0, 10, 10};
  float b[12] = {0, 0, 10, 10, 5, 5, 15, 15, 20, 20, 30, 30};
  int64_t shape_a[2] = {1, 4}, shape_b[2] = {3, 4};
  DLTensor ta = cpu_tensor(a, 2, shape_a), tb = cpu_tensor(b, 2, shape_b);
  DLManagedTensorVersioned* iou = NULL;
  const float* v;
  CHECK(tk_box_iou(&ta, &tb, &iou) == TK_OK);
  CHECK(strcmp(tk_last_error(), "") == 0);
  CHECK(iou != NULL);
  if (iou == NULL) return;
  CHECK(iou->version.major == DLPACK_MAJOR_VERSION);
  CHECK(iou->dl_tensor.ndim == 2 && iou->dl_tensor.shape[0] == 1 && iou->dl_tensor.shape[1] == 3);
  CHECK(iou->dl_tensor.dtype.code == kDLFloat && iou->dl_tensor.dtype.bits == 32);
  CHECK(iou->dl_tensor.device.device_type == kDLCPU);
  v = (const float*)((const char*)iou->dl_tensor.data + iou->dl_tensor.byte_offset);
  CHECK(fabsf(v[0] - 1.0f) < 1e-6f);
  CHECK(fabsf(v[1] - 1.0f / 7.0f) < 1e-6f);
  CHECK(v[2] == 0.0f);
  tk_tensor_free(iou);
  tk_tensor_free(NULL);
}

static void test_box_iou_strided_input(void) {
  /* Column-major [2,4] view: element (i,j) at data[j*2+i]; DLPack strides are in elements. */
  float data[8] = {0, 5, 0, 5, 10, 15, 10, 15}; /* rows: [0,0,10,10] and [5,5,15,15] */
  int64_t shape[2] = {2, 4}, strides[2] = {1, 2};
  DLTensor t = cpu_tensor(data, 2, shape);
  DLManagedTensorVersioned* iou = NULL;
  t.strides = strides;
  CHECK(tk_box_iou(&t, &t, &iou) == TK_OK);
  if (iou != NULL) {
    const float* v = (const float*)iou->dl_tensor.data;
    CHECK(fabsf(v[1] - 1.0f / 7.0f) < 1e-6f && fabsf(v[2] - 1.0f / 7.0f) < 1e-6f && fabsf(v[3] - 1.0f) < 1e-6f);
    tk_tensor_free(iou);
  }
}

static void test_errors_name_the_argument(void) {
  float a[12] = {0};
  int64_t shape_bad[2] = {4, 3}, shape_ok[2] = {3, 4};
  DLTensor bad = cpu_tensor(a, 2, shape_bad), ok = cpu_tensor(a, 2, shape_ok), cuda = ok;
  DLManagedTensorVersioned* out = NULL;
  tk_log_config config;

  CHECK(tk_box_iou(&bad, &ok, &out) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strcmp(tk_last_error(), "box_iou: boxes1 must have shape [N,4], got [4,3]") == 0);
  CHECK(out == NULL);
  CHECK(tk_box_iou(&ok, NULL, &out) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strcmp(tk_last_error(), "tk_box_iou: boxes2 is NULL") == 0);
  CHECK(tk_box_iou(&ok, &ok, NULL) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strcmp(tk_last_error(), "tk_box_iou: iou is NULL") == 0);

  ok.dtype.lanes = 4;
  CHECK(tk_box_iou(&ok, &ok, &out) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strstr(tk_last_error(), "tk_box_iou: boxes1 has vector lanes") == tk_last_error());
  ok.dtype.lanes = 1;
  ok.dtype.code = kDLInt;
  CHECK(tk_box_iou(&ok, &ok, &out) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strcmp(tk_last_error(), "box_iou: boxes1 must have dtype Half or BFloat16 or Float or Double, got Int") == 0);
  ok.dtype.code = kDLFloat;

  /* CUDA memory: a device error (no such GPU) or "built without CUDA"; never a crash. */
  cuda.device.device_type = kDLCUDA;
  cuda.device.device_id = 1000;
  CHECK(tk_box_iou(&cuda, &ok, &out) != TK_OK);
  CHECK(strstr(tk_last_error(), "tk_box_iou: boxes1 ") == tk_last_error());

  CHECK(tk_convert_boxes(&ok, TK_BOX_XYXY, (tk_box_format)9, &out) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strcmp(tk_last_error(), "tk_convert_boxes: to is not a tk_box_format value (9)") == 0);

  memset(&config, 0, sizeof config); /* not initialised with tk_log_config_defaults() */
  CHECK(tk_set_log_config(&config) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strstr(tk_last_error(), "config->struct_size is 0") != NULL);

  /* A success clears the message. */
  CHECK(tk_box_iou(&ok, &ok, &out) == TK_OK && strcmp(tk_last_error(), "") == 0);
  tk_tensor_free(out);
}

static void test_convert_boxes(void) {
  float xyxy[4] = {10, 20, 30, 60};
  int64_t shape[2] = {1, 4};
  DLTensor t = cpu_tensor(xyxy, 2, shape);
  DLManagedTensorVersioned* out = NULL;
  CHECK(tk_convert_boxes(&t, TK_BOX_XYXY, TK_BOX_CXCYAH, &out) == TK_OK);
  if (out != NULL) {
    const float* v = (const float*)out->dl_tensor.data;
    CHECK(v[0] == 20 && v[1] == 40 && v[2] == 0.5f && v[3] == 40);
    tk_tensor_free(out);
  }
}

static void test_batched_nms(void) {
  /* One image, 3 anchors, 2 classes: anchor 1 overlaps anchor 0 (IoU 0.81) with a lower score; anchor 2 is
     class 1 on top of anchor 0, kept by class-aware NMS, dropped by a class filter of {0}. */
  float boxes[12] = {0, 0, 10, 10, 0, 0, 9, 9, 0, 0, 10, 10};
  float scores[6] = {0.9f, 0.1f, 0.8f, 0.0f, 0.2f, 0.7f};
  int64_t box_shape[3] = {1, 3, 4}, score_shape[3] = {1, 3, 2};
  int64_t only_zero[1] = {0};
  DLTensor b = cpu_tensor(boxes, 3, box_shape), s = cpu_tensor(scores, 3, score_shape);
  DLManagedTensorVersioned *det = NULL, *counts = NULL;
  tk_nms_config config = tk_nms_config_defaults();
  const float* row;
  CHECK(config.struct_size == sizeof config && config.max_detections == 300 && config.iou_threshold == 0.45);
  config.max_detections = 4;
  CHECK(tk_batched_nms(&b, &s, &config, &det, &counts) == TK_OK);
  if (det == NULL || counts == NULL) return;
  CHECK(det->dl_tensor.ndim == 3 && det->dl_tensor.shape[1] == 4 && det->dl_tensor.shape[2] == 6);
  CHECK(counts->dl_tensor.dtype.code == kDLInt && counts->dl_tensor.dtype.bits == 64);
  CHECK(((const int64_t*)counts->dl_tensor.data)[0] == 2);
  row = (const float*)det->dl_tensor.data;
  CHECK(row[2] == 10 && row[4] == 0.9f && row[5] == 0); /* anchor 0 */
  CHECK(row[6 + 4] == 0.7f && row[6 + 5] == 1);         /* anchor 2, class 1 */
  CHECK(row[12] == 0 && row[23] == 0);                  /* padding rows */
  tk_tensor_free(det);
  tk_tensor_free(counts);

  config.classes = only_zero;
  config.num_classes = 1;
  CHECK(tk_batched_nms(&b, &s, &config, &det, &counts) == TK_OK);
  if (counts != NULL) CHECK(((const int64_t*)counts->dl_tensor.data)[0] == 1);
  tk_tensor_free(det);
  tk_tensor_free(counts);

  config.classes = NULL;
  CHECK(tk_batched_nms(&b, &s, &config, &det, &counts) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strcmp(tk_last_error(), "tk_batched_nms: config->classes is NULL") == 0);
  config = tk_nms_config_defaults();
  config.iou_threshold = 2;
  CHECK(tk_batched_nms(&b, &s, &config, &det, &counts) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strcmp(tk_last_error(), "batched_nms: options.iou_threshold must be in [0, 1], got 2") == 0);
  CHECK(tk_batched_nms(&b, &s, NULL, &det, &counts) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strcmp(tk_last_error(), "tk_batched_nms: config is NULL") == 0);
}

typedef struct {
  int calls;
  char last[256];
} log_capture;

static void capture(tk_log_level level, const char* message, void* user_data) {
  log_capture* c = (log_capture*)user_data;
  (void)level;
  ++c->calls;
  snprintf(c->last, sizeof c->last, "%s", message);
}

static void test_log_config(void) {
  log_capture cap = {0, ""};
  tk_log_config config = tk_log_config_defaults();
  CHECK(config.struct_size == sizeof(tk_log_config));
  CHECK(config.callback == NULL);
  config.level = TK_LOG_DEBUG;
  config.callback = capture;
  config.user_data = &cap;
  CHECK(tk_set_log_config(&config) == TK_OK);
  CHECK(cap.calls == 1);
  CHECK(strcmp(cap.last, "logging configured: level=debug, sink=custom") == 0);
  config.level = TK_LOG_WARN; /* the info line is now filtered out */
  CHECK(tk_set_log_config(&config) == TK_OK);
  CHECK(cap.calls == 1);
  config.level = (tk_log_level)42;
  CHECK(tk_set_log_config(&config) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strcmp(tk_last_error(), "tk_set_log_config: config->level is not a tk_log_level value (42)") == 0);
  config = tk_log_config_defaults();
  config.level = TK_LOG_WARN;
  CHECK(tk_set_log_config(&config) == TK_OK);
}

int main(void) {
  test_versions();
  test_box_iou();
  test_box_iou_strided_input();
  test_errors_name_the_argument();
  test_convert_boxes();
  test_batched_nms();
  test_log_config();
  return report();
}
