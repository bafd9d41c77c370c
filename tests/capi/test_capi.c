/* The C ABI from C99: status and errors, versions, DLPack in and out (negative strides too), box IoU, batched NMS,
 * config structs initialised in place and read up to their struct_size, logging. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "cuda_runtime.h"
#include "trackkit/trackkit.h"

/* A borrowed float32 CPU tensor over caller memory. */
static DLTensor cpu_tensor(float* data, int32_t ndim, int64_t* shape) {
  return borrowed_cpu_tensor(data, ndim, shape, kDLFloat, 32);
}

static void test_versions(void) {
  char expected[32];
  int32_t major = -1, minor = -1, patch = -1;
  tk_abi_version(&major, &minor);
  CHECK(major == TK_ABI_VERSION_MAJOR && minor == TK_ABI_VERSION_MINOR && tk_abi_compatible() == 1);
  tk_version_numbers(&major, &minor, &patch);
  CHECK(major == TK_VERSION_MAJOR && minor == TK_VERSION_MINOR && patch == TK_VERSION_PATCH);
  snprintf(expected, sizeof expected, "%d.%d.%d", (int)major, (int)minor, (int)patch);
  CHECK(strcmp(tk_version(), expected) == 0 && strcmp(tk_version(), TK_VERSION_STRING) == 0);
  tk_dlpack_version(&major, &minor);
  CHECK(major == DLPACK_MAJOR_VERSION && minor == DLPACK_MINOR_VERSION);
  tk_version_numbers(NULL, NULL, NULL); /* every pointer may be NULL */
  tk_abi_version(NULL, NULL);
  tk_dlpack_version(NULL, NULL);
  snprintf(expected, sizeof expected, "trackkit %s", tk_version());
  CHECK(strncmp(tk_build_info(), expected, strlen(expected)) == 0);
  CHECK(strcmp(tk_status_name(TK_OK), "ok") == 0);
  CHECK(strcmp(tk_status_name(TK_ERR_INVALID_ARGUMENT), "invalid argument") == 0);
  CHECK(strcmp(tk_status_name((tk_status)99), "unknown status") == 0);
  CHECK(tk_cuda_device_count() >= 0);
  CHECK(tk_release_cached_memory() == TK_OK); /* a no-op without CUDA, and tensors stay valid with it */
}

static void test_box_iou(void) {
  /* a = [0,0,10,10]; b = same box, a box overlapping 25 of 175, and a disjoint box. */
  float a[4] = {0, 0, 10, 10};
  float b[12] = {0, 0, 10, 10, 5, 5, 15, 15, 20, 20, 30, 30};
  int64_t shape_a[2] = {1, 4}, shape_b[2] = {3, 4};
  DLTensor ta = cpu_tensor(a, 2, shape_a), tb = cpu_tensor(b, 2, shape_b);
  DLManagedTensorVersioned* iou = NULL;
  const float* v;
  CHECK(tk_box_iou(&ta, &tb, NULL, &iou) == TK_OK);
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
  CHECK(tk_box_iou(&t, &t, NULL, &iou) == TK_OK);
  if (iou != NULL) {
    const float* v = (const float*)iou->dl_tensor.data;
    CHECK(fabsf(v[1] - 1.0f / 7.0f) < 1e-6f && fabsf(v[2] - 1.0f / 7.0f) < 1e-6f && fabsf(v[3] - 1.0f) < 1e-6f);
    tk_tensor_free(iou);
  }
}

static void test_box_iou_negative_strides(void) {
  /* A reversed view (numpy's boxes[::-1]): strides {-4,1}, data at the last row. tensor.cpp copies it; the IoU must
     be that of the rows in reversed order, written out by hand. */
  float rows[12] = {0, 0, 10, 10, 5, 5, 15, 15, 2, 0, 12, 8};
  float reversed[12] = {2, 0, 12, 8, 5, 5, 15, 15, 0, 0, 10, 10};
  float other[8] = {0, 0, 10, 10, 4, 4, 12, 12};
  int64_t shape[2] = {3, 4}, other_shape[2] = {2, 4}, strides[2] = {-4, 1};
  DLTensor view = cpu_tensor(rows + 8, 2, shape), plain = cpu_tensor(reversed, 2, shape);
  DLTensor b = cpu_tensor(other, 2, other_shape);
  DLManagedTensorVersioned *got = NULL, *want = NULL;
  view.strides = strides;
  CHECK(tk_box_iou(&view, &b, NULL, &got) == TK_OK && tk_box_iou(&plain, &b, NULL, &want) == TK_OK);
  if (got != NULL && want != NULL) {
    CHECK(got->dl_tensor.shape[0] == 3 && got->dl_tensor.shape[1] == 2);
    CHECK(memcmp(got->dl_tensor.data, want->dl_tensor.data, 6 * sizeof(float)) == 0);
    CHECK(((const float*)got->dl_tensor.data)[4] == 1.0f); /* row 2 of the view is rows[0] = other[0] */
  }
  CHECK(rows[0] == 0 && rows[8] == 2); /* the caller's memory is not touched */
  tk_tensor_free(got);
  tk_tensor_free(want);
}

