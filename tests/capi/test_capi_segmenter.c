/* The segmenter and COCO RLE through the C ABI, from C99: configuration, errors, and (where the MobileSAM export of
 * tools/segmenter is in the build tree) masks of two boxes on a frame, as DLPack tensors, back through RLE; the masks
 * output struct written up to its struct_size; RLE and mask IoU of device memory on the caller's CUDA stream. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "cuda_runtime.h"
#include "trackkit/trackkit.h"

#ifndef TK_SEGMENTER_MODELS
#define TK_SEGMENTER_MODELS "build/segmenter-models"
#endif

static void test_config_and_errors(void) {
  tk_segmenter_config c;
  tk_segmenter* s = NULL;
  CHECK(tk_segmenter_config_init(&c, sizeof c) == TK_OK && c.struct_size == sizeof(tk_segmenter_config));
  CHECK(strcmp(c.device, "auto") == 0 && c.precision == TK_PRECISION_FP32 && c.input_bgr == 1);
  CHECK(c.multimask_output == 0 && c.full_resolution == 1 && c.mask_boxes == 0 && isnan(c.mask_threshold));
  CHECK(c.encoder_batch_size == 0 && c.decoder_batch_size == 0);
  CHECK(tk_segmenter_create("/nonexistent.pt", "/nonexistent.pt", &c, &s) == TK_ERR_NOT_FOUND && s == NULL);
  CHECK(strstr(tk_last_error(), "encoder_path \"/nonexistent.pt\" does not exist") != NULL);
  CHECK(tk_segmenter_create(NULL, "x", &c, &s) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strcmp(tk_last_error(), "tk_segmenter_create: encoder_path is NULL") == 0);
  c.precision = 7;
  CHECK(tk_segmenter_create("x", "y", &c, &s) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strcmp(tk_last_error(), "tk_segmenter_create: config->precision must be a tk_precision, got 7") == 0);
  tk_segmenter_config_init(&c, sizeof c);
  c.struct_size = 4;
  CHECK(tk_segmenter_create("x", "y", &c, &s) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strstr(tk_last_error(), "tk_segmenter_create: config->struct_size is 4") == tk_last_error());
  CHECK(tk_segmenter_encode(NULL, NULL, NULL) == TK_ERR_INVALID_ARGUMENT);
  CHECK(tk_segmenter_set_cuda_stream(NULL, NULL) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strcmp(tk_last_error(), "tk_segmenter_set_cuda_stream: segmenter is NULL") == 0);
  tk_segmenter_masks_free(NULL);
}

static void test_rle(void) {
  /* A 3x4 mask, rows: 0110 / 0111 / 0000 -> column-major 000 110 110 010 -> runs 3,2,1,2,2,1,1 */
  unsigned char pixels[12] = {0, 1, 1, 0, 0, 1, 1, 1, 0, 0, 0, 0};
  int64_t shape[3] = {1, 3, 4}, shape2[3] = {2, 3, 4};
  unsigned char two[24];
  DLTensor masks = borrowed_cpu_tensor(pixels, 3, shape, kDLUInt, 8), pair;
  DLManagedTensorVersioned *counts = NULL, *offsets = NULL, *decoded = NULL, *iou = NULL;
  const int64_t expected[7] = {3, 2, 1, 2, 2, 1, 1};
  char text[32];
  size_t length = 0;
  CHECK(tk_rle_encode(&masks, NULL, &counts, &offsets) == TK_OK);
  if (counts != NULL && offsets != NULL) {
    const int64_t* c = (const int64_t*)counts->dl_tensor.data;
    const int64_t* o = (const int64_t*)offsets->dl_tensor.data;
    CHECK(counts->dl_tensor.shape[0] == 7 && o[0] == 0 && o[1] == 7);
    CHECK(memcmp(c, expected, sizeof expected) == 0);
    CHECK(tk_rle_to_string(c, 7, text, 2, &length) == TK_ERR_INVALID_ARGUMENT && length == 7);
    CHECK(tk_rle_to_string(c, 7, text, sizeof text, &length) == TK_OK && strlen(text) == length);
    CHECK(tk_rle_decode_string(text, 3, 4, &decoded) == TK_OK);
    if (decoded != NULL) {
      const unsigned char* d = (const unsigned char*)decoded->dl_tensor.data;
      int i, same = 1;
      for (i = 0; i < 12; ++i) same &= (d[i] != 0) == (pixels[i] != 0);
      CHECK(same && decoded->dl_tensor.dtype.code == kDLBool);
    }
  }
  CHECK(tk_rle_decode_string("0Ym1", 3, 4, &decoded) == TK_ERR_INVALID_ARGUMENT);
  /* IoU: the mask with itself 1; with its first row only (2 of 5 pixels) 0.4. */
  memcpy(two, pixels, 12);
  memset(two + 12, 0, 12);
  two[13] = two[14] = 1;
  pair = borrowed_cpu_tensor(two, 3, shape2, kDLUInt, 8);
  CHECK(tk_mask_iou(&masks, &pair, NULL, &iou) == TK_OK);
  if (iou != NULL) {
    const double* v = (const double*)iou->dl_tensor.data;
    CHECK(fabs(v[0] - 1.0) < 1e-12 && fabs(v[1] - 0.4) < 1e-12);
  }
  shape2[2] = 3;
  CHECK(tk_mask_iou(&masks, &pair, NULL, &iou) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strstr(tk_last_error(), "tk_mask_iou") != NULL || strstr(tk_last_error(), "mask_iou") != NULL);
  tk_tensor_free(counts);
  tk_tensor_free(offsets);
  tk_tensor_free(decoded);
  tk_tensor_free(iou);
}

