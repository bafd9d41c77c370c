/* The embedder and clustering through the C ABI, from C99: configuration, errors on bad boxes / landmarks / models,
 * embeddings of boxes (where tools/embedder's converted OSNet and MobileFaceNet are in the build tree), the model's
 * input crops (against the presets' normalisation, and embed_crops of them against embed), clustering and its
 * scores, and on a GPU the caller's CUDA stream. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "cuda_runtime.h"
#include "trackkit/trackkit.h"

#ifndef TK_EMBEDDER_MODELS
#define TK_EMBEDDER_MODELS "build/embedder-models"
#endif

static void test_config_and_errors(void) {
  tk_embedder_config c;
  tk_embedder* embedder = NULL;
  DLManagedTensorVersioned* out = NULL;
  CHECK(tk_embedder_config_init(&c, sizeof c) == TK_OK && c.struct_size == sizeof(tk_embedder_config));
  CHECK(strcmp(c.device, "auto") == 0 && c.preset == TK_CROP_AUTO && c.box_sampling == TK_BOX_SAMPLING_OPENCV);
  CHECK(c.input_bgr == 1 && c.model_bgr == 0 && c.quantize == 1 && c.batch_size == 0 && c.std[0] == 1.0f);
  CHECK(tk_embedder_create("/nonexistent.torchscript", &c, &embedder) == TK_ERR_NOT_FOUND && embedder == NULL);
  CHECK(strstr(tk_last_error(), "does not exist") != NULL);
  CHECK(tk_embedder_create(NULL, &c, &embedder) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strcmp(tk_last_error(), "tk_embedder_create: model_path is NULL") == 0);
  c.preset = 7;
  CHECK(tk_embedder_create("x", &c, &embedder) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strcmp(tk_last_error(), "tk_embedder_create: config->preset must be a tk_crop_preset, got 7") == 0);
  tk_embedder_config_init(&c, sizeof c);
  c.struct_size = 4;
  CHECK(tk_embedder_create("x", &c, &embedder) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strstr(tk_last_error(), "tk_embedder_create: config->struct_size is 4") == tk_last_error());
  CHECK(tk_embedder_set_cuda_stream(NULL, NULL) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strcmp(tk_last_error(), "tk_embedder_set_cuda_stream: embedder is NULL") == 0);
  CHECK(tk_embedder_crop_boxes(NULL, NULL, NULL, &out) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strcmp(tk_last_error(), "tk_embedder_crop_boxes: embedder is NULL") == 0);
  CHECK(tk_embedder_crop_aligned(NULL, NULL, NULL, NULL, &out) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strcmp(tk_last_error(), "tk_embedder_crop_aligned: embedder is NULL") == 0);
  CHECK(tk_embedder_embed_crops(NULL, NULL, &out) == TK_ERR_INVALID_ARGUMENT && out == NULL);
  CHECK(strcmp(tk_last_error(), "tk_embedder_embed_crops: embedder is NULL") == 0);
}

static void test_embed(void) {
  const char* path = TK_EMBEDDER_MODELS "/osnet_x0_25_msmt17.torchscript";
  tk_embedder_config c;
  tk_embedder* embedder = NULL;
  int64_t frame_shape[4] = {2, 120, 160, 3}, box_shape[2] = {3, 5}, empty_shape[2] = {0, 5}, lm_shape[3] = {1, 4, 2};
  int64_t dim = 0, i, k;
  float boxes[15] = {0, 10, 10, 60, 110, 1, 50, 0, 160, 120, 1, -20, 30, 40, 150}, landmarks[8] = {0};
  unsigned char* pixels = (unsigned char*)malloc(2 * 120 * 160 * 3);
  DLTensor frames, box_tensor, lm_tensor;
  DLManagedTensorVersioned* out = NULL;
  FILE* f = fopen(path, "rb");
  if (f == NULL) {
    printf("SKIPPED embedding: no %s (scripts/embedder-models.sh)\n", path);
    free(pixels);
    return;
  }
  fclose(f);
  for (i = 0; i < 2 * 120 * 160 * 3; ++i) pixels[i] = (unsigned char)((i * 7919) % 251);
  frames = borrowed_cpu_tensor(pixels, 4, frame_shape, kDLUInt, 8);
  box_tensor = borrowed_cpu_tensor(boxes, 2, box_shape, kDLFloat, 32);
  tk_embedder_config_init(&c, sizeof c);
  c.device = "cpu";
  CHECK(tk_embedder_create(path, &c, &embedder) == TK_OK && embedder != NULL);
  if (embedder != NULL) {
    CHECK(tk_embedder_dim(embedder, &dim) == TK_OK && dim == 512);
    CHECK(tk_embedder_embed(embedder, &frames, &box_tensor, &out) == TK_OK);
    if (out != NULL) {
      const float* e = (const float*)out->dl_tensor.data;
      CHECK(out->dl_tensor.ndim == 2 && out->dl_tensor.shape[0] == 3 && out->dl_tensor.shape[1] == 512);
      for (k = 0; k < 3; ++k) {
        double norm = 0;
        for (i = 0; i < 512; ++i) norm += (double)e[k * 512 + i] * e[k * 512 + i];
        CHECK(fabs(norm - 1.0) < 1e-4); /* L2-normalised rows */
      }
      tk_tensor_free(out);
      out = NULL;
    }
    box_tensor.shape = empty_shape;
    CHECK(tk_embedder_embed(embedder, &frames, &box_tensor, &out) == TK_OK && out != NULL &&
          out->dl_tensor.shape[0] == 0 && out->dl_tensor.shape[1] == 512);
    tk_tensor_free(out);
    out = NULL;
    box_tensor.shape = box_shape;
    boxes[5] = 2; /* frame index out of range */
    CHECK(tk_embedder_embed(embedder, &frames, &box_tensor, &out) == TK_ERR_INVALID_ARGUMENT && out == NULL);
    CHECK(strstr(tk_last_error(), "Embedder::embed: boxes row 1") != NULL);
    boxes[5] = 1, boxes[8] = 50; /* zero width */
    CHECK(tk_embedder_embed(embedder, &frames, &box_tensor, &out) == TK_ERR_INVALID_ARGUMENT);
    CHECK(strstr(tk_last_error(), "zero width or height") != NULL);
    lm_tensor = borrowed_cpu_tensor(landmarks, 3, lm_shape, kDLFloat, 32);
    CHECK(tk_embedder_embed_aligned(embedder, &frames, &lm_tensor, NULL, &out) == TK_ERR_INVALID_ARGUMENT);
    CHECK(strcmp(tk_last_error(), "Embedder::embed_aligned: landmarks must have shape [N,5,2], got [1,4,2]") == 0);
    CHECK(tk_embedder_embed(embedder, &frames, NULL, &out) == TK_ERR_INVALID_ARGUMENT);
    tk_embedder_destroy(embedder);
  }
  free(pixels);
}

