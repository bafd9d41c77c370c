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
  tk_gmc_config c = tk_gmc_config_defaults(), p;
  tk_gmc* gmc = NULL;
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
  c = tk_gmc_config_defaults();
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
  tk_gmc_config c = tk_gmc_config_defaults();
  tk_gmc_quality q;
  tk_gmc* gmc = NULL;
  int y;
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

static void test_errors(void) {
  tk_gmc_config c = tk_gmc_config_defaults();
  tk_gmc* gmc = NULL;
  float data[12] = {0};
  int64_t shape[3] = {2, 2, 3};
  DLTensor t = u8_tensor((uint8_t*)data, 3, shape);
  DLManagedTensorVersioned* warp = NULL;
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
  tk_gmc_config c = tk_gmc_config_defaults();
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
  test_errors();
  return report();
}
