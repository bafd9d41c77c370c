/* The detector through the C ABI, from C99: configuration, errors, and (where tools/detector's exported
 * yolov5n is in the build tree) detection on a frame, as DLPack tensors and into caller buffers, and on a GPU on the
 * caller's CUDA stream. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "cuda_runtime.h"
#include "trackkit/trackkit.h"

#ifndef TK_DETECTOR_MODELS
#define TK_DETECTOR_MODELS "build/detector-models"
#endif

static void test_config_and_errors(void) {
  tk_detector_config c;
  tk_detector* detector = NULL;
  FILE* f;
  CHECK(tk_detector_config_init(&c, sizeof c) == TK_OK && c.struct_size == sizeof(tk_detector_config));
  CHECK(strcmp(c.device, "auto") == 0 && c.precision == TK_PRECISION_FP32 && c.layout == TK_YOLO_AUTO);
  CHECK(c.conf_threshold == 0.25 && c.iou_threshold == 0.45 && c.max_detections == 300 && c.input_bgr == 1);
  CHECK(c.max_candidates == 30000 && c.batch_size == 0 && c.classes == NULL && c.num_classes == 0);
  CHECK(tk_detector_config_init(&c, 16) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strcmp(tk_last_error(),
               "tk_detector_config_init: struct_size is 16, smaller than any tk_detector_config "
               "(104 bytes); pass sizeof(tk_detector_config)") == 0);
  CHECK(tk_detector_set_cuda_stream(NULL, NULL) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strcmp(tk_last_error(), "tk_detector_set_cuda_stream: detector is NULL") == 0);
  tk_detector_config_init(&c, sizeof c);
  CHECK(tk_detector_create("/nonexistent.torchscript", &c, &detector) == TK_ERR_NOT_FOUND && detector == NULL);
  CHECK(strstr(tk_last_error(), "does not exist") != NULL);
  f = fopen("tk_capi_corrupt.torchscript", "wb");
  if (f != NULL) {
    fputs("not a model", f);
    fclose(f);
    CHECK(tk_detector_create("tk_capi_corrupt.torchscript", &c, &detector) == TK_ERR_MODEL);
    CHECK(strstr(tk_last_error(), "is not a loadable TorchScript archive") != NULL);
    remove("tk_capi_corrupt.torchscript");
  }
  CHECK(tk_detector_create(NULL, &c, &detector) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strcmp(tk_last_error(), "tk_detector_create: model_path is NULL") == 0);
  c.precision = 9;
  CHECK(tk_detector_create("x", &c, &detector) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strcmp(tk_last_error(), "tk_detector_create: config->precision must be a tk_precision, got 9") == 0);
  c.precision = TK_PRECISION_FP32, c.layout = 4;
  CHECK(tk_detector_create("x", &c, &detector) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strcmp(tk_last_error(), "tk_detector_create: config->layout must be a tk_yolo_layout, got 4") == 0);
  c.layout = TK_YOLO_AUTO, c.num_classes = 2;
  CHECK(tk_detector_create("x", &c, &detector) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strcmp(tk_last_error(), "tk_detector_create: config->classes is NULL") == 0);
  c.num_classes = 0, c.struct_size = 0;
  CHECK(tk_detector_create("x", &c, &detector) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strstr(tk_last_error(), "tk_detector_create: config->struct_size is 0") == tk_last_error());
}

static void test_detect(void) {
  const char* path = TK_DETECTOR_MODELS "/yolov5n.torchscript";
  tk_detector_config c;
  tk_detector* detector = NULL;
  int64_t shape[4] = {2, 120, 160, 3}, count = 0, counts[2] = {-1, -1};
  unsigned char* pixels = (unsigned char*)calloc(2 * 120 * 160 * 3, 1);
  float* boxes = (float*)malloc(2 * 300 * 6 * sizeof(float));
  const char* name = NULL;
  DLTensor frames;
  DLManagedTensorVersioned *dets = NULL, *cnt = NULL;
  FILE* f = fopen(path, "rb");
  if (f == NULL) {
    printf("SKIPPED detection: no %s (tools/detector/export_yolo.py)\n", path);
    free(pixels);
    free(boxes);
    return;
  }
  fclose(f);
  frames = borrowed_cpu_tensor(pixels, 4, shape, kDLUInt, 8);
  tk_detector_config_init(&c, sizeof c);
  c.device = "cpu";
  CHECK(tk_detector_create(path, &c, &detector) == TK_OK && detector != NULL);
  if (detector != NULL) {
    CHECK(tk_detector_set_cuda_stream(detector, NULL) == TK_OK);
    CHECK(tk_detector_class_count(detector, &count) == TK_OK && count == 80);
    CHECK(tk_detector_class_name(detector, 0, &name) == TK_OK && strcmp(name, "person") == 0);
    CHECK(tk_detector_class_name(detector, 80, &name) == TK_ERR_INVALID_ARGUMENT);
    CHECK(tk_detector_detect(detector, &frames, &dets, &cnt) == TK_OK);
    if (dets != NULL && cnt != NULL) {
      CHECK(dets->dl_tensor.ndim == 3 && dets->dl_tensor.shape[0] == 2 && dets->dl_tensor.shape[1] == 300 &&
            dets->dl_tensor.shape[2] == 6 && dets->dl_tensor.dtype.bits == 32);
      CHECK(cnt->dl_tensor.ndim == 1 && cnt->dl_tensor.shape[0] == 2 && cnt->dl_tensor.dtype.code == kDLInt);
      tk_tensor_free(dets);
      tk_tensor_free(cnt);
    }
    CHECK(tk_detector_detect_into(detector, &frames, boxes, counts, 2) == TK_OK);
    CHECK(counts[0] >= 0 && counts[0] <= 300 && counts[0] == counts[1]); /* two identical blank frames */
    CHECK(tk_detector_detect_into(detector, &frames, boxes, counts, 1) == TK_ERR_INVALID_ARGUMENT);
    CHECK(strcmp(tk_last_error(), "tk_detector_detect_into: capacity_frames is 1 but frames holds 2") == 0);
    frames.dtype.code = kDLFloat;
    frames.dtype.bits = 32;
    CHECK(tk_detector_detect(detector, &frames, &dets, &cnt) == TK_ERR_INVALID_ARGUMENT);
    CHECK(strstr(tk_last_error(), "frames") != NULL);
    tk_detector_destroy(detector);
  }
  free(pixels);
  free(boxes);
}

