/* Face detection through the C ABI 1.1, from C99: configuration defaults written up to struct_size, errors naming
 * the argument; where scripts/face-models.sh's yolov5n-0.5_face export and its Python references
 * (tools/faces/reference_faces.py) are in the build tree, the faces of zidane.jpg against the upstream yolov5-face
 * pipeline's, and on a GPU the faces found on the caller's CUDA stream against the CPU's. Face clustering:
 * test_capi_face_cluster.c. */
#define _POSIX_C_SOURCE 200809L /* mkdtemp, symlink: one image in a folder of its own for tk_frame_reader */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "cuda_runtime.h"
#include "trackkit/trackkit.h"

#ifndef TK_FACE_MODELS
#define TK_FACE_MODELS "build/face-models"
#endif
#ifndef TK_DETECTOR_MODELS
#define TK_DETECTOR_MODELS "build/detector-models"
#endif
#ifndef TK_FACE_REFERENCE
#define TK_FACE_REFERENCE "build/face-ref"
#endif
#define YOLO_FACE TK_FACE_MODELS "/yolov5n-0.5_face.torchscript"
#define MAX_FACES 1000 /* the reference's max_det (reference_faces.py settings: conf 0.3, IoU 0.5, 1000 faces) */

static int have(const char* path, const char* what) {
  FILE* f = fopen(path, "rb");
  if (f == NULL) {
    printf("SKIPPED %s: no %s\n", what, path);
    return 0;
  }
  fclose(f);
  return 1;
}

static void test_config_and_errors(void) {
  tk_face_detector_config c;
  tk_face_detector* detector = NULL;
  DLManagedTensorVersioned *faces = NULL, *counts = NULL;
  unsigned char grown[sizeof c + 16];
  size_t i;
  CHECK(tk_face_detector_config_init(&c, sizeof c) == TK_OK && c.struct_size == sizeof c);
  CHECK(strcmp(c.device, "auto") == 0 && c.precision == TK_PRECISION_FP32 && c.input_bgr == 1);
  CHECK(c.input_height == 0 && c.input_width == 0 && c.conf_threshold == 0 && c.iou_threshold == 0);
  CHECK(c.max_candidates == 30000 && c.max_detections == 300 && c.batch_size == 0);
  /* A newer caller's larger struct: the defaults, then zeros up to its struct_size, nothing past it. */
  memset(grown, 0xAB, sizeof grown);
  CHECK(tk_face_detector_config_init((tk_face_detector_config*)(void*)grown, sizeof c + 8) == TK_OK);
  CHECK(memcmp(grown, &(size_t){sizeof c + 8}, sizeof(size_t)) == 0);
  CHECK(memcmp(grown + sizeof(size_t), (unsigned char*)&c + sizeof(size_t), sizeof c - sizeof(size_t)) == 0);
  for (i = sizeof c; i < sizeof grown; ++i) CHECK(grown[i] == (i < sizeof c + 8 ? 0 : 0xAB));
  CHECK(tk_face_detector_config_init(&c, 16) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strcmp(tk_last_error(),
               "tk_face_detector_config_init: struct_size is 16, smaller than any "
               "tk_face_detector_config (72 bytes); pass sizeof(tk_face_detector_config)") == 0);
  tk_face_detector_config_init(&c, sizeof c);
  CHECK(tk_face_detector_create(NULL, &c, &detector) == TK_ERR_INVALID_ARGUMENT && detector == NULL);
  CHECK(strcmp(tk_last_error(), "tk_face_detector_create: model_path is NULL") == 0);
  CHECK(tk_face_detector_create("x", NULL, &detector) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strcmp(tk_last_error(), "tk_face_detector_create: config is NULL") == 0);
  CHECK(tk_face_detector_create("/nonexistent/face.torchscript", &c, &detector) == TK_ERR_NOT_FOUND);
  CHECK(detector == NULL && strstr(tk_last_error(), "/nonexistent/face.torchscript") != NULL);
  c.precision = 9;
  CHECK(tk_face_detector_create("x", &c, &detector) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strcmp(tk_last_error(), "tk_face_detector_create: config->precision must be a tk_precision, got 9") == 0);
  c.precision = TK_PRECISION_FP32, c.device = NULL;
  CHECK(tk_face_detector_create("x", &c, &detector) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strcmp(tk_last_error(), "tk_face_detector_create: config->device is NULL") == 0);
  c.device = "cpu", c.struct_size = 8;
  CHECK(tk_face_detector_create("x", &c, &detector) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strstr(tk_last_error(), "tk_face_detector_create: config->struct_size is 8") == tk_last_error());
  CHECK(tk_face_detector_set_cuda_stream(NULL, NULL) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strcmp(tk_last_error(), "tk_face_detector_set_cuda_stream: detector is NULL") == 0);
  CHECK(tk_face_detector_warmup(NULL, 480, 640) == TK_ERR_INVALID_ARGUMENT);
  CHECK(tk_face_detector_detect(NULL, NULL, &faces, &counts) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strcmp(tk_last_error(), "tk_face_detector_detect: detector is NULL") == 0 && faces == NULL);
  tk_face_detector_destroy(NULL); /* accepted */
}