static void test_tensor_import_limits(void) {
  /* Shapes and strides whose element count or byte extent overflows int64, and data not aligned to its elements:
     each a status naming the argument (issue 26: these were signed overflow, a LibTorch abort, misaligned loads). */
  float data[9] = {0, 0, 10, 10, 0, 0, 10, 10, 0};
  float other[4] = {0, 0, 10, 10};
  int64_t huge_shape[3] = {INT64_C(1) << 32, INT64_C(1) << 32, 4}, shape[2] = {1, 4},
          huge_strides[2] = {INT64_MAX / 2, 1};
  int64_t one_shape[2] = {2, 4};
  DLTensor huge = cpu_tensor(data, 3, huge_shape), b = cpu_tensor(other, 2, shape);
  DLTensor strided = cpu_tensor(data, 2, one_shape), misaligned = cpu_tensor(data, 2, shape);
  DLManagedTensorVersioned* iou = NULL;
  CHECK(tk_box_iou(&huge, &b, NULL, &iou) == TK_ERR_INVALID_ARGUMENT && iou == NULL);
  CHECK(strstr(tk_last_error(), "boxes1 has a shape whose element count overflows int64") != NULL);
  strided.strides = huge_strides;
  CHECK(tk_box_iou(&strided, &b, NULL, &iou) == TK_ERR_INVALID_ARGUMENT && iou == NULL);
  CHECK(strstr(tk_last_error(), "boxes1 has strides whose byte extent overflows int64") != NULL);
  misaligned.byte_offset = 2;
  CHECK(tk_box_iou(&b, &misaligned, NULL, &iou) == TK_ERR_INVALID_ARGUMENT && iou == NULL);
  CHECK(strstr(tk_last_error(), "boxes2 has data + byte_offset not aligned to its 4-byte elements") != NULL);
  misaligned.byte_offset = 4; /* aligned: one float in */
  CHECK(tk_box_iou(&b, &misaligned, NULL, &iou) == TK_OK);
  tk_tensor_free(iou);
}

static void test_struct_sizes(void) {
  /* A caller built against a newer header: a larger struct whose unknown tail is zero reads like the known part;
     a set byte there is a field this library cannot honour. One too small (an uninitialised size) is refused. */
  struct {
    tk_nms_config known;
    unsigned char newer[16];
  } grown;
  float boxes[4] = {0, 0, 10, 10}, scores[1] = {0.9f};
  int64_t box_shape[3] = {1, 1, 4}, score_shape[3] = {1, 1, 1};
  DLTensor b = cpu_tensor(boxes, 3, box_shape), s = cpu_tensor(scores, 3, score_shape);
  DLManagedTensorVersioned *det = NULL, *counts = NULL;
  tk_nms_config small;
  memset(&grown, 0xAB, sizeof grown);
  CHECK(tk_nms_config_init(&grown.known, sizeof grown) == TK_OK);
  CHECK(grown.known.struct_size == sizeof grown && grown.known.max_detections == 300 && grown.newer[15] == 0);
  CHECK(tk_batched_nms(&b, &s, &grown.known, NULL, &det, &counts) == TK_OK);
  if (counts != NULL) CHECK(((const int64_t*)counts->dl_tensor.data)[0] == 1);
  tk_tensor_free(det);
  tk_tensor_free(counts);
  grown.newer[3] = 1;
  det = counts = NULL;
  CHECK(tk_batched_nms(&b, &s, &grown.known, NULL, &det, &counts) == TK_ERR_UNSUPPORTED && det == NULL);
  CHECK(strstr(tk_last_error(), "tk_batched_nms: config sets a field at byte ") == tk_last_error());
  CHECK(tk_nms_config_init(&small, 8) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strcmp(tk_last_error(),
               "tk_nms_config_init: struct_size is 8, smaller than any tk_nms_config (72 bytes); "
               "pass sizeof(tk_nms_config)") == 0);
  CHECK(tk_nms_config_init(NULL, sizeof small) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strcmp(tk_last_error(), "tk_nms_config_init: config is NULL") == 0);
}

