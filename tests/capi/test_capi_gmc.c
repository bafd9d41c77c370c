/* GMC through the C ABI, from C99: a textured frame moved by a known translation, blank frames, the batch,
 * presets, ultralytics' YAML and errors. */
#define _POSIX_C_SOURCE 200809L /* mkdtemp, for the YAML fixtures */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tracker/ultralytics_trackers.h"
#include "check.h"
#include "trackkit/trackkit.h"

enum { W = 320, H = 240 };

/* A uint8 CPU tensor of ndim dims. */
static DLTensor u8_tensor(uint8_t* data, int ndim, int64_t* shape) {
  return borrowed_cpu_tensor(data, ndim, shape, kDLUInt, 8);
}

/* Blobs of a few pixels: random values (LCG) box-filtered, so corners exist at every pyramid level. */
static void texture(uint8_t* out, int width, int height) {
  static float noise[(W + 48) * (H + 48)];
  unsigned state = 12345u;
  int x, y, i, j;
  for (i = 0; i < (width + 40) * (height + 40); ++i) {
    state = state * 1664525u + 1013904223u;
    noise[i] = (float)(state >> 24);
  }
  for (y = 0; y < height; ++y) {
    for (x = 0; x < width; ++x) {
      float s = 0;
      for (j = 0; j < 5; ++j) {
        for (i = 0; i < 5; ++i) s += noise[(y + 18 + j) * (width + 40) + x + 18 + i];
      }
      out[y * width + x] = (uint8_t)(s / 25.0f);
    }
  }
}

static const double* f64(const DLManagedTensorVersioned* t) {
  return (const double*)((const char*)t->dl_tensor.data + t->dl_tensor.byte_offset);
}

static void test_config(void) {
  tk_gmc_config c, p;
  tk_gmc* gmc = NULL;
  CHECK(tk_gmc_config_init(&c, sizeof c) == TK_OK && tk_gmc_config_init(&p, sizeof p) == TK_OK);
  CHECK(c.struct_size == sizeof(tk_gmc_config));
  CHECK(c.method == TK_GMC_SPARSE_OPTICAL_FLOW && c.downscale == 2 && c.mask_detections == 1);
  CHECK(tk_gmc_config_preset("original_pipeline", &p) == TK_OK);
  CHECK(p.method == TK_GMC_ECC && p.ecc_motion == TK_ECC_EUCLIDEAN && p.downscale == 4 && p.ecc_iterations == 500);
  CHECK(tk_gmc_config_preset("reference_ecc", &p) == TK_OK);
  CHECK(p.ecc_iterations == 5000 && p.ecc_eps == 1e-6 && p.downscale == 2);
  CHECK(tk_gmc_config_preset("reference_none", &p) == TK_OK && p.method == TK_GMC_NONE && p.max_corners == 1000);
  CHECK(tk_gmc_config_preset("fast", &p) == TK_ERR_INVALID_ARGUMENT);
  CHECK(
      strcmp(tk_last_error(),
             "GmcOptions::preset: name must be one of original_pipeline, reference_none, reference_ecc, reference_orb, "
             "reference_sift, reference_sparse_optical_flow; got \"fast\"") == 0);
  c.method = 9;
  CHECK(tk_gmc_create(&c, &gmc) == TK_ERR_INVALID_ARGUMENT && gmc == NULL);
  CHECK(strcmp(tk_last_error(), "tk_gmc_create: config->method must be a tk_gmc_method, got 9") == 0);
  CHECK(tk_gmc_config_init(&c, sizeof c) == TK_OK);
  c.downscale = 0;
  CHECK(tk_gmc_create(&c, &gmc) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strcmp(tk_last_error(), "GMC: options.downscale must be in [1,64], got 0.000000") == 0);
  c.struct_size = 8;
  CHECK(tk_gmc_create(&c, &gmc) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strstr(tk_last_error(), "config->struct_size is 8") != NULL);
  CHECK(strcmp(tk_gmc_status_name(TK_GMC_SCENE_CUT), "scene cut") == 0);
}