/* The single image `path` as frames uint8 [1,H,W,3] BGR, decoded by the library (tk_frame_reader reads folders:
 * the image is linked into a temporary one). NULL where it cannot be read (a SKIPPED line says why). */
static DLManagedTensorVersioned* read_image(const char* path) {
  char folder[] = "/tmp/tk_capi_face_XXXXXX", link[1100];
  const char* name = strrchr(path, '/');
  tk_frame_reader* reader = NULL;
  DLManagedTensorVersioned* frames = NULL;
  if (mkdtemp(folder) == NULL) return NULL;
  snprintf(link, sizeof link, "%s%s", folder, name != NULL ? name : "/image.jpg");
  if (symlink(path, link) == 0 && tk_frame_reader_open(folder, 1, &reader) == TK_OK)
    CHECK(tk_frame_reader_read(reader, 1, &frames) == TK_OK);
  if (frames == NULL) printf("SKIPPED %s: %s\n", path, tk_last_error()); /* e.g. no imgcodecs in this build */
  tk_frame_reader_close(reader);
  unlink(link);
  rmdir(folder);
  return frames;
}

/* The faces of `name` in a reference_faces.py JSON file (one line: ..."<name>": {"boxes": [[x1,y1,x2,y2,score],
 * ...], "landmarks": [[[x,y] x5], ...], ...}) into rows of 15 like tk_face_detector_detect's; the count, -1 if none. */
static int64_t reference_faces(const char* file, const char* name, double* rows, int64_t capacity) {
  static char text[1 << 20]; /* the references are ~100 kB */
  char key[256];
  const char *at, *boxes, *marks;
  int64_t n = 0, i, k;
  FILE* f = fopen(file, "rb");
  size_t size = f != NULL ? fread(text, 1, sizeof text - 1, f) : 0;
  if (f != NULL) fclose(f);
  text[size] = 0;
  snprintf(key, sizeof key, "\"%s\": {", name);
  if ((at = strstr(text, key)) == NULL || (boxes = strstr(at, "\"boxes\": [")) == NULL ||
      (marks = strstr(at, "\"landmarks\": [")) == NULL)
    return -1;
  boxes += strlen("\"boxes\": ["), marks += strlen("\"landmarks\": [");
  for (; *boxes == '[' && n < capacity; ++n) { /* [x1, y1, x2, y2, score], */
    for (k = 0; k < 5; ++k) {
      boxes += strspn(boxes, "[, ");
      rows[n * 15 + k] = strtod(boxes, (char**)&boxes);
    }
    boxes += strspn(boxes, "], ");
  }
  for (i = 0; i < n; ++i) /* [[x, y], [x, y], ...], */
    for (k = 0; k < 10; ++k) {
      marks += strspn(marks, "[], ");
      rows[i * 15 + 5 + k] = strtod(marks, (char**)&marks);
    }
  return n;
}

static double iou(const double* a, const float* b) {
  const double w = fmin(a[2], b[2]) - fmax(a[0], b[0]), h = fmin(a[3], b[3]) - fmax(a[1], b[1]);
  const double inter = w > 0 && h > 0 ? w * h : 0;
  return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter);
}

static const float* f32(const DLManagedTensorVersioned* t) {
  return (const float*)((const char*)t->dl_tensor.data + t->dl_tensor.byte_offset);
}

/* The largest difference of coordinates (box, landmarks) and of scores between the reference's n faces and ours,
 * each paired with the face of the highest IoU (>= 0.5); -1 when one has no partner. */
static void compare(const double* ref, int64_t n, const float* ours, double* coordinate, double* score) {
  int64_t i, j, k, best;
  *coordinate = 0, *score = 0;
  for (i = 0; i < n; ++i) {
    for (j = 0, best = -1; j < n; ++j)
      if (iou(ref + i * 15, ours + j * 15) >= 0.5 &&
          (best < 0 || iou(ref + i * 15, ours + j * 15) > iou(ref + i * 15, ours + best * 15)))
        best = j;
    if (best < 0) {
      *coordinate = -1;
      return;
    }
    for (k = 0; k < 15; ++k) {
      const double d = fabs(ref[i * 15 + k] - ours[best * 15 + k]);
      if (k == 4)
        *score = fmax(*score, d);
      else
        *coordinate = fmax(*coordinate, d);
    }
  }
}

