/* A program built against "grown" headers (grow_headers.cmake appended `int64_t abi_test_appended[3]` to every
 * struct that starts with struct_size, as a later 1.x release may append fields) runs against today's
 * libtrackkit_c. The library must: zero-fill the tail of a tk_*_init of the larger size; accept a larger config
 * whose unknown bytes are zero, refuse one that sets them (TK_ERR_UNSUPPORTED naming the byte), and not read them
 * when struct_size says the struct ends before them; refuse a struct_size below the first layout
 * (TK_ERR_INVALID_ARGUMENT naming struct_size); zero the unknown tail of the outputs it writes. */
#define _POSIX_C_SOURCE 200809L /* mkdtemp, for the seqinfo file */
#include <stdio.h>
#include <string.h>

#include "../../tracker/ultralytics_trackers.h"
#include "abi_check.h"
#include "trackkit/trackkit.h"

/* The 1.0 size: where the appended field begins (every 1.0 size is a multiple of 8, the field's alignment). */
#define FIRST_SIZE(s) ((size_t)((const char*)&(s).abi_test_appended - (const char*)&(s)))
#define TAIL_IS(s, value) bytes_all((s).abi_test_appended, sizeof((s).abi_test_appended), value)

/* An init with the grown size zero-fills the tail; one below the first layout is refused and writes nothing. */
#define CHECK_GROWN_INIT(T, init)                                                                      \
  {                                                                                                    \
    CANARIED(T) s;                                                                                     \
    canary_fill(&s, sizeof s);                                                                         \
    CHECK(init(&s.value, FIRST_SIZE(s.value) - 8) == TK_ERR_INVALID_ARGUMENT);                         \
    CHECK(strstr(tk_last_error(), #init ": struct_size is") != NULL);                                  \
    CHECK(bytes_all(&s, sizeof s, TK_CANARY));                                                         \
    CHECK(init(&s.value, sizeof(T)) == TK_OK && strcmp(tk_last_error(), "") == 0);                     \
    CHECK(s.value.struct_size == sizeof(T) && TAIL_IS(s.value, 0) && canary_intact(s.canary));         \
    CHECK(init(NULL, sizeof(T)) == TK_ERR_INVALID_ARGUMENT && strstr(tk_last_error(), #init) != NULL); \
  }

static void test_inits(void) { TK_ABI_INIT_STRUCTS(CHECK_GROWN_INIT) }

/* After a call with an unknown field set: TK_ERR_UNSUPPORTED, the message naming the function and the byte. */
static void check_refused(tk_status status, const char* function, size_t byte) {
  char expected[48];
  snprintf(expected, sizeof expected, "at byte %lu ", (unsigned long)byte);
  CHECK(status == TK_ERR_UNSUPPORTED);
  CHECK(strncmp(tk_last_error(), function, strlen(function)) == 0 && strstr(tk_last_error(), expected) != NULL);
  CHECK(strstr(tk_last_error(), "does not know") != NULL);
}

/* A reader of struct s for `call` (size_field: how messages name s->struct_size); `release` frees what a successful
 * call made. zero tail: accepted; a set field: refused; struct_size of 1.0 with the field set: accepted (never read);
 * struct_size below 1.0: invalid. */
#define CHECK_GROWN_READER(s, function, size_field, call, release) \
  do {                                                             \
    const size_t full = (s).struct_size;                           \
    CHECK((call) == TK_OK);                                        \
    release;                                                       \
    (s).abi_test_appended[1] = 7;                                  \
    check_refused((call), function, FIRST_SIZE(s) + 8);            \
    (s).struct_size = FIRST_SIZE(s);                               \
    CHECK((call) == TK_OK);                                        \
    release;                                                       \
    (s).struct_size = FIRST_SIZE(s) - 8;                           \
    CHECK((call) == TK_ERR_INVALID_ARGUMENT);                      \
    CHECK(strstr(tk_last_error(), size_field " is ") != NULL);     \
    (s).struct_size = full;                                        \
    (s).abi_test_appended[1] = 0;                                  \
  } while (0)

static void test_tracker_readers(void) {
  tk_tracker_config config;
  tk_tracker_input input;
  tk_tracker* tracker = NULL;
  tk_tracker_bank* bank = NULL;
  double box[5] = {10, 10, 50, 90, 0.9};
  int64_t shape[2] = {1, 5};
  DLTensor detections = float_tensor(box, 2, shape, 64);
  DLManagedTensorVersioned* tracks = NULL;
  CHECK(tk_tracker_config_init(&config, sizeof config) == TK_OK);
  CHECK_GROWN_READER(config, "tk_tracker_create", "config->struct_size", tk_tracker_create(&config, &tracker),
                     (tk_tracker_destroy(tracker), tracker = NULL));
  CHECK_GROWN_READER(config, "tk_tracker_bank_create", "config->struct_size", tk_tracker_bank_create(&config, 2, &bank),
                     (tk_tracker_bank_destroy(bank), bank = NULL));
  CHECK(tk_tracker_create(&config, &tracker) == TK_OK);
  CHECK(tk_tracker_input_init(&input, sizeof input) == TK_OK);
  input.detections = &detections;
  CHECK_GROWN_READER(input, "tk_tracker_update_ex", "input->struct_size",
                     tk_tracker_update_ex(tracker, &input, &tracks), (tk_tensor_free(tracks), tracks = NULL));
  tk_tracker_destroy(tracker);
}

static void test_component_readers(void) {
  float boxes[4] = {0, 0, 10, 10}, scores[1] = {0.9f}, embeddings[4] = {1, 0, 0, 1};
  int64_t box_shape[3] = {1, 1, 4}, score_shape[3] = {1, 1, 1}, embedding_shape[2] = {2, 2};
  DLTensor b = float_tensor(boxes, 3, box_shape, 32), s = float_tensor(scores, 3, score_shape, 32);
  DLTensor e = float_tensor(embeddings, 2, embedding_shape, 32);
  DLManagedTensorVersioned *out = NULL, *counts = NULL;
  tk_nms_config nms;
  tk_gmc_config gmc_config;
  tk_e2p_config e2p_config;
  tk_e2p_view view;
  tk_cluster_config cluster;
  tk_log_config log;
  tk_mot_eval_config eval;
  tk_gmc* gmc = NULL;
  tk_e2p* e2p = NULL;
  tk_mot_evaluator* evaluator = NULL;
  CHECK(tk_nms_config_init(&nms, sizeof nms) == TK_OK);
  CHECK_GROWN_READER(nms, "tk_batched_nms", "config->struct_size", tk_batched_nms(&b, &s, &nms, NULL, &out, &counts),
                     (tk_tensor_free(out), tk_tensor_free(counts), out = counts = NULL));
  CHECK(tk_gmc_config_init(&gmc_config, sizeof gmc_config) == TK_OK);
  CHECK_GROWN_READER(gmc_config, "tk_gmc_create", "config->struct_size", tk_gmc_create(&gmc_config, &gmc),
                     (tk_gmc_destroy(gmc), gmc = NULL));
  CHECK(tk_e2p_config_init(&e2p_config, sizeof e2p_config) == TK_OK);
  CHECK(tk_e2p_view_init(&view, sizeof view) == TK_OK);
  view.width = view.height = 16;
  CHECK_GROWN_READER(e2p_config, "tk_e2p_create", "config->struct_size", tk_e2p_create(&e2p_config, &view, 1, &e2p),
                     (tk_e2p_destroy(e2p), e2p = NULL));
  CHECK_GROWN_READER(view, "tk_e2p_create", "views[0].struct_size", tk_e2p_create(&e2p_config, &view, 1, &e2p),
                     (tk_e2p_destroy(e2p), e2p = NULL));
  CHECK(tk_cluster_config_init(&cluster, sizeof cluster) == TK_OK);
  CHECK_GROWN_READER(cluster, "tk_cluster_embeddings", "config->struct_size",
                     tk_cluster_embeddings(&e, &cluster, NULL, &out), (tk_tensor_free(out), out = NULL));
  CHECK(tk_log_config_init(&log, sizeof log) == TK_OK);
  log.level = TK_LOG_WARN;
  CHECK_GROWN_READER(log, "tk_set_log_config", "config->struct_size", tk_set_log_config(&log), (void)0);
  CHECK(tk_mot_eval_config_init(&eval, sizeof eval) == TK_OK);
  CHECK_GROWN_READER(eval, "tk_mot_evaluator_create", "config->struct_size", tk_mot_evaluator_create(&eval, &evaluator),
                     (tk_mot_evaluator_destroy(evaluator), evaluator = NULL));
}

/* The configs that need a model: the detector's and the pipeline's, whose component configs are pointed to. */
static void test_model_readers(void) {
  const char* model = TK_DETECTOR_MODELS "/yolov5n.torchscript";
  FILE* f = fopen(model, "rb");
  tk_detector_config detector;
  tk_tracker_config tracker;
  tk_pipeline_config config;
  tk_pipeline_times times;
  tk_detector* d = NULL;
  tk_pipeline* pipeline = NULL;
  if (f == NULL) {
    printf("skipped the detector and pipeline configs: no %s\n", model);
    return;
  }
  fclose(f);
  CHECK(tk_detector_config_init(&detector, sizeof detector) == TK_OK);
  detector.device = "cpu";
  CHECK_GROWN_READER(detector, "tk_detector_create", "config->struct_size", tk_detector_create(model, &detector, &d),
                     (tk_detector_destroy(d), d = NULL));
  CHECK(tk_tracker_config_init(&tracker, sizeof tracker) == TK_OK);
  CHECK(tk_pipeline_config_init(&config, sizeof config) == TK_OK);
  config.detector = &detector;
  config.tracker = &tracker;
  CHECK_GROWN_READER(config, "tk_pipeline_create", "config->struct_size", tk_pipeline_create(model, &config, &pipeline),
                     (tk_pipeline_destroy(pipeline), pipeline = NULL));
  tracker.abi_test_appended[0] = 1; /* a nested config is read by the same rules */
  check_refused(tk_pipeline_create(model, &config, &pipeline), "tk_pipeline_create", FIRST_SIZE(tracker));
  tracker.abi_test_appended[0] = 0;
  CHECK(tk_pipeline_create(model, &config, &pipeline) == TK_OK && pipeline != NULL);
  if (pipeline == NULL) return;
  canary_fill(&times, sizeof times);
  times.struct_size = sizeof times;
  CHECK(tk_pipeline_times_get(pipeline, &times) == TK_OK);
  CHECK(times.struct_size == sizeof times && times.frames == 0 && TAIL_IS(times, 0));
  tk_pipeline_destroy(pipeline);
}

/* Outputs of the grown size: the library writes its fields and zeros where it knows none; below 1.0: refused. */
static void test_outputs(void) {
  const char* names[1] = {"seqinfo.ini"};
  char dir[32], path[256];
  uint8_t frame[16 * 16];
  int64_t shape[2] = {16, 16};
  DLTensor f = borrowed_cpu_tensor(frame, 2, shape, kDLUInt, 8);
  DLManagedTensorVersioned* warp = NULL;
  tk_gmc_config config;
  tk_gmc_quality quality;
  tk_gmc* gmc = NULL;
  tk_mot_seqinfo info;
  tk_mot_metrics metrics;
  tk_mot_eval_config eval;
  tk_mot_evaluator* evaluator = NULL;
  memset(frame, 50, sizeof frame);
  CHECK(tk_gmc_config_init(&config, sizeof config) == TK_OK && tk_gmc_create(&config, &gmc) == TK_OK);
  canary_fill(&quality, sizeof quality);
  quality.struct_size = sizeof quality;
  CHECK(tk_gmc_apply(gmc, &f, NULL, &warp, &quality) == TK_OK);
  CHECK(quality.struct_size == sizeof quality && quality.status == TK_GMC_FIRST_FRAME && TAIL_IS(quality, 0));
  tk_tensor_free(warp);
  warp = NULL;
  quality.struct_size = FIRST_SIZE(quality) - 8;
  CHECK(tk_gmc_apply(gmc, &f, NULL, &warp, &quality) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strstr(tk_last_error(), "quality->struct_size is ") != NULL);
  tk_tensor_free(warp);
  tk_gmc_destroy(gmc);

  CHECK(tk_fixture_dir(dir));
  CHECK(tk_fixture_file(dir, names[0], "[Sequence]\nname=G\nframeRate=30\nseqLength=9\n", path));
  canary_fill(&info, sizeof info);
  info.struct_size = sizeof info;
  CHECK(tk_mot_read_seqinfo(path, &info) == TK_OK && info.length == 9 && strcmp(info.name, "G") == 0);
  CHECK(info.struct_size == sizeof info && TAIL_IS(info, 0));
  tk_fixture_remove(dir, names, 1);

  CHECK(tk_mot_eval_config_init(&eval, sizeof eval) == TK_OK && tk_mot_evaluator_create(&eval, &evaluator) == TK_OK);
  canary_fill(&metrics, sizeof metrics);
  metrics.struct_size = sizeof metrics;
  CHECK(tk_mot_evaluator_combined(evaluator, &metrics) == TK_OK); /* no sequence yet: all zero */
  CHECK(metrics.struct_size == sizeof metrics);
  CHECK(bytes_all((const char*)&metrics + sizeof(size_t), sizeof metrics - sizeof(size_t), 0));
  metrics.struct_size = 8;
  CHECK(tk_mot_evaluator_combined(evaluator, &metrics) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strstr(tk_last_error(), "metrics->struct_size is 8") != NULL);
  tk_mot_evaluator_destroy(evaluator);
}

/* Presets and view helpers fill grown structs: the library's fields, zeros beyond; views lie struct_size apart. */
static void test_writers(void) {
  tk_tracker_config config;
  tk_e2p_view views[3];
  int i;
  CHECK(tk_tracker_config_init(&config, sizeof config) == TK_OK);
  config.abi_test_appended[2] = -1;
  CHECK(tk_tracker_config_preset("bytetrack", 30.0, &config) == TK_OK);
  CHECK(config.struct_size == sizeof config && config.track_thresh == 0.5 && TAIL_IS(config, 0));
  canary_fill(views, sizeof views);
  for (i = 0; i < 3; ++i) CHECK(tk_e2p_view_init(&views[i], sizeof views[i]) == TK_OK);
  CHECK(tk_e2p_horizon_views(3, 32, 16, 60.0, 10.0, 0.0, views) == TK_OK);
  for (i = 0; i < 3; ++i) {
    CHECK(views[i].struct_size == sizeof views[i] && views[i].yaw == 120.0 * i && views[i].pitch == 10.0);
    CHECK(views[i].width == 32 && views[i].height == 16 && TAIL_IS(views[i], 0));
  }
}

int main(void) {
  test_inits();
  test_tracker_readers();
  test_component_readers();
  test_model_readers();
  test_outputs();
  test_writers();
  return report();
}