/* Two frames, the second the first moved 6 px right and 4 px down: the warp is that translation. */
static void test_apply_and_estimate(int method) {
  static uint8_t big[(H + 8) * (W + 8)], frames[2 * H * W], blank[H * W];
  int64_t shape[3] = {H, W, 1}, batch_shape[3] = {2, H, W};
  DLTensor f0 = u8_tensor(frames, 3, shape), f1 = u8_tensor(frames + H * W, 3, shape), fb = u8_tensor(blank, 3, shape);
  DLTensor both = u8_tensor(frames, 3, batch_shape);
  DLManagedTensorVersioned *warp = NULL, *quality = NULL;
  tk_gmc_config c;
  tk_gmc_quality q;
  tk_gmc* gmc = NULL;
  int y;
  q.struct_size = sizeof q;
  CHECK(tk_gmc_config_init(&c, sizeof c) == TK_OK);
  texture(big, W + 8, H + 8);
  for (y = 0; y < H; ++y) {
    memcpy(frames + y * W, big + (y + 4) * (W + 8) + 6, W); /* previous: window at (6, 4) */
    memcpy(frames + H * W + y * W, big + y * (W + 8), W);   /* current: window at (0, 0) */
  }
  memset(blank, 90, sizeof blank);
  c.method = method;
  CHECK(tk_gmc_create(&c, &gmc) == TK_OK && gmc != NULL);
  if (gmc == NULL) return;
  CHECK(tk_gmc_apply(gmc, &f0, NULL, &warp, &q) == TK_OK && q.status == TK_GMC_FIRST_FRAME);
  tk_tensor_free(warp);
  CHECK(tk_gmc_apply(gmc, &f1, NULL, &warp, &q) == TK_OK && q.status == TK_GMC_OK);
  if (warp != NULL) {
    const double* w = f64(warp);
    CHECK(warp->dl_tensor.ndim == 2 && warp->dl_tensor.shape[0] == 2 && warp->dl_tensor.shape[1] == 3);
    CHECK(fabs(w[0] - 1) < 2e-3 && fabs(w[1]) < 2e-3 && fabs(w[3]) < 2e-3 && fabs(w[4] - 1) < 2e-3);
    CHECK(fabs(w[2] - 6) < 0.1 && fabs(w[5] - 4) < 0.1);
    tk_tensor_free(warp);
    warp = NULL;
  }
  CHECK(tk_gmc_apply(gmc, &fb, NULL, &warp, &q) == TK_OK && q.status == TK_GMC_TEXTURELESS);
  tk_tensor_free(warp);
  warp = NULL;
  CHECK(tk_gmc_reset(gmc) == TK_OK);
  CHECK(tk_gmc_estimate(gmc, &both, NULL, NULL, &warp, &quality) == TK_OK);
  if (warp != NULL && quality != NULL) {
    CHECK(warp->dl_tensor.ndim == 3 && warp->dl_tensor.shape[0] == 1);
    CHECK(quality->dl_tensor.shape[0] == 1 && quality->dl_tensor.shape[1] == 4);
    CHECK(f64(quality)[0] == TK_GMC_OK && fabs(f64(warp)[2] - 6) < 0.1);
  }
  tk_tensor_free(warp);
  tk_tensor_free(quality);
  tk_gmc_destroy(gmc);
}

/* Four frames of a camera panning over the texture: frame k is the window at (6 - 2k, 4 - k). */
static void panning_frames(uint8_t* frames) {
  static uint8_t big[(H + 8) * (W + 8)];
  int k, y;
  texture(big, W + 8, H + 8);
  for (k = 0; k < 4; ++k) {
    for (y = 0; y < H; ++y) memcpy(frames + (k * H + y) * W, big + (y + 4 - k) * (W + 8) + 6 - 2 * k, W);
  }
}

/* tk_gmc_apply_batch over two calls of two frames gives tk_gmc_apply's warps and qualities frame by frame, the
 * second call's first warp starting from the first call's last frame; a box of frame 2 is masked alike. */
