/* The embedder and clustering through the C ABI, from C99: configuration, errors on bad boxes / landmarks / models,
 * embeddings of boxes (where tools/embedder's converted OSNet is in the build tree), clustering and its scores. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "trackkit/trackkit.h"

#ifndef TK_EMBEDDER_MODELS
#define TK_EMBEDDER_MODELS "build/embedder-models"
#endif

static void test_config_and_errors(void) {
  tk_embedder_config c = tk_embedder_config_defaults();
  tk_embedder* embedder = NULL;
  CHECK(c.struct_size == sizeof(tk_embedder_config));
  CHECK(strcmp(c.device, "auto") == 0 && c.preset == TK_CROP_AUTO && c.box_sampling == TK_BOX_SAMPLING_OPENCV);
  CHECK(c.input_bgr == 1 && c.model_bgr == 0 && c.quantize == 1 && c.batch_size == 0 && c.std[0] == 1.0f);
  CHECK(tk_embedder_create("/nonexistent.torchscript", &c, &embedder) == TK_ERR_NOT_FOUND && embedder == NULL);
  CHECK(strstr(tk_last_error(), "does not exist") != NULL);
  CHECK(tk_embedder_create(NULL, &c, &embedder) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strcmp(tk_last_error(), "tk_embedder_create: model_path is NULL") == 0);
  c.preset = 7;
  CHECK(tk_embedder_create("x", &c, &embedder) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strcmp(tk_last_error(), "tk_embedder_create: config->preset must be a tk_crop_preset, got 7") == 0);
  c = tk_embedder_config_defaults();
  c.struct_size = 4;
  CHECK(tk_embedder_create("x", &c, &embedder) == TK_ERR_INVALID_ARGUMENT);
}

static void test_embed(void) {
  const char* path = TK_EMBEDDER_MODELS "/osnet_x0_25_msmt17.torchscript";
  tk_embedder_config c = tk_embedder_config_defaults();
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

static void test_cluster(void) {
  /* Two directions, two rows each, then a config with a bad min_samples. */
  float e[8] = {1, 0, 0.99f, 0.1f, 0, 1, 0.1f, 0.99f};
  int64_t shape[2] = {4, 2}, truth_values[4] = {7, 7, 3, 3};
  int64_t truth_shape[1] = {4};
  double purity = 0, ari = 0;
  tk_cluster_config c = tk_cluster_config_defaults();
  DLTensor t = borrowed_cpu_tensor(e, 2, shape, kDLFloat, 32), truth;
  DLManagedTensorVersioned* labels = NULL;
  CHECK(c.method == TK_CLUSTER_AGGLOMERATIVE && c.linkage == TK_LINKAGE_AVERAGE && c.distance_threshold == 0.5);
  CHECK(tk_cluster_embeddings(&t, &c, &labels) == TK_OK && labels != NULL);
  if (labels != NULL) {
    const int64_t* l = (const int64_t*)labels->dl_tensor.data;
    CHECK(l[0] == 0 && l[1] == 0 && l[2] == 1 && l[3] == 1);
    truth = borrowed_cpu_tensor(truth_values, 1, truth_shape, kDLInt, 64);
    CHECK(tk_score_clusters(&labels->dl_tensor, &truth, &purity, &ari) == TK_OK && purity == 1.0 && ari == 1.0);
    tk_tensor_free(labels);
  }
  c.min_samples = 0;
  CHECK(tk_cluster_embeddings(&t, &c, &labels) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strcmp(tk_last_error(), "cluster_embeddings: options.min_samples must be >= 1, got 0") == 0);
  c = tk_cluster_config_defaults();
  c.linkage = 5;
  CHECK(tk_cluster_embeddings(&t, &c, &labels) == TK_ERR_INVALID_ARGUMENT);
}

int main(void) {
  test_config_and_errors();
  test_embed();
  test_cluster();
  return report();
}