static void test_segment(void) {
  const char* enc = TK_SEGMENTER_MODELS "/mobile_sam.encoder.pt";
  const char* dec = TK_SEGMENTER_MODELS "/mobile_sam.decoder.pt";
  tk_segmenter_config c;
  tk_segmenter* s = NULL;
  tk_segmenter_embeddings* e = NULL;
  tk_segmenter_masks m = {sizeof(tk_segmenter_masks), NULL, NULL, NULL, NULL, NULL};
  int64_t fshape[4] = {1, 48, 64, 3}, bshape[2] = {2, 5};
  unsigned char* pixels = (unsigned char*)malloc(48 * 64 * 3);
  float boxes[10] = {0, 4, 4, 30, 40, 0, 20, 10, 60, 47};
  DLTensor frames, prompts;
  float scores[2] = {-1, -1};
  struct {
    tk_segmenter_masks known;
    DLManagedTensorVersioned* newer[2];
  } grown;
  int i;
  FILE* f = fopen(enc, "rb");
  if (f == NULL) {
    printf("SKIPPED segmentation: no %s (scripts/segmenter-models.sh)\n", enc);
    free(pixels);
    return;
  }
  fclose(f);
  for (i = 0; i < 48 * 64 * 3; ++i) pixels[i] = (unsigned char)((i * 7) % 251);
  frames = borrowed_cpu_tensor(pixels, 4, fshape, kDLUInt, 8);
  prompts = borrowed_cpu_tensor(boxes, 2, bshape, kDLFloat, 32);
  tk_segmenter_config_init(&c, sizeof c);
  c.device = "cpu";
  c.mask_boxes = 1;
  CHECK(tk_segmenter_create(dec, enc, &c, &s) == TK_ERR_MODEL && s == NULL);
  CHECK(strstr(tk_last_error(), "not the encoder") != NULL);
  CHECK(tk_segmenter_create(enc, dec, &c, &s) == TK_OK && s != NULL);
  if (s != NULL) {
    CHECK(tk_segmenter_encode(s, &frames, &e) == TK_OK && e != NULL);
    CHECK(tk_segmenter_decode(s, e, &prompts, &m) == TK_OK);
    CHECK(m.masks != NULL && m.masks->dl_tensor.ndim == 4 && m.masks->dl_tensor.shape[0] == 2);
    CHECK(m.masks != NULL && m.masks->dl_tensor.shape[2] == 48 && m.masks->dl_tensor.shape[3] == 64);
    CHECK(m.scores != NULL && m.scores->dl_tensor.shape[1] == 1 && m.mask_boxes != NULL);
    CHECK(m.low_res != NULL && m.low_res->dl_tensor.shape[3] == 256);
    if (m.scores != NULL) memcpy(scores, m.scores->dl_tensor.data, sizeof scores);
    tk_segmenter_masks_free(&m);
    CHECK(m.masks == NULL && m.scores == NULL);
    /* a newer caller's larger struct: the fields this library knows are filled, the rest zeroed (NULL) */
    memset(&grown, 0xAB, sizeof grown);
    grown.known.struct_size = sizeof grown;
    CHECK(tk_segmenter_segment(s, &frames, &prompts, &grown.known) == TK_OK);
    CHECK(grown.known.struct_size == sizeof grown && grown.newer[0] == NULL && grown.newer[1] == NULL);
    CHECK(grown.known.scores != NULL && grown.known.masks != NULL && grown.known.mask_boxes != NULL);
    if (grown.known.scores != NULL) CHECK(memcmp(grown.known.scores->dl_tensor.data, scores, sizeof scores) == 0);
    tk_segmenter_masks_free(&grown.known);
    CHECK(grown.known.scores == NULL && grown.known.low_res == NULL);
    /* one too small (not set) is refused before any work */
    m.struct_size = 8;
    CHECK(tk_segmenter_decode(s, e, &prompts, &m) == TK_ERR_INVALID_ARGUMENT && m.scores == NULL);
    CHECK(strcmp(tk_last_error(),
                 "tk_segmenter_decode: masks->struct_size is 8, smaller than any tk_segmenter_masks; "
                 "set it with struct_size = sizeof(tk_segmenter_masks)") == 0);
    m.struct_size = sizeof m;
    CHECK(tk_segmenter_segment(s, &frames, &prompts, NULL) == TK_ERR_INVALID_ARGUMENT);
    CHECK(strcmp(tk_last_error(), "tk_segmenter_segment: masks is NULL") == 0);
    CHECK(tk_segmenter_set_cuda_stream(s, NULL) == TK_OK);
    boxes[5] = 1; /* frame index out of range */
    CHECK(tk_segmenter_decode(s, e, &prompts, &m) == TK_ERR_INVALID_ARGUMENT);
    CHECK(strstr(tk_last_error(), "Segmenter::decode: boxes has frame index 1.000000 (row 1)") != NULL);
    boxes[5] = 0;
    boxes[1] = NAN;
    CHECK(tk_segmenter_segment(s, &frames, &prompts, &m) == TK_ERR_INVALID_ARGUMENT);
    CHECK(strstr(tk_last_error(), "NaN") != NULL);
    tk_segmenter_embeddings_destroy(e);
  }
  tk_segmenter_destroy(s);
  free(pixels);
}