static void test_apply_batch(int method) {
  static uint8_t frames[4 * H * W];
  int64_t frame_shape[2] = {H, W}, pair_shape[3] = {2, H, W}, box_shape[2] = {1, 4}, row_shape[2] = {1, 5};
  float box[4] = {100, 60, 180, 200}, row[5] = {0, 100, 60, 180, 200}; /* row: frame 0 of the second call */
  DLTensor one_box = borrowed_cpu_tensor(box, 2, box_shape, kDLFloat, 32);
  DLTensor box_row = borrowed_cpu_tensor(row, 2, row_shape, kDLFloat, 32);
  DLManagedTensorVersioned *warp = NULL, *warps[2] = {NULL, NULL}, *quality[2] = {NULL, NULL};
  tk_gmc_config c;
  tk_gmc *single = NULL, *batched = NULL;
  tk_gmc_quality q;
  int k, i, same = 1;
  panning_frames(frames);
  q.struct_size = sizeof q;
  CHECK(tk_gmc_config_init(&c, sizeof c) == TK_OK);
  c.method = method;
  CHECK(tk_gmc_create(&c, &single) == TK_OK && tk_gmc_create(&c, &batched) == TK_OK);
  if (single == NULL || batched == NULL) return;
  for (k = 0; k < 2; ++k) {
    DLTensor pair = u8_tensor(frames + 2 * k * H * W, 3, pair_shape);
    CHECK(tk_gmc_apply_batch(batched, &pair, k == 1 ? &box_row : NULL, &warps[k], &quality[k]) == TK_OK);
  }
  if (warps[0] == NULL || warps[1] == NULL || quality[0] == NULL || quality[1] == NULL) return;
  CHECK(warps[1]->dl_tensor.ndim == 3 && warps[1]->dl_tensor.shape[0] == 2 && warps[1]->dl_tensor.shape[2] == 3);
  CHECK(quality[1]->dl_tensor.ndim == 2 && quality[1]->dl_tensor.shape[0] == 2 && quality[1]->dl_tensor.shape[1] == 4);
  for (k = 0; k < 4; ++k) {
    DLTensor f = u8_tensor(frames + k * H * W, 2, frame_shape);
    const double *w, *bw = f64(warps[k / 2]) + (k % 2) * 6, *bq = f64(quality[k / 2]) + (k % 2) * 4;
    CHECK(tk_gmc_apply(single, &f, k == 2 ? &one_box : NULL, &warp, &q) == TK_OK);
    if (warp == NULL) continue;
    w = f64(warp);
    for (i = 0; i < 6; ++i) same &= w[i] == bw[i];
    CHECK(bq[0] == q.status && bq[1] == q.points && bq[2] == q.inliers && bq[3] == q.score);
    CHECK(q.status == (k == 0 ? TK_GMC_FIRST_FRAME : TK_GMC_OK));
    if (k > 0) CHECK(fabs(w[2] - 2) < 0.1 && fabs(w[5] - 1) < 0.1); /* the pan: 2 px right, 1 px down */
    tk_tensor_free(warp);
    warp = NULL;
  }
  CHECK(same);
  for (k = 0; k < 2; ++k) tk_tensor_free(warps[k]), tk_tensor_free(quality[k]);
  CHECK(tk_gmc_apply_batch(batched, NULL, NULL, &warp, NULL) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strcmp(tk_last_error(), "tk_gmc_apply_batch: frames is NULL") == 0);
  CHECK(tk_gmc_apply_batch(batched, &one_box, NULL, NULL, NULL) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strcmp(tk_last_error(), "tk_gmc_apply_batch: warps is NULL") == 0);
  tk_gmc_destroy(single);
  tk_gmc_destroy(batched);
}

/* tk_gmc_quality is written up to its struct_size; a bad one is refused before the stream moves. */
static void test_quality_struct(void) {
  static uint8_t frames[4 * H * W];
  int64_t shape[2] = {H, W};
  DLTensor f = u8_tensor(frames, 2, shape);
  struct {
    tk_gmc_quality q;
    unsigned char tail[8];
  } big;
  DLManagedTensorVersioned* warp = NULL;
  tk_gmc_config c;
  tk_gmc* gmc = NULL;
  panning_frames(frames);
  CHECK(tk_gmc_config_init(&c, sizeof c) == TK_OK && tk_gmc_create(&c, &gmc) == TK_OK);
  if (gmc == NULL) return;
  memset(&big, 0xAB, sizeof big);
  big.q.struct_size = 4;
  CHECK(tk_gmc_apply(gmc, &f, NULL, &warp, &big.q) == TK_ERR_INVALID_ARGUMENT && warp == NULL);
  CHECK(strncmp(tk_last_error(), "tk_gmc_apply: quality->struct_size is 4", 39) == 0);
  big.q.struct_size = sizeof big.q;
  CHECK(tk_gmc_apply(gmc, &f, NULL, &warp, &big.q) == TK_OK); /* still the stream's first frame */
  CHECK(big.q.status == TK_GMC_FIRST_FRAME && big.q.struct_size == sizeof big.q);
  CHECK(big.tail[0] == 0xAB && big.tail[7] == 0xAB);
  tk_tensor_free(warp);
  CHECK(tk_gmc_set_cuda_stream(gmc, NULL) == TK_OK); /* the current stream */
  CHECK(tk_gmc_set_cuda_stream(NULL, NULL) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strcmp(tk_last_error(), "tk_gmc_set_cuda_stream: gmc is NULL") == 0);
  tk_gmc_destroy(gmc);
}

