/* A program built against the frozen ABI 1.0 headers runs against libtrackkit_c_grown (see test_frozen_configs.c):
 * the output structs it sizes with its 1.0 sizeof are filled up to that size and no further (a canary follows
 * each), with the values worked out by hand: GMC's quality of a known translation, a MOT sequence's seqinfo and
 * TrackEval's figures of results equal to the ground truth and of results missing one box, pipeline times. */
#define _POSIX_C_SOURCE 200809L /* mkdtemp, for the MOT files */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../../tracker/ultralytics_trackers.h"
#include "abi_check.h"
#include "trackkit/trackkit.h"

enum { W = 320, H = 240, CELL = 12 };

/* Value noise: random grey levels on a CELL-pixel grid, bilinearly interpolated (corners and gradients at every
 * pyramid level, nothing periodic). */
static void texture(uint8_t* out, int width, int height) {
  enum { GW = W / CELL + 3, GH = H / CELL + 3 };
  static float grid[GH * GW];
  unsigned state = 2024u;
  int x, y, i;
  for (i = 0; i < GH * GW; ++i) {
    state = state * 1664525u + 1013904223u;
    grid[i] = (float)(state >> 24);
  }
  for (y = 0; y < height; ++y) {
    for (x = 0; x < width; ++x) {
      const int gx = x / CELL, gy = y / CELL;
      const float fx = (float)(x % CELL) / CELL, fy = (float)(y % CELL) / CELL;
      const float top = grid[gy * GW + gx] * (1 - fx) + grid[gy * GW + gx + 1] * fx;
      const float bottom = grid[(gy + 1) * GW + gx] * (1 - fx) + grid[(gy + 1) * GW + gx + 1] * fx;
      out[y * width + x] = (uint8_t)(top * (1 - fy) + bottom * fy);
    }
  }
}

/* The second frame is the first moved 6 px right and 4 px down: warp (1,0,6; 0,1,4), TK_GMC_OK. */
static void test_gmc_quality(void) {
  static uint8_t big[(H + 8) * (W + 8)], frames[2 * H * W];
  int64_t shape[3] = {H, W, 1};
  DLTensor f0 = borrowed_cpu_tensor(frames, 3, shape, kDLUInt, 8);
  DLTensor f1 = borrowed_cpu_tensor(frames + H * W, 3, shape, kDLUInt, 8);
  CANARIED(tk_gmc_config) config;
  CANARIED(tk_gmc_quality) quality;
  DLManagedTensorVersioned* warp = NULL;
  tk_gmc* gmc = NULL;
  int y;
  texture(big, W + 8, H + 8);
  for (y = 0; y < H; ++y) {
    memcpy(frames + y * W, big + (y + 4) * (W + 8) + 6, W); /* previous: the window at (6, 4) */
    memcpy(frames + H * W + y * W, big + y * (W + 8), W);   /* current: the window at (0, 0) */
  }
  canary_fill(&config, sizeof config);
  canary_fill(&quality, sizeof quality);
  CHECK(tk_gmc_config_init(&config.value, sizeof config.value) == TK_OK);
  CHECK(tk_gmc_create(&config.value, &gmc) == TK_OK && gmc != NULL);
  if (gmc == NULL) return;
  quality.value.struct_size = sizeof quality.value;
  CHECK(tk_gmc_apply(gmc, &f0, NULL, &warp, &quality.value) == TK_OK);
  CHECK(quality.value.status == TK_GMC_FIRST_FRAME && canary_intact(quality.canary));
  tk_tensor_free(warp);
  warp = NULL;
  CHECK(tk_gmc_apply(gmc, &f1, NULL, &warp, &quality.value) == TK_OK && warp != NULL);
  CHECK(quality.value.struct_size == sizeof quality.value && quality.value.status == TK_GMC_OK);
  CHECK(quality.value.points > 0 && quality.value.inliers > 0 && quality.value.inliers <= quality.value.points);
  CHECK(quality.value.score > 0 && quality.value.score <= 1);
  CHECK(canary_intact(quality.canary) && canary_intact(config.canary));
  if (warp != NULL) {
    const double* w = TENSOR_DATA(double, warp);
    CHECK(fabs(w[0] - 1) < 2e-3 && fabs(w[1]) < 2e-3 && fabs(w[3]) < 2e-3 && fabs(w[4] - 1) < 2e-3);
    CHECK(fabs(w[2] - 6) < 0.1 && fabs(w[5] - 4) < 0.1);
  }
  tk_tensor_free(warp);
  tk_gmc_destroy(gmc);
}