static void test_cuda_stream(void) {
  /* On a GPU: detections made on the caller's stream equal those on LibTorch's current stream (a low threshold keeps
     many boxes of a patterned frame, so there is something to compare). */
  const char* path = TK_DETECTOR_MODELS "/yolov5n.torchscript";
  tk_detector_config c;
  tk_detector* detector = NULL;
  int64_t shape[4] = {1, 96, 128, 3}, counts_current = -1, counts_stream = -2, i;
  static unsigned char pixels[96 * 128 * 3];
  static float current[300 * 6], on_stream[300 * 6];
  DLTensor frames = borrowed_cpu_tensor(pixels, 4, shape, kDLUInt, 8);
  DLManagedTensorVersioned *dets = NULL, *cnt = NULL;
  cuda_runtime rt;
  void* stream = NULL;
  float worst = 0;
  FILE* f = fopen(path, "rb");
  if (f == NULL) return; /* test_detect said why */
  fclose(f);
  if (!cuda_runtime_load(&rt, "detection on a CUDA stream")) return;
  for (i = 0; i < 96 * 128 * 3; ++i) pixels[i] = (unsigned char)((i * 31 / 7) % 256);
  tk_detector_config_init(&c, sizeof c);
  c.device = "cuda:0";
  c.conf_threshold = 0.001;
  CHECK(tk_detector_create(path, &c, &detector) == TK_OK && rt.stream_create(&stream) == 0);
  if (detector == NULL) return;
  CHECK(tk_detector_detect_into(detector, &frames, current, &counts_current, 1) == TK_OK);
  CHECK(tk_detector_set_cuda_stream(detector, stream) == TK_OK);
  CHECK(tk_detector_detect_into(detector, &frames, on_stream, &counts_stream, 1) == TK_OK);
  CHECK(counts_current > 0 && counts_stream == counts_current);
  for (i = 0; i < counts_current * 6; ++i) {
    const float d = fabsf(current[i] - on_stream[i]);
    worst = d > worst ? d : worst;
  }
  CHECK(worst < 1e-3f);
  /* DLPack outputs stay on the model's device, ready on the caller's stream */
  CHECK(tk_detector_detect(detector, &frames, &dets, &cnt) == TK_OK && dets != NULL && cnt != NULL);
  if (cnt != NULL) {
    CHECK(cnt->dl_tensor.device.device_type == kDLCUDA && rt.stream_synchronize(stream) == 0);
    CHECK(cuda_download(&rt, &counts_stream, &cnt->dl_tensor, sizeof counts_stream) == 0);
    CHECK(counts_stream == counts_current);
  }
  tk_tensor_free(dets);
  tk_tensor_free(cnt);
  CHECK(tk_detector_set_cuda_stream(detector, NULL) == TK_OK); /* back to the current stream */
  tk_detector_destroy(detector);
  rt.stream_destroy(stream);
}

int main(void) {
  test_config_and_errors();
  test_detect();
  test_cuda_stream();
  return report();
}
