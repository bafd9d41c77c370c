/* A program built against the frozen ABI 1.0 headers (tests/capi/abi/v1.0) runs against libtrackkit_c_grown,
 * a library whose every struct has grown by 24 bytes (grow_headers.cmake). Its smaller structs must still work:
 * tk_*_init, presets and view helpers write no byte past the 1.0 size (a canary follows each struct), and configs
 * made so are read up to their struct_size only (the canary after them is nonzero, so a library reading further
 * would take it for fields it does not know and refuse) and give the results computed by hand below. */
#define _POSIX_C_SOURCE 200809L /* mkdtemp, for the YAML fixture */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../../tracker/ultralytics_trackers.h"
#include "abi_check.h"
#include "trackkit/trackkit.h"

/* Each init with the 1.0 size: the defaults, struct_size = sizeof, nothing written past it. */
#define CHECK_INIT_KEEPS_CANARY(T, init)       \
  {                                            \
    CANARIED(T) s;                             \
    canary_fill(&s, sizeof s);                 \
    CHECK(init(&s.value, sizeof(T)) == TK_OK); \
    CHECK(s.value.struct_size == sizeof(T));   \
    CHECK(canary_intact(s.canary));            \
  }

static void test_inits(void) {
  TK_ABI_INIT_STRUCTS(CHECK_INIT_KEEPS_CANARY)
  CHECK(tk_abi_compatible() == 1);
}

/* The last fields of the 1.0 layouts hold their defaults: the library copied the right bytes. */
static void test_defaults(void) {
  tk_tracker_config tracker;
  tk_gmc_config gmc;
  tk_e2p_view view;
  tk_e2p_config e2p;
  tk_mot_eval_config eval;
  tk_cluster_config cluster;
  tk_nms_config nms;
  tk_tracker_input input;
  CHECK(tk_tracker_config_init(&tracker, sizeof tracker) == TK_OK);
  CHECK(tracker.track_thresh == 0.5 && tracker.proximity_thresh == 0.5 && tracker.feature_momentum == 0.9);
  CHECK(tk_gmc_config_init(&gmc, sizeof gmc) == TK_OK);
  CHECK(gmc.method == TK_GMC_SPARSE_OPTICAL_FLOW && gmc.min_contrast == 2.0 && gmc.max_scale_change == 0.25);
  CHECK(tk_e2p_view_init(&view, sizeof view) == TK_OK);
  CHECK(view.width == 1920 && view.height == 1080 && view.hfov == 90 && view.fy == 0);
  CHECK(tk_e2p_config_init(&e2p, sizeof e2p) == TK_OK && e2p.interpolation == TK_E2P_BILINEAR && e2p.cuda_tiles == 1);
  CHECK(tk_mot_eval_config_init(&eval, sizeof eval) == TK_OK);
  CHECK(eval.mot17_preprocessing == 1 && eval.pedestrian_class == 1 && eval.num_distractor_classes == 0);
  CHECK(tk_cluster_config_init(&cluster, sizeof cluster) == TK_OK);
  CHECK(cluster.distance_threshold == 0.5 && cluster.eps == 0.3 && cluster.min_samples == 3);
  CHECK(tk_nms_config_init(&nms, sizeof nms) == TK_OK && nms.max_detections == 300 && nms.agnostic == 0);
  CHECK(tk_tracker_input_init(&input, sizeof input) == TK_OK && input.detections == NULL && input.mask_scale == 1);
}