static void test_cuda_masks(void) {
  /* On a GPU, on the caller's stream: RLE and IoU of masks in device memory equal those of the same masks on the
     CPU (a pattern of runs of several lengths). */
  static unsigned char pixels[3 * 24 * 20];
  int64_t shape[3] = {3, 24, 20}, n_cpu = 0, n_gpu = 0;
  DLTensor cpu = borrowed_cpu_tensor(pixels, 3, shape, kDLUInt, 8), gpu;
  DLManagedTensorVersioned *counts[2] = {NULL, NULL}, *offsets[2] = {NULL, NULL}, *iou[2] = {NULL, NULL};
  cuda_runtime rt;
  void *stream = NULL, *device_pixels;
  int i;
  if (!cuda_runtime_load(&rt, "masks on a CUDA stream")) return;
  for (i = 0; i < 3 * 24 * 20; ++i) pixels[i] = (unsigned char)((i / 7 + i / 13) % 3 == 0);
  device_pixels = cuda_upload(&rt, pixels, sizeof pixels);
  gpu = cuda_tensor(device_pixels, 3, shape, kDLUInt, 8);
  CHECK(device_pixels != NULL && rt.stream_create(&stream) == 0);
  CHECK(tk_rle_encode(&cpu, NULL, &counts[0], &offsets[0]) == TK_OK);
  CHECK(tk_rle_encode(&gpu, stream, &counts[1], &offsets[1]) == TK_OK);
  if (counts[0] != NULL && counts[1] != NULL) { /* both on the CPU (documented) */
    n_cpu = counts[0]->dl_tensor.shape[0], n_gpu = counts[1]->dl_tensor.shape[0];
    CHECK(n_cpu > 3 && n_cpu == n_gpu && counts[1]->dl_tensor.device.device_type == kDLCPU);
    CHECK(memcmp(counts[0]->dl_tensor.data, counts[1]->dl_tensor.data, (size_t)n_cpu * sizeof(int64_t)) == 0);
    CHECK(memcmp(offsets[0]->dl_tensor.data, offsets[1]->dl_tensor.data, 4 * sizeof(int64_t)) == 0);
  }
  CHECK(tk_mask_iou(&cpu, &cpu, NULL, &iou[0]) == TK_OK && tk_mask_iou(&gpu, &gpu, stream, &iou[1]) == TK_OK);
  if (iou[0] != NULL && iou[1] != NULL)
    CHECK(memcmp(iou[0]->dl_tensor.data, iou[1]->dl_tensor.data, 9 * sizeof(double)) == 0);
  for (i = 0; i < 2; ++i) {
    tk_tensor_free(counts[i]);
    tk_tensor_free(offsets[i]);
    tk_tensor_free(iou[i]);
  }
  rt.free_device(device_pixels);
  rt.stream_destroy(stream);
}