/* An embedder of build/embedder-models on `device`, or NULL (with a SKIPPED line) where the model is missing. */
static tk_embedder* open_model(const char* path, const char* device, const char* what) {
  tk_embedder_config c;
  tk_embedder* embedder = NULL;
  FILE* f = fopen(path, "rb");
  if (f == NULL) {
    printf("SKIPPED %s: no %s (scripts/embedder-models.sh)\n", what, path);
    return NULL;
  }
  fclose(f);
  tk_embedder_config_init(&c, sizeof c);
  c.device = device;
  CHECK(tk_embedder_create(path, &c, &embedder) == TK_OK);
  return embedder;
}

static const float* f32(const DLManagedTensorVersioned* t) {
  return (const float*)((const char*)t->dl_tensor.data + t->dl_tensor.byte_offset);
}

/* Largest |a - b| over n floats. */
static float max_difference(const float* a, const float* b, int64_t n) {
  float worst = 0;
  int64_t i;
  for (i = 0; i < n; ++i) worst = fabsf(a[i] - b[i]) > worst ? fabsf(a[i] - b[i]) : worst;
  return worst;
}

/* A frame of one colour, BGR (the default input order): every crop pixel is that colour, normalised. */
static void fill_bgr(unsigned char* pixels, int64_t n_pixels, const unsigned char bgr[3]) {
  int64_t i;
  for (i = 0; i < n_pixels; ++i) pixels[3 * i] = bgr[0], pixels[3 * i + 1] = bgr[1], pixels[3 * i + 2] = bgr[2];
}

/* Every value of crops [N,3,h,w] against expected[channel]; the largest difference. */
static float crop_error(const DLManagedTensorVersioned* crops, const float expected[3]) {
  const int64_t n = crops->dl_tensor.shape[0], plane = crops->dl_tensor.shape[2] * crops->dl_tensor.shape[3];
  float worst = 0;
  int64_t i, k, j;
  for (i = 0; i < n; ++i)
    for (k = 0; k < 3; ++k)
      for (j = 0; j < plane; ++j) {
        const float d = fabsf(f32(crops)[(i * 3 + k) * plane + j] - expected[k]);
        worst = d > worst ? d : worst;
      }
  return worst;
}