/* Presets and ultralytics' YAML write into an initialised 1.0 struct, up to its size. */
static void test_presets(void) {
  const char* names[1] = {"botsort.yaml"};
  char dir[32], path[256];
  CANARIED(tk_tracker_config) tracker;
  CANARIED(tk_gmc_config) gmc;
  tk_status status;
  canary_fill(&tracker, sizeof tracker);
  canary_fill(&gmc, sizeof gmc);
  CHECK(tk_tracker_config_init(&tracker.value, sizeof tracker.value) == TK_OK);
  CHECK(tk_tracker_config_preset("bytetrack_mot17", 14.0, &tracker.value) == TK_OK);
  CHECK(tracker.value.track_thresh == 0.6 && tracker.value.new_track_thresh == 0.7);
  CHECK(tracker.value.frame_rate == 14.0 && tracker.value.iou_plus_one == 1);
  CHECK(tracker.value.struct_size == sizeof tracker.value && canary_intact(tracker.canary));
  CHECK(tk_gmc_config_init(&gmc.value, sizeof gmc.value) == TK_OK);
  CHECK(tk_gmc_config_preset("original_pipeline", &gmc.value) == TK_OK);
  CHECK(gmc.value.method == TK_GMC_ECC && gmc.value.ecc_motion == TK_ECC_EUCLIDEAN && gmc.value.downscale == 4);
  CHECK(gmc.value.struct_size == sizeof gmc.value && canary_intact(gmc.canary));

  CHECK(tk_fixture_dir(dir));
  CHECK(tk_fixture_file(dir, names[0], TK_ULTRALYTICS_BOTSORT_YAML, path));
  status = tk_tracker_config_from_yaml(path, 30.0, &tracker.value);
#if TRACKKIT_HAVE_YAML_CPP
  CHECK(status == TK_OK);
  CHECK(tracker.value.track_thresh == 0.25 && tracker.value.new_track_thresh == 0.25);
  CHECK(tracker.value.proximity_thresh == 0.5 && tracker.value.motion_model == TK_MOTION_XYWH);
  CHECK(tk_gmc_config_from_yaml(path, &gmc.value) == TK_OK && gmc.value.method == TK_GMC_SPARSE_OPTICAL_FLOW);
#else
  CHECK(status == TK_ERR_UNSUPPORTED);
#endif
  CHECK(canary_intact(tracker.canary) && canary_intact(gmc.canary));
  tk_fixture_remove(dir, names, 1);
}

typedef tk_e2p_view four_views[4];
typedef tk_e2p_view six_views[6];

/* 4 views of 8 x 8, 30 degrees wide, looking at longitudes 22.5 + 90 i, in an array of 1.0-sized elements. */
static void horizon(four_views views) {
  int i;
  for (i = 0; i < 4; ++i) CHECK(tk_e2p_view_init(&views[i], sizeof views[i]) == TK_OK);
  CHECK(tk_e2p_horizon_views(4, 8, 8, 30.0, 0.0, 22.5, views) == TK_OK);
}

static void test_views(void) {
  CANARIED(four_views) ring;
  CANARIED(six_views) cube;
  int i;
  canary_fill(&ring, sizeof ring);
  canary_fill(&cube, sizeof cube);
  horizon(ring.value);
  for (i = 0; i < 4; ++i) {
    const tk_e2p_view* v = &ring.value[i];
    CHECK(v->struct_size == sizeof *v && v->width == 8 && v->height == 8 && v->hfov == 30.0 && v->pitch == 0);
    CHECK(fabs(fmod(v->yaw - (22.5 + 90.0 * i) + 720.0, 360.0)) < 1e-9);
  }
  CHECK(canary_intact(ring.canary));
  for (i = 0; i < 6; ++i) CHECK(tk_e2p_view_init(&cube.value[i], sizeof cube.value[i]) == TK_OK);
  CHECK(tk_e2p_cube_views(16, cube.value) == TK_OK);
  CHECK(cube.value[1].yaw == 90.0 && cube.value[4].pitch == 90.0 && cube.value[5].pitch == -90.0);
  for (i = 0; i < 6; ++i) CHECK(cube.value[i].width == 16 && cube.value[i].height == 16 && cube.value[i].hfov == 90);
  CHECK(canary_intact(cube.canary));
}

/* An equirect 64 x 32 in 8 bands of 45 degrees of longitude (band b = 30 b). The 30-degree views centred on
 * longitudes 22.5, 112.5, 202.5 (= -157.5) and 292.5 (= -67.5) lie inside bands 4, 6, 0 and 2. */