/* Two people walking, 3 frames; the consider flag, class (pedestrian) and visibility are 1. */
static const char* const GT =
    "1,1,10,20,30,60,1,1,1\n1,2,100,20,30,60,1,1,1\n2,1,14,20,30,60,1,1,1\n"
    "2,2,104,20,30,60,1,1,1\n3,1,18,20,30,60,1,1,1\n3,2,108,20,30,60,1,1,1\n";
static const char* const SEQINFO =
    "[Sequence]\nname=ABI-01\nimDir=img1\nframeRate=25\nseqLength=3\nimWidth=640\nimHeight=480\nimExt=.jpg\n";

static void test_seqinfo(const char* path) {
  CANARIED(tk_mot_seqinfo) info;
  canary_fill(&info, sizeof info);
  info.value.struct_size = sizeof info.value;
  CHECK(tk_mot_read_seqinfo(path, &info.value) == TK_OK);
  CHECK(info.value.frame_rate == 25 && info.value.length == 3 && info.value.width == 640 && info.value.height == 480);
  CHECK(strcmp(info.value.name, "ABI-01") == 0 && strcmp(info.value.im_dir, "img1") == 0);
  CHECK(strcmp(info.value.im_ext, ".jpg") == 0 && info.value.struct_size == sizeof info.value);
  CHECK(canary_intact(info.canary));
}

/* Results equal to the gt: every figure perfect. The same missing the last box (id 2, frame 3): TP 5, FN 1,
 * MOTA 5/6, IDF1 10/11, DetA 5/6 and AssA (3 * 1 + 2 * 2/3) / 5 = 13/15 at every alpha (IoUs are 1). */
static void test_metrics(const DLManagedTensorVersioned* gt, const DLManagedTensorVersioned* results) {
  CANARIED(tk_mot_eval_config) config;
  CANARIED(tk_mot_metrics) m;
  int64_t short_shape[2] = {5, 9}, sequences = 0;
  DLTensor fewer = results->dl_tensor;
  tk_mot_evaluator* evaluator = NULL;
  fewer.shape = short_shape;
  canary_fill(&config, sizeof config);
  CHECK(tk_mot_eval_config_init(&config.value, sizeof config.value) == TK_OK);
  CHECK(tk_mot_evaluator_create(&config.value, &evaluator) == TK_OK && evaluator != NULL);
  if (evaluator == NULL) return;
  canary_fill(&m, sizeof m);
  m.value.struct_size = sizeof m.value;
  CHECK(tk_mot_evaluator_add(evaluator, &gt->dl_tensor, &results->dl_tensor, 3, &m.value) == TK_OK);
  CHECK(fabs(m.value.hota - 1) < 1e-9 && m.value.mota == 1 && m.value.idf1 == 1 && m.value.loc_a > 1 - 1e-9);
  CHECK(m.value.tp == 6 && m.value.fn == 0 && m.value.fp == 0 && m.value.idsw == 0 && m.value.mt == 2);
  CHECK(m.value.gt_dets == 6 && m.value.tracker_dets == 6 && m.value.gt_ids == 2 && m.value.tracker_ids == 2);
  CHECK(m.value.struct_size == sizeof m.value && canary_intact(m.canary));

  CHECK(tk_mot_evaluator_add(evaluator, &gt->dl_tensor, &fewer, 3, &m.value) == TK_OK);
  CHECK(m.value.tp == 5 && m.value.fn == 1 && m.value.fp == 0 && m.value.tracker_ids == 2);
  CHECK(fabs(m.value.mota - 5.0 / 6) < 1e-9 && fabs(m.value.idf1 - 10.0 / 11) < 1e-9);
  CHECK(fabs(m.value.det_a - 5.0 / 6) < 1e-9 && fabs(m.value.ass_a - 13.0 / 15) < 1e-9);
  CHECK(fabs(m.value.hota - sqrt(5.0 / 6 * 13.0 / 15)) < 1e-9);
  CHECK(canary_intact(m.canary));

  canary_fill(&m, sizeof m);
  m.value.struct_size = sizeof m.value;
  CHECK(tk_mot_evaluator_combined(evaluator, &m.value) == TK_OK);
  CHECK(m.value.tp == 11 && m.value.fn == 1 && fabs(m.value.mota - 11.0 / 12) < 1e-9 && canary_intact(m.canary));
  CHECK(tk_mot_evaluator_count(evaluator, &sequences) == TK_OK && sequences == 2);
  CHECK(canary_intact(config.canary));
  tk_mot_evaluator_destroy(evaluator);
}