static void test_box_crops(void) {
  /* OSNet's ImageNet preset: a uniform BGR frame gives crops of (v / 255 - mean) / std per RGB channel
     (torchreid's transform), 256 x 128; and the embeddings of those crops are embed()'s. */
  static const float mean[3] = {0.485f, 0.456f, 0.406f}, std[3] = {0.229f, 0.224f, 0.225f};
  static const unsigned char bgr[3] = {10, 100, 200};
  static unsigned char uniform[120 * 160 * 3], pattern[2 * 120 * 160 * 3];
  int64_t one[4] = {1, 120, 160, 3}, two[4] = {2, 120, 160, 3}, box_shape[2] = {3, 5}, bad_shape[4] = {1, 3, 8, 8};
  float boxes[15] = {0, 10, 10, 60, 110, 1, 50, 0, 160, 120, 1, -20, 30, 40, 150}, expected[3], bad[3 * 64] = {0};
  DLTensor frames = borrowed_cpu_tensor(uniform, 4, one, kDLUInt, 8);
  DLTensor box_tensor = borrowed_cpu_tensor(boxes, 2, box_shape, kDLFloat, 32);
  DLTensor bad_crops = borrowed_cpu_tensor(bad, 4, bad_shape, kDLFloat, 32);
  DLManagedTensorVersioned *crops = NULL, *from_crops = NULL, *direct = NULL;
  tk_embedder* embedder = open_model(TK_EMBEDDER_MODELS "/osnet_x0_25_msmt17.torchscript", "cpu", "box crops");
  int64_t k;
  if (embedder == NULL) return;
  fill_bgr(uniform, 120 * 160, bgr);
  for (k = 0; k < 3; ++k) expected[k] = ((float)bgr[2 - k] / 255.0f - mean[k]) / std[k];
  boxes[5] = boxes[10] = 0; /* one frame */
  CHECK(tk_embedder_crop_boxes(embedder, &frames, &box_tensor, &crops) == TK_OK && crops != NULL);
  if (crops != NULL) {
    CHECK(crops->dl_tensor.ndim == 4 && crops->dl_tensor.shape[0] == 3 && crops->dl_tensor.shape[1] == 3);
    CHECK(crops->dl_tensor.shape[2] == 256 && crops->dl_tensor.shape[3] == 128);
    CHECK(crops->dl_tensor.dtype.code == kDLFloat && crops->dl_tensor.dtype.bits == 32);
    CHECK(crops->dl_tensor.device.device_type == kDLCPU && crop_error(crops, expected) < 1e-5f);
    tk_tensor_free(crops);
    crops = NULL;
  }
  /* embed_crops(crop_boxes(...)) is embed(...) bit for bit, on two patterned frames */
  for (k = 0; k < 2 * 120 * 160 * 3; ++k) pattern[k] = (unsigned char)((k * 7919) % 251);
  frames = borrowed_cpu_tensor(pattern, 4, two, kDLUInt, 8);
  boxes[5] = boxes[10] = 1;
  CHECK(tk_embedder_crop_boxes(embedder, &frames, &box_tensor, &crops) == TK_OK && crops != NULL);
  CHECK(tk_embedder_embed(embedder, &frames, &box_tensor, &direct) == TK_OK && direct != NULL);
  if (crops != NULL && direct != NULL) {
    CHECK(tk_embedder_embed_crops(embedder, &crops->dl_tensor, &from_crops) == TK_OK && from_crops != NULL);
    if (from_crops != NULL) {
      CHECK(from_crops->dl_tensor.shape[0] == 3 && from_crops->dl_tensor.shape[1] == 512);
      CHECK(max_difference(f32(from_crops), f32(direct), 3 * 512) == 0.0f);
    }
  }
  CHECK(tk_embedder_embed_crops(embedder, &bad_crops, &direct) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strcmp(tk_last_error(), "Embedder::embed_crops: crops must have shape [N,3,256,128], got [1,3,8,8]") == 0);
  CHECK(tk_embedder_crop_boxes(embedder, &frames, &box_tensor, NULL) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strcmp(tk_last_error(), "tk_embedder_crop_boxes: crops is NULL") == 0);
  tk_tensor_free(crops);
  tk_tensor_free(from_crops);
  tk_tensor_free(direct);
  tk_embedder_destroy(embedder);
}