static void test_e2p_projection(void) {
  enum { EW = 64, EH = 32 };
  static uint8_t frame[EH * EW * 3], into[4 * 8 * 8 * 3];
  const int expected[4] = {120, 180, 0, 60};
  int64_t frame_shape[4] = {1, EH, EW, 3}, out_shape[5] = {1, 4, 8, 8, 3};
  DLTensor frames = borrowed_cpu_tensor(frame, 4, frame_shape, kDLUInt, 8);
  DLTensor out = borrowed_cpu_tensor(into, 5, out_shape, kDLUInt, 8);
  CANARIED(four_views) ring;
  CANARIED(tk_e2p_config) config;
  DLManagedTensorVersioned* views = NULL;
  tk_e2p* e2p = NULL;
  int i, v, wrong = 0, wrong_into = 0;
  for (i = 0; i < EH * EW * 3; ++i) frame[i] = (uint8_t)(30 * ((i / 3 % EW) / 8));
  canary_fill(&ring, sizeof ring);
  canary_fill(&config, sizeof config);
  horizon(ring.value);
  CHECK(tk_e2p_config_init(&config.value, sizeof config.value) == TK_OK);
  CHECK(tk_e2p_create(&config.value, ring.value, 4, &e2p) == TK_OK && e2p != NULL);
  if (e2p == NULL) return;
  CHECK(tk_e2p_project(e2p, &frames, &views) == TK_OK && views != NULL);
  CHECK(tk_e2p_project_into(e2p, &frames, &out) == TK_OK);
  if (views != NULL) {
    const uint8_t* px = TENSOR_DATA(uint8_t, views);
    CHECK(views->dl_tensor.ndim == 5 && views->dl_tensor.shape[1] == 4 && views->dl_tensor.shape[2] == 8);
    for (v = 0; v < 4; ++v) {
      for (i = 0; i < 8 * 8 * 3; ++i) {
        wrong += px[v * 192 + i] != expected[v];
        wrong_into += into[v * 192 + i] != expected[v];
      }
    }
    CHECK(wrong == 0 && wrong_into == 0);
  }
  tk_tensor_free(views);
  tk_e2p_destroy(e2p);
}

/* One box moving 4 px a frame from frame 0 (id 1) and a still one from frame 3 (id 2); at frame 6 both vanish and,
 * with output_lost, come out lost. tk_tracker_input and the config are 1.0-sized with a canary behind. */
static void test_tracker(void) {
  CANARIED(tk_tracker_config) config;
  CANARIED(tk_tracker_input) input;
  double boxes[10];
  int64_t shape[2] = {0, 5};
  DLTensor detections = float_tensor(boxes, 2, shape, 64);
  DLManagedTensorVersioned *tracks = NULL, *started = NULL;
  tk_tracker* tracker = NULL;
  /* ByteTrack: a track born after frame 0 is confirmed by its second match, so id 2 comes out from frame 4 */
  const int rows_expected[7] = {1, 1, 1, 1, 2, 2, 2};
  int frame, r, confirmed_two = 0;
  canary_fill(&config, sizeof config);
  canary_fill(&input, sizeof input);
  CHECK(tk_tracker_config_init(&config.value, sizeof config.value) == TK_OK);
  config.value.output_lost = 1;
  CHECK(tk_tracker_create(&config.value, &tracker) == TK_OK && tracker != NULL);
  if (tracker == NULL) return;
  CHECK(tk_tracker_input_init(&input.value, sizeof input.value) == TK_OK && canary_intact(input.canary));
  input.value.detections = &detections;
  for (frame = 0; frame < 7; ++frame) {
    const double a[5] = {100.0 + 4 * frame, 50, 140.0 + 4 * frame, 130, 0.9}, b[5] = {300, 300, 340, 380, 0.8};
    shape[0] = frame == 6 ? 0 : frame < 3 ? 1 : 2;
    memcpy(boxes, a, sizeof a);
    memcpy(boxes + 5, b, sizeof b);
    CHECK(tk_tracker_update_ex(tracker, &input.value, &tracks) == TK_OK && tracks != NULL);
    if (tracks == NULL) continue;
    CHECK(tracks->dl_tensor.ndim == 2 && tracks->dl_tensor.shape[1] == 9);
    for (r = 0; r < tracks->dl_tensor.shape[0]; ++r) {
      const double* row = TENSOR_DATA(double, tracks) + 9 * r;
      if (frame == 6) {
        CHECK(row[8] == 2.0 && row[7] == -1.0); /* lost, no detection */
      } else if (row[4] == 1.0) {
        CHECK(row[7] == 0.0 && row[5] == 0.9 && row[8] == 1.0 && fabs(row[0] - a[0]) < 2.0 && fabs(row[3] - 130) < 2.0);
      } else {
        CHECK(row[4] == 2.0 && row[7] == 1.0 && row[5] == 0.8 && row[8] == 1.0);
        ++confirmed_two;
      }
    }
    CHECK(tracks->dl_tensor.shape[0] == rows_expected[frame]);
    if (frame == 0) {
      CHECK(tk_tracker_events(tracker, &started, NULL) == TK_OK && started != NULL);
      CHECK(started != NULL && started->dl_tensor.shape[0] == 1 && TENSOR_DATA(int64_t, started)[0] == 1);
      tk_tensor_free(started);
    }
    tk_tensor_free(tracks);
    tracks = NULL;
  }
  CHECK(confirmed_two == 2);
  CHECK(canary_intact(config.canary) && canary_intact(input.canary));
  tk_tracker_destroy(tracker);
}