static void test_mot(void) {
  const char* names[3] = {"gt.txt", "seqinfo.ini", "results.txt"};
  char dir[32], gt_path[256], seqinfo_path[256], results_path[256];
  DLManagedTensorVersioned *gt = NULL, *results = NULL;
  CHECK(tk_fixture_dir(dir));
  CHECK(tk_fixture_file(dir, names[0], GT, gt_path) && tk_fixture_file(dir, names[1], SEQINFO, seqinfo_path));
  snprintf(results_path, sizeof results_path, "%s/%s", dir, names[2]);
  test_seqinfo(seqinfo_path);
  CHECK(tk_mot_read(gt_path, &gt) == TK_OK && gt != NULL);
  if (gt != NULL) {
    const double* row = TENSOR_DATA(double, gt);
    CHECK(gt->dl_tensor.shape[0] == 6 && gt->dl_tensor.shape[1] == 9);
    CHECK(row[0] == 0 && row[1] == 1 && row[2] == 10 && row[5] == 60 && row[7] == 1 && row[8] == 1);
    CHECK(tk_mot_write_results(results_path, &gt->dl_tensor, -1) == TK_OK);
    CHECK(tk_mot_read(results_path, &results) == TK_OK && results != NULL);
  }
  if (results != NULL) test_metrics(gt, results);
  tk_tensor_free(gt);
  tk_tensor_free(results);
  tk_fixture_remove(dir, names, 3);
}

/* A pipeline of 1.0 configs (pointed to, each followed by a canary); its times after creation: zero frames. */
static void test_pipeline_times(void) {
  const char* model = TK_DETECTOR_MODELS "/yolov5n.torchscript";
  FILE* f = fopen(model, "rb");
  CANARIED(tk_pipeline_config) config;
  CANARIED(tk_detector_config) detector;
  CANARIED(tk_tracker_config) tracker;
  CANARIED(tk_pipeline_times) times;
  tk_pipeline* pipeline = NULL;
  if (f == NULL) {
    printf("skipped the pipeline: no %s\n", model);
    return;
  }
  fclose(f);
  canary_fill(&config, sizeof config);
  canary_fill(&detector, sizeof detector);
  canary_fill(&tracker, sizeof tracker);
  CHECK(tk_pipeline_config_init(&config.value, sizeof config.value) == TK_OK);
  CHECK(tk_detector_config_init(&detector.value, sizeof detector.value) == TK_OK);
  CHECK(tk_tracker_config_init(&tracker.value, sizeof tracker.value) == TK_OK);
  detector.value.device = "cpu";
  config.value.detector = &detector.value;
  config.value.tracker = &tracker.value;
  CHECK(tk_pipeline_create(model, &config.value, &pipeline) == TK_OK && pipeline != NULL);
  if (pipeline == NULL) return;
  canary_fill(&times, sizeof times);
  times.value.struct_size = sizeof times.value;
  CHECK(tk_pipeline_times_get(pipeline, &times.value) == TK_OK);
  CHECK(times.value.frames == 0 && times.value.total == 0 && times.value.peak_memory_bytes == 0);
  CHECK(times.value.struct_size == sizeof times.value && canary_intact(times.canary));
  tk_pipeline_destroy(pipeline);
}

int main(void) {
  test_gmc_quality();
  test_mot();
  test_pipeline_times();
  return report();
}