static void test_aligned_crops(void) {
  /* MobileFaceNet's ArcFace preset: landmarks on ArcFace's 112 x 112 template, shifted by (20, 10), make the
     alignment a pure translation inside the frame, so a uniform frame gives (v - 127.5) / 127.5 everywhere; and
     embed_crops of the aligned crops is embed_aligned. */
  static const unsigned char bgr[3] = {30, 140, 250};
  static unsigned char uniform[160 * 200 * 3];
  float landmarks[10] = {38.2946f, 51.6963f, 73.5318f, 51.5014f, 56.0252f,
                         71.7366f, 41.5493f, 92.3655f, 70.7299f, 92.2041f};
  int64_t shape[4] = {1, 160, 200, 3}, lm_shape[3] = {1, 5, 2}, k;
  float expected[3];
  DLTensor frames = borrowed_cpu_tensor(uniform, 4, shape, kDLUInt, 8);
  DLTensor lm = borrowed_cpu_tensor(landmarks, 3, lm_shape, kDLFloat, 32);
  DLManagedTensorVersioned *crops = NULL, *from_crops = NULL, *direct = NULL;
  tk_embedder* embedder = open_model(TK_EMBEDDER_MODELS "/mobilefacenet.torchscript", "cpu", "aligned crops");
  if (embedder == NULL) return;
  fill_bgr(uniform, 160 * 200, bgr);
  for (k = 0; k < 3; ++k) expected[k] = ((float)bgr[2 - k] - 127.5f) / 127.5f;
  for (k = 0; k < 5; ++k) landmarks[2 * k] += 20, landmarks[2 * k + 1] += 10;
  CHECK(tk_embedder_crop_aligned(embedder, &frames, &lm, NULL, &crops) == TK_OK && crops != NULL);
  if (crops != NULL) {
    CHECK(crops->dl_tensor.shape[0] == 1 && crops->dl_tensor.shape[2] == 112 && crops->dl_tensor.shape[3] == 112);
    CHECK(crop_error(crops, expected) < 1e-5f);
    CHECK(tk_embedder_embed_crops(embedder, &crops->dl_tensor, &from_crops) == TK_OK && from_crops != NULL);
  }
  CHECK(tk_embedder_embed_aligned(embedder, &frames, &lm, NULL, &direct) == TK_OK && direct != NULL);
  if (from_crops != NULL && direct != NULL) CHECK(max_difference(f32(from_crops), f32(direct), 128) == 0.0f);
  lm_shape[1] = 4;
  CHECK(tk_embedder_crop_aligned(embedder, &frames, &lm, NULL, &crops) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strstr(tk_last_error(), "landmarks must have shape [N,5,2], got [1,4,2]") != NULL);
  tk_tensor_free(crops);
  tk_tensor_free(from_crops);
  tk_tensor_free(direct);
  tk_embedder_destroy(embedder);
}

static void test_cluster(void) {
  /* Two directions, two rows each, then a config with a bad min_samples. */
  float e[8] = {1, 0, 0.99f, 0.1f, 0, 1, 0.1f, 0.99f};
  int64_t shape[2] = {4, 2}, truth_values[4] = {7, 7, 3, 3};
  int64_t truth_shape[1] = {4};
  double purity = 0, ari = 0;
  tk_cluster_config c;
  DLTensor t = borrowed_cpu_tensor(e, 2, shape, kDLFloat, 32), truth;
  DLManagedTensorVersioned* labels = NULL;
  CHECK(tk_cluster_config_init(&c, sizeof c) == TK_OK && c.struct_size == sizeof c && c.eps == 0.3);
  CHECK(c.min_samples == 3 && c.method == TK_CLUSTER_AGGLOMERATIVE && c.linkage == TK_LINKAGE_AVERAGE &&
        c.distance_threshold == 0.5);
  CHECK(tk_cluster_embeddings(&t, &c, NULL, &labels) == TK_OK && labels != NULL);
  if (labels != NULL) {
    const int64_t* l = (const int64_t*)labels->dl_tensor.data;
    CHECK(l[0] == 0 && l[1] == 0 && l[2] == 1 && l[3] == 1);
    truth = borrowed_cpu_tensor(truth_values, 1, truth_shape, kDLInt, 64);
    CHECK(tk_score_clusters(&labels->dl_tensor, &truth, &purity, &ari) == TK_OK && purity == 1.0 && ari == 1.0);
    tk_tensor_free(labels);
  }
  c.min_samples = 0;
  CHECK(tk_cluster_embeddings(&t, &c, NULL, &labels) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strcmp(tk_last_error(), "cluster_embeddings: options.min_samples must be >= 1, got 0") == 0);
  tk_cluster_config_init(&c, sizeof c);
  c.linkage = 5;
  CHECK(tk_cluster_embeddings(&t, &c, NULL, &labels) == TK_ERR_INVALID_ARGUMENT);
}