static void test_cuda_segment(void) {
  /* On a GPU: masks made on the caller's stream equal those on LibTorch's current stream. */
  const char* enc = TK_SEGMENTER_MODELS "/mobile_sam.encoder.pt";
  const char* dec = TK_SEGMENTER_MODELS "/mobile_sam.decoder.pt";
  static unsigned char pixels[48 * 64 * 3];
  int64_t fshape[4] = {1, 48, 64, 3}, bshape[2] = {2, 5};
  float boxes[10] = {0, 4, 4, 30, 40, 0, 20, 10, 60, 47}, scores[2][2] = {{-1, -1}, {-2, -2}};
  DLTensor frames = borrowed_cpu_tensor(pixels, 4, fshape, kDLUInt, 8);
  DLTensor prompts = borrowed_cpu_tensor(boxes, 2, bshape, kDLFloat, 32);
  tk_segmenter_masks m = {sizeof(tk_segmenter_masks), NULL, NULL, NULL, NULL, NULL};
  tk_segmenter_config c;
  tk_segmenter* s = NULL;
  cuda_runtime rt;
  void* stream = NULL;
  int i;
  FILE* f = fopen(enc, "rb");
  if (f == NULL) return; /* test_segment said why */
  fclose(f);
  if (!cuda_runtime_load(&rt, "segmentation on a CUDA stream")) return;
  for (i = 0; i < 48 * 64 * 3; ++i) pixels[i] = (unsigned char)((i * 7) % 251);
  tk_segmenter_config_init(&c, sizeof c);
  c.device = "cuda:0";
  CHECK(tk_segmenter_create(enc, dec, &c, &s) == TK_OK && rt.stream_create(&stream) == 0);
  if (s == NULL) return;
  for (i = 0; i < 2; ++i) {
    if (i == 1) CHECK(tk_segmenter_set_cuda_stream(s, stream) == TK_OK);
    CHECK(tk_segmenter_segment(s, &frames, &prompts, &m) == TK_OK && m.scores != NULL);
    if (m.scores == NULL) break;
    CHECK(m.scores->dl_tensor.device.device_type == kDLCUDA && rt.stream_synchronize(stream) == 0);
    CHECK(cuda_download(&rt, scores[i], &m.scores->dl_tensor, sizeof scores[i]) == 0);
    tk_segmenter_masks_free(&m);
  }
  CHECK(fabsf(scores[0][0] - scores[1][0]) < 1e-4f && fabsf(scores[0][1] - scores[1][1]) < 1e-4f);
  tk_segmenter_destroy(s);
  rt.stream_destroy(stream);
}

int main(void) {
  test_config_and_errors();
  test_rle();
  test_segment();
  test_cuda_masks();
  test_cuda_segment();
  return report();
}