/* frames [B,H,W,3] of `count` copies of one frame (malloc'd pixels in *pixels). */
static DLTensor repeated(const DLManagedTensorVersioned* frame, int64_t count, int64_t* shape, unsigned char** pixels) {
  const size_t bytes = (size_t)(frame->dl_tensor.shape[1] * frame->dl_tensor.shape[2] * 3);
  int64_t b;
  *pixels = (unsigned char*)malloc(bytes * (size_t)count);
  for (b = 0; b < count; ++b) memcpy(*pixels + b * bytes, frame->dl_tensor.data, bytes);
  shape[0] = count, shape[1] = frame->dl_tensor.shape[1], shape[2] = frame->dl_tensor.shape[2], shape[3] = 3;
  return borrowed_cpu_tensor(*pixels, 4, shape, kDLUInt, 8);
}

/* zidane.jpg (decoded by the library), or NULL with a SKIPPED line. */
static DLManagedTensorVersioned* zidane(const char* what) {
  const char* data = getenv("TRACKKIT_DATA");
  char path[1024];
  if (!have(YOLO_FACE, what)) return NULL;
  if (data == NULL) {
    printf("SKIPPED %s: TRACKKIT_DATA is not set\n", what);
    return NULL;
  }
  snprintf(path, sizeof path, "%s/images/zidane.jpg", data);
  return read_image(path);
}

static void test_detect(void) {
  static double ref[MAX_FACES * 15];
  float px[12] = {0};
  int64_t n, shape[4], float_shape[4] = {1, 2, 2, 3}, k;
  tk_face_detector_config c;
  tk_face_detector* detector = NULL;
  DLManagedTensorVersioned *frame = zidane("face detection"), *faces = NULL, *counts = NULL;
  DLTensor frames, bad;
  unsigned char* pixels = NULL;
  double coordinate = -1, score = -1;
  int zeros = 1;
  if (frame == NULL) return;
  n = reference_faces(TK_FACE_REFERENCE "/yolov5n-0.5_face.json", "images/zidane.jpg", ref, MAX_FACES);
  tk_face_detector_config_init(&c, sizeof c);
  c.device = "cpu", c.max_detections = MAX_FACES;
  CHECK(tk_face_detector_create(YOLO_FACE, &c, &detector) == TK_OK && detector != NULL);
  frames = repeated(frame, 2, shape, &pixels); /* a batch of two: each frame the same faces */
  CHECK(detector != NULL && tk_face_detector_detect(detector, &frames, &faces, &counts) == TK_OK);
  if (faces != NULL && counts != NULL) {
    const int64_t* count = (const int64_t*)counts->dl_tensor.data;
    CHECK(faces->dl_tensor.ndim == 3 && faces->dl_tensor.shape[0] == 2 && faces->dl_tensor.shape[1] == MAX_FACES &&
          faces->dl_tensor.shape[2] == 15 && faces->dl_tensor.dtype.code == kDLFloat);
    CHECK(counts->dl_tensor.ndim == 1 && counts->dl_tensor.shape[0] == 2 && counts->dl_tensor.dtype.code == kDLInt);
    CHECK(count[0] >= 2 && count[1] == count[0]);
    CHECK(memcmp(f32(faces), f32(faces) + MAX_FACES * 15, (size_t)count[0] * 15 * sizeof(float)) == 0);
    for (k = count[0] * 15; k < MAX_FACES * 15; ++k) zeros &= f32(faces)[k] == 0;
    CHECK(zeros);
    if (n < 0) {
      printf("SKIPPED the reference faces: no images/zidane.jpg in %s (scripts/face-models.sh)\n", TK_FACE_REFERENCE);
    } else {
      CHECK(count[0] == n);
      compare(ref, n, f32(faces), &coordinate, &score);
      printf("zidane.jpg: %lld faces, reference %lld; max |coordinate| %.4f px, max |score| %.2e\n",
             (long long)count[0], (long long)n, coordinate, score);
      CHECK(coordinate >= 0 && coordinate <= 0.5 && score <= 1e-3); /* tests/face/test_face_parity.cpp's limits */
    }
  }
  tk_tensor_free(faces);
  tk_tensor_free(counts);
  faces = counts = NULL;
  bad = borrowed_cpu_tensor(px, 4, float_shape, kDLFloat, 32);
  CHECK(tk_face_detector_detect(detector, &bad, &faces, &counts) == TK_ERR_INVALID_ARGUMENT && faces == NULL);
  CHECK(strstr(tk_last_error(), "FaceDetector::detect: frames") != NULL);
  bad = frame->dl_tensor; /* [H,W,3]: no batch axis */
  bad.ndim = 3, bad.shape = frame->dl_tensor.shape + 1;
  CHECK(tk_face_detector_detect(detector, &bad, &faces, &counts) == TK_ERR_INVALID_ARGUMENT && counts == NULL);
  CHECK(strstr(tk_last_error(), "FaceDetector::detect: frames") != NULL);
  CHECK(tk_face_detector_detect(detector, NULL, &faces, &counts) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strcmp(tk_last_error(), "tk_face_detector_detect: frames is NULL") == 0);
  tk_face_detector_destroy(detector);
  detector = NULL;
  if (have(TK_DETECTOR_MODELS "/yolov5n.torchscript", "an object detector refused")) {
    CHECK(tk_face_detector_create(TK_DETECTOR_MODELS "/yolov5n.torchscript", &c, &detector) == TK_ERR_MODEL);
    CHECK(detector == NULL && strstr(tk_last_error(), "is not a face detector") != NULL);
  }
  free(pixels);
  tk_tensor_free(frame);
}