static void test_stream_ignored_for_cpu_tensors(void) {
  /* The per-call stream only matters for CUDA inputs: with CPU tensors any value is ignored (never dereferenced). */
  float a[4] = {0, 0, 10, 10};
  int64_t shape[2] = {1, 4};
  int not_a_stream = 0;
  DLTensor t = cpu_tensor(a, 2, shape);
  DLManagedTensorVersioned* out = NULL;
  CHECK(tk_box_iou(&t, &t, &not_a_stream, &out) == TK_OK && out != NULL);
  if (out != NULL) CHECK(((const float*)out->dl_tensor.data)[0] == 1.0f);
  tk_tensor_free(out);
  out = NULL;
  CHECK(tk_convert_boxes(&t, TK_BOX_XYXY, TK_BOX_XYWH, &not_a_stream, &out) == TK_OK && out != NULL);
  tk_tensor_free(out);
}

static void test_cuda_stream_per_call(void) {
  /* On a GPU, on a stream of the caller's: IoU and NMS of device memory equal the CPU results. */
  float boxes[12] = {0, 0, 10, 10, 0, 0, 9, 9, 5, 5, 15, 15}, scores[3] = {0.9f, 0.8f, 0.7f};
  float iou_cpu[9], iou_gpu[9], det_cpu[18], det_gpu[18];
  int64_t box_shape[3] = {1, 3, 4}, score_shape[3] = {1, 3, 1}, count_cpu = -1, count_gpu = -2;
  cuda_runtime rt;
  void *stream = NULL, *d_boxes, *d_scores;
  DLTensor b = cpu_tensor(boxes, 2, box_shape + 1), s = cpu_tensor(scores, 3, score_shape), gb, gs;
  DLManagedTensorVersioned *iou = NULL, *det = NULL, *counts = NULL;
  tk_nms_config config;
  if (!cuda_runtime_load(&rt, "CUDA streams per call")) return;
  tk_nms_config_init(&config, sizeof config);
  CHECK(rt.stream_create(&stream) == 0);
  d_boxes = cuda_upload(&rt, boxes, sizeof boxes);
  d_scores = cuda_upload(&rt, scores, sizeof scores);
  gb = cuda_tensor(d_boxes, 2, box_shape + 1, kDLFloat, 32);
  gs = cuda_tensor(d_scores, 3, score_shape, kDLFloat, 32);
  CHECK(d_boxes != NULL && d_scores != NULL && tk_box_iou(&b, &b, NULL, &iou) == TK_OK);
  if (d_boxes == NULL || d_scores == NULL || iou == NULL) return;
  memcpy(iou_cpu, iou->dl_tensor.data, sizeof iou_cpu);
  tk_tensor_free(iou);
  iou = NULL;
  CHECK(tk_box_iou(&gb, &gb, stream, &iou) == TK_OK);
  if (iou == NULL) return;
  CHECK(iou->dl_tensor.device.device_type == kDLCUDA);
  CHECK(rt.stream_synchronize(stream) == 0 && cuda_download(&rt, iou_gpu, &iou->dl_tensor, sizeof iou_gpu) == 0);
  CHECK(memcmp(iou_cpu, iou_gpu, sizeof iou_cpu) == 0);
  tk_tensor_free(iou);
  config.max_detections = 3;
  b.ndim = 3, b.shape = box_shape, gb.ndim = 3, gb.shape = box_shape;
  CHECK(tk_batched_nms(&b, &s, &config, NULL, &det, &counts) == TK_OK);
  memcpy(det_cpu, det->dl_tensor.data, sizeof det_cpu);
  count_cpu = *(const int64_t*)counts->dl_tensor.data;
  tk_tensor_free(det);
  tk_tensor_free(counts);
  CHECK(tk_batched_nms(&gb, &gs, &config, stream, &det, &counts) == TK_OK);
  if (det == NULL || counts == NULL) return;
  CHECK(rt.stream_synchronize(stream) == 0);
  CHECK(cuda_download(&rt, det_gpu, &det->dl_tensor, sizeof det_gpu) == 0);
  CHECK(cuda_download(&rt, &count_gpu, &counts->dl_tensor, sizeof count_gpu) == 0);
  CHECK(count_cpu == 2 && count_gpu == 2 && memcmp(det_cpu, det_gpu, sizeof det_cpu) == 0);
  tk_tensor_free(det);
  tk_tensor_free(counts);
  rt.free_device(d_boxes);
  rt.free_device(d_scores);
  rt.stream_destroy(stream);
}