static void test_cuda_stream(void) {
  /* On a GPU, on the caller's stream: embeddings equal those on LibTorch's current stream, crops of frames in device
     memory equal the crops of the same frames on the CPU, and clustering device memory gives the CPU's labels. */
  static unsigned char pixels[120 * 160 * 3];
  static float cpu_crops[2 * 3 * 256 * 128], gpu_crops[2 * 3 * 256 * 128], current[2 * 512], on_stream[2 * 512];
  float boxes[10] = {0, 10, 10, 60, 110, 0, -20, 30, 40, 150}, e[8] = {1, 0, 0.99f, 0.1f, 0, 1, 0.1f, 0.99f};
  int64_t shape[4] = {1, 120, 160, 3}, box_shape[2] = {2, 5}, e_shape[2] = {4, 2}, labels_gpu[4] = {-1}, i;
  DLTensor frames = borrowed_cpu_tensor(pixels, 4, shape, kDLUInt, 8), gframes, ge;
  DLTensor box_tensor = borrowed_cpu_tensor(boxes, 2, box_shape, kDLFloat, 32);
  DLManagedTensorVersioned *a = NULL, *b = NULL, *labels = NULL;
  tk_cluster_config cluster;
  cuda_runtime rt;
  void *stream = NULL, *d_pixels, *d_e;
  tk_embedder* embedder;
  if (!cuda_runtime_load(&rt, "embeddings on a CUDA stream")) return;
  embedder = open_model(TK_EMBEDDER_MODELS "/osnet_x0_25_msmt17.torchscript", "cuda:0", "embeddings on a CUDA stream");
  if (embedder == NULL || rt.stream_create(&stream) != 0) return;
  for (i = 0; i < 120 * 160 * 3; ++i) pixels[i] = (unsigned char)((i * 7919) % 251);
  d_pixels = cuda_upload(&rt, pixels, sizeof pixels);
  d_e = cuda_upload(&rt, e, sizeof e);
  gframes = cuda_tensor(d_pixels, 4, shape, kDLUInt, 8);
  ge = cuda_tensor(d_e, 2, e_shape, kDLFloat, 32);
  CHECK(tk_embedder_embed(embedder, &frames, &box_tensor, &a) == TK_OK && a != NULL);
  if (a != NULL) CHECK(cuda_download(&rt, current, &a->dl_tensor, sizeof current) == 0);
  CHECK(tk_embedder_set_cuda_stream(embedder, stream) == TK_OK);
  CHECK(tk_embedder_embed(embedder, &frames, &box_tensor, &b) == TK_OK && b != NULL);
  if (b != NULL)
    CHECK(rt.stream_synchronize(stream) == 0 && cuda_download(&rt, on_stream, &b->dl_tensor, sizeof on_stream) == 0);
  CHECK(max_difference(current, on_stream, 2 * 512) < 1e-5f);
  tk_tensor_free(a);
  tk_tensor_free(b);
  a = b = NULL;
  CHECK(tk_embedder_crop_boxes(embedder, &frames, &box_tensor, &a) == TK_OK && a != NULL);
  CHECK(tk_embedder_crop_boxes(embedder, &gframes, &box_tensor, &b) == TK_OK && b != NULL);
  if (a != NULL && b != NULL) {
    memcpy(cpu_crops, f32(a), sizeof cpu_crops);
    CHECK(b->dl_tensor.device.device_type == kDLCUDA && rt.stream_synchronize(stream) == 0);
    CHECK(cuda_download(&rt, gpu_crops, &b->dl_tensor, sizeof gpu_crops) == 0);
    CHECK(max_difference(cpu_crops, gpu_crops, 2 * 3 * 256 * 128) < 1e-5f);
  }
  tk_cluster_config_init(&cluster, sizeof cluster);
  CHECK(tk_cluster_embeddings(&ge, &cluster, stream, &labels) == TK_OK && labels != NULL);
  if (labels != NULL) {
    CHECK(rt.stream_synchronize(stream) == 0 &&
          cuda_download(&rt, labels_gpu, &labels->dl_tensor, sizeof labels_gpu) == 0);
    CHECK(labels_gpu[0] == 0 && labels_gpu[1] == 0 && labels_gpu[2] == 1 && labels_gpu[3] == 1);
  }
  tk_tensor_free(a);
  tk_tensor_free(b);
  tk_tensor_free(labels);
  tk_embedder_destroy(embedder);
  rt.free_device(d_pixels);
  rt.free_device(d_e);
  rt.stream_destroy(stream);
}

int main(void) {
  test_config_and_errors();
  test_embed();
  test_box_crops();
  test_aligned_crops();
  test_cluster();
  test_cuda_stream();
  return report();
}