static void test_errors(void) {
  tk_gmc_config c;
  tk_gmc* gmc = NULL;
  float data[12] = {0};
  int64_t shape[3] = {2, 2, 3};
  DLTensor t = u8_tensor((uint8_t*)data, 3, shape);
  DLManagedTensorVersioned* warp = NULL;
  CHECK(tk_gmc_config_init(&c, sizeof c) == TK_OK);
  CHECK(tk_gmc_create(&c, &gmc) == TK_OK);
  t.dtype.code = kDLFloat;
  t.dtype.bits = 32;
  CHECK(tk_gmc_apply(gmc, &t, NULL, &warp, NULL) == TK_ERR_INVALID_ARGUMENT && warp == NULL);
  CHECK(strcmp(tk_last_error(), "GMC::apply: frame must have dtype Byte, got Float") == 0);
  CHECK(tk_gmc_apply(NULL, &t, NULL, &warp, NULL) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strcmp(tk_last_error(), "tk_gmc_apply: gmc is NULL") == 0);
  CHECK(tk_gmc_estimate(gmc, NULL, NULL, NULL, &warp, NULL) == TK_ERR_INVALID_ARGUMENT);
  tk_gmc_destroy(gmc);
  tk_gmc_destroy(NULL);
}

/* The GMC of ultralytics' tracker files: botsort.yaml's sparseOptFlow, none for bytetrack.yaml. */
static void test_from_yaml(void) {
  const char* names[3] = {"botsort.yaml", "bytetrack.yaml", "bad.yaml"};
  char dir[32], botsort[256], bytetrack[256], bad[256];
  tk_gmc_config c;
  CHECK(tk_gmc_config_init(&c, sizeof c) == TK_OK);
  CHECK(tk_fixture_dir(dir));
  CHECK(tk_fixture_file(dir, names[0], TK_ULTRALYTICS_BOTSORT_YAML, botsort));
  CHECK(tk_fixture_file(dir, names[1], TK_ULTRALYTICS_BYTETRACK_YAML, bytetrack));
  CHECK(tk_fixture_file(dir, names[2], "tracker_type: botsort\ngmc_method: flow\n", bad));
#if TRACKKIT_HAVE_YAML_CPP
  char expected[512];
  CHECK(tk_gmc_config_from_yaml(botsort, &c) == TK_OK);
  CHECK(c.method == TK_GMC_SPARSE_OPTICAL_FLOW && c.max_corners == 1000 && c.flow_window == 21); /* reference */
  CHECK(tk_gmc_config_from_yaml(bytetrack, &c) == TK_OK && c.method == TK_GMC_NONE);
  CHECK(tk_gmc_config_from_yaml(bad, &c) == TK_ERR_INVALID_ARGUMENT && c.method == TK_GMC_NONE);
  snprintf(expected, sizeof expected,
           "GmcOptions::from_yaml: gmc_method in \"%s\" must be sparseOptFlow, orb, sift, ecc or none, got flow", bad);
  CHECK(strcmp(tk_last_error(), expected) == 0);
  CHECK(tk_gmc_config_from_yaml("/nonexistent/botsort.yaml", &c) == TK_ERR_NOT_FOUND);
#else
  CHECK(tk_gmc_config_from_yaml(botsort, &c) == TK_ERR_UNSUPPORTED);
  CHECK(strstr(tk_last_error(), "built without yaml-cpp") != NULL);
#endif
  CHECK(tk_gmc_config_from_yaml(botsort, NULL) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strcmp(tk_last_error(), "tk_gmc_config_from_yaml: config is NULL") == 0);
  tk_fixture_remove(dir, names, 3);
}

int main(void) {
  test_config();
  test_from_yaml();
  test_apply_and_estimate(TK_GMC_SPARSE_OPTICAL_FLOW);
  test_apply_and_estimate(TK_GMC_ECC);
  test_apply_and_estimate(TK_GMC_ORB);
  test_apply_batch(TK_GMC_SPARSE_OPTICAL_FLOW);
  test_apply_batch(TK_GMC_ECC);
  test_quality_struct();
  test_errors();
  return report();
}