static void test_errors_name_the_argument(void) {
  float a[12] = {0};
  int64_t shape_bad[2] = {4, 3}, shape_ok[2] = {3, 4};
  DLTensor bad = cpu_tensor(a, 2, shape_bad), ok = cpu_tensor(a, 2, shape_ok), cuda = ok;
  DLManagedTensorVersioned* out = NULL;
  tk_log_config config;

  CHECK(tk_box_iou(&bad, &ok, NULL, &out) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strcmp(tk_last_error(), "box_iou: boxes1 must have shape [N,4], got [4,3]") == 0);
  CHECK(out == NULL);
  CHECK(tk_box_iou(&ok, NULL, NULL, &out) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strcmp(tk_last_error(), "tk_box_iou: boxes2 is NULL") == 0);
  CHECK(tk_box_iou(&ok, &ok, NULL, NULL) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strcmp(tk_last_error(), "tk_box_iou: iou is NULL") == 0);

  ok.dtype.lanes = 4;
  CHECK(tk_box_iou(&ok, &ok, NULL, &out) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strstr(tk_last_error(), "tk_box_iou: boxes1 has vector lanes") == tk_last_error());
  ok.dtype.lanes = 1;
  ok.dtype.code = kDLInt;
  CHECK(tk_box_iou(&ok, &ok, NULL, &out) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strcmp(tk_last_error(), "box_iou: boxes1 must have dtype Half or BFloat16 or Float or Double, got Int") == 0);
  ok.dtype.code = kDLFloat;

  /* CUDA memory: a device error (no such GPU) or "built without CUDA"; never a crash. */
  cuda.device.device_type = kDLCUDA;
  cuda.device.device_id = 1000;
  CHECK(tk_box_iou(&cuda, &ok, NULL, &out) != TK_OK);
  CHECK(strstr(tk_last_error(), "tk_box_iou: boxes1 ") == tk_last_error());

  CHECK(tk_convert_boxes(&ok, TK_BOX_XYXY, (tk_box_format)9, NULL, &out) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strcmp(tk_last_error(), "tk_convert_boxes: to is not a tk_box_format value (9)") == 0);

  memset(&config, 0, sizeof config); /* not initialised with tk_log_config_init() */
  CHECK(tk_set_log_config(&config) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strstr(tk_last_error(), "config->struct_size is 0") != NULL);

  /* A success clears the message. */
  CHECK(tk_box_iou(&ok, &ok, NULL, &out) == TK_OK && strcmp(tk_last_error(), "") == 0);
  tk_tensor_free(out);
}

static void test_convert_boxes(void) {
  float xyxy[4] = {10, 20, 30, 60};
  int64_t shape[2] = {1, 4};
  DLTensor t = cpu_tensor(xyxy, 2, shape);
  DLManagedTensorVersioned* out = NULL;
  CHECK(tk_convert_boxes(&t, TK_BOX_XYXY, TK_BOX_CXCYAH, NULL, &out) == TK_OK);
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
  tk_nms_config config;
  const float* row;
  CHECK(tk_nms_config_init(&config, sizeof config) == TK_OK);
  CHECK(config.struct_size == sizeof config && config.max_detections == 300 && config.iou_threshold == 0.45);
  config.max_detections = 4;
  CHECK(tk_batched_nms(&b, &s, &config, NULL, &det, &counts) == TK_OK);
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
  CHECK(tk_batched_nms(&b, &s, &config, NULL, &det, &counts) == TK_OK);
  if (counts != NULL) CHECK(((const int64_t*)counts->dl_tensor.data)[0] == 1);
  tk_tensor_free(det);
  tk_tensor_free(counts);

  config.classes = NULL;
  CHECK(tk_batched_nms(&b, &s, &config, NULL, &det, &counts) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strcmp(tk_last_error(), "tk_batched_nms: config->classes is NULL") == 0);
  tk_nms_config_init(&config, sizeof config);
  config.iou_threshold = 2;
  CHECK(tk_batched_nms(&b, &s, &config, NULL, &det, &counts) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strcmp(tk_last_error(), "batched_nms: options.iou_threshold must be in [0, 1], got 2") == 0);
  CHECK(tk_batched_nms(&b, &s, NULL, NULL, &det, &counts) == TK_ERR_INVALID_ARGUMENT);
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
  tk_log_config config;
  CHECK(tk_log_config_init(&config, sizeof config) == TK_OK);
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
  tk_log_config_init(&config, sizeof config);
  config.level = TK_LOG_WARN;
  CHECK(tk_set_log_config(&config) == TK_OK);
}

int main(void) {
  test_versions();
  test_box_iou();
  test_box_iou_strided_input();
  test_box_iou_negative_strides();
  test_tensor_import_limits();
  test_struct_sizes();
  test_stream_ignored_for_cpu_tensors();
  test_cuda_stream_per_call();
  test_errors_name_the_argument();
  test_convert_boxes();
  test_batched_nms();
  test_log_config();
  return report();
}