/* On a GPU: faces found on the caller's stream, from CPU frames, equal the CPU's within the FP32 tolerance of
 * docs/face.md (cuDNN's algorithms differ from the CPU's). */
static void test_cuda_stream(void) {
  static float cpu[300 * 15], gpu[300 * 15];
  static double cpu_rows[300 * 15];
  int64_t shape[4], cpu_count = -1, gpu_count = -2, k;
  tk_face_detector_config c;
  tk_face_detector *on_cpu = NULL, *on_gpu = NULL;
  DLManagedTensorVersioned *frame = NULL, *faces = NULL, *counts = NULL;
  DLTensor frames;
  unsigned char* pixels = NULL;
  cuda_runtime rt;
  void* stream = NULL;
  double coordinate = -1, score = -1;
  if (!cuda_runtime_load(&rt, "face detection on a CUDA stream") || (frame = zidane("face detection on CUDA")) == NULL)
    return;
  frames = repeated(frame, 1, shape, &pixels);
  tk_face_detector_config_init(&c, sizeof c);
  c.device = "cpu";
  CHECK(tk_face_detector_create(YOLO_FACE, &c, &on_cpu) == TK_OK);
  c.device = "cuda:0";
  CHECK(tk_face_detector_create(YOLO_FACE, &c, &on_gpu) == TK_OK && rt.stream_create(&stream) == 0);
  CHECK(on_gpu != NULL && tk_face_detector_set_cuda_stream(on_gpu, stream) == TK_OK);
  CHECK(on_cpu != NULL && tk_face_detector_detect(on_cpu, &frames, &faces, &counts) == TK_OK);
  if (faces != NULL) memcpy(cpu, f32(faces), sizeof cpu), cpu_count = *(const int64_t*)counts->dl_tensor.data;
  tk_tensor_free(faces);
  tk_tensor_free(counts);
  faces = counts = NULL;
  CHECK(on_gpu != NULL && tk_face_detector_detect(on_gpu, &frames, &faces, &counts) == TK_OK);
  if (faces != NULL && counts != NULL) {
    CHECK(faces->dl_tensor.device.device_type == kDLCUDA && rt.stream_synchronize(stream) == 0);
    CHECK(cuda_download(&rt, gpu, &faces->dl_tensor, sizeof gpu) == 0);
    CHECK(cuda_download(&rt, &gpu_count, &counts->dl_tensor, sizeof gpu_count) == 0);
    CHECK(cpu_count >= 2 && gpu_count == cpu_count);
    for (k = 0; k < cpu_count * 15; ++k) cpu_rows[k] = cpu[k];
    compare(cpu_rows, cpu_count, gpu, &coordinate, &score);
    printf("zidane.jpg on CUDA: %lld faces; max |coordinate| %.4f px, max |score| %.2e against the CPU\n",
           (long long)gpu_count, coordinate, score);
    CHECK(coordinate >= 0 && coordinate <= 0.5 && score <= 2e-3);
  }
  tk_tensor_free(faces);
  tk_tensor_free(counts);
  CHECK(on_gpu == NULL || tk_face_detector_set_cuda_stream(on_gpu, NULL) == TK_OK);
  tk_face_detector_destroy(on_gpu);
  tk_face_detector_destroy(on_cpu);
  rt.stream_destroy(stream);
  free(pixels);
  tk_tensor_free(frame);
}

int main(void) {
  test_config_and_errors();
  test_detect();
  test_cuda_stream();
  return report();
}