/* Three boxes, the first two overlapping (IoU 9/11): NMS keeps 0 and 2; iou_threshold 0.9 keeps all three. */
static void test_nms(void) {
  float boxes[12] = {0, 0, 10, 10, 1, 0, 11, 10, 50, 50, 60, 60}, scores[3] = {0.9f, 0.8f, 0.7f};
  int64_t box_shape[3] = {1, 3, 4}, score_shape[3] = {1, 3, 1};
  DLTensor b = float_tensor(boxes, 3, box_shape, 32), s = float_tensor(scores, 3, score_shape, 32);
  CANARIED(tk_nms_config) config;
  DLManagedTensorVersioned *detections = NULL, *counts = NULL;
  canary_fill(&config, sizeof config);
  CHECK(tk_nms_config_init(&config.value, sizeof config.value) == TK_OK);
  config.value.max_detections = 5;
  CHECK(tk_batched_nms(&b, &s, &config.value, NULL, &detections, &counts) == TK_OK);
  if (detections != NULL && counts != NULL) {
    const float* d = TENSOR_DATA(float, detections);
    CHECK(detections->dl_tensor.shape[1] == 5 && detections->dl_tensor.shape[2] == 6);
    CHECK(TENSOR_DATA(int64_t, counts)[0] == 2);
    CHECK(d[0] == 0 && d[2] == 10 && d[4] == 0.9f && d[6] == 50 && d[9] == 60 && d[10] == 0.7f && d[12] == 0);
  }
  tk_tensor_free(detections);
  tk_tensor_free(counts);
  detections = counts = NULL;
  config.value.iou_threshold = 0.9;
  CHECK(tk_batched_nms(&b, &s, &config.value, NULL, &detections, &counts) == TK_OK);
  CHECK(counts != NULL && TENSOR_DATA(int64_t, counts)[0] == 3);
  tk_tensor_free(detections);
  tk_tensor_free(counts);
  CHECK(canary_intact(config.canary));
}

/* Two pairs of nearly parallel embeddings: two clusters, in row order. */
static void test_cluster(void) {
  float embeddings[8] = {1, 0, 0.99f, 0.14f, 0, 1, 0.1f, 0.99f};
  int64_t shape[2] = {4, 2};
  DLTensor e = float_tensor(embeddings, 2, shape, 32);
  CANARIED(tk_cluster_config) config;
  DLManagedTensorVersioned* labels = NULL;
  canary_fill(&config, sizeof config);
  CHECK(tk_cluster_config_init(&config.value, sizeof config.value) == TK_OK);
  CHECK(tk_cluster_embeddings(&e, &config.value, NULL, &labels) == TK_OK && labels != NULL);
  if (labels != NULL) {
    const int64_t* l = TENSOR_DATA(int64_t, labels);
    CHECK(labels->dl_tensor.shape[0] == 4 && l[0] == 0 && l[1] == 0 && l[2] == 1 && l[3] == 1);
  }
  tk_tensor_free(labels);
}

static void count_message(tk_log_level level, const char* message, void* user_data) {
  (void)level;
  (void)message;
  ++*(int*)user_data;
}

/* The log config's callback and user_data (its last fields) arrive: tk_set_log_config logs one info line. */
static void test_log(void) {
  CANARIED(tk_log_config) config;
  int messages = 0;
  canary_fill(&config, sizeof config);
  CHECK(tk_log_config_init(&config.value, sizeof config.value) == TK_OK);
  config.value.level = TK_LOG_INFO;
  config.value.callback = count_message;
  config.value.user_data = &messages;
  CHECK(tk_set_log_config(&config.value) == TK_OK);
  CHECK(messages >= 1);
  CHECK(tk_log_config_init(&config.value, sizeof config.value) == TK_OK);
  config.value.level = TK_LOG_WARN;
  CHECK(tk_set_log_config(&config.value) == TK_OK);
}

int main(void) {
  test_inits();
  test_defaults();
  test_presets();
  test_views();
  test_e2p_projection();
  test_tracker();
  test_nms();
  test_cluster();
  test_log();
  return report();
}
