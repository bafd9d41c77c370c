/* The pipeline and frame reader through the C ABI, from C99: its config (pointed-to component configs, struct_size),
 * errors, class names, times and (with the yolov5n export and TRACKKIT_DATA's MOT17-04 frames, where this build
 * decodes JPEGs) the same tracks whatever the batch size, NULL component configs equal to the documented defaults;
 * the frame reader's config on a video of scripts/test-videos.sh, decoded on the CPU. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "trackkit/trackkit.h"

#ifndef TK_DETECTOR_MODELS
#define TK_DETECTOR_MODELS "build/detector-models"
#endif
#define YOLOV5N TK_DETECTOR_MODELS "/yolov5n.torchscript"
#ifndef TK_TEST_VIDEOS
#define TK_TEST_VIDEOS "build/test-videos"
#endif

static int have_model(void) {
  FILE* model = fopen(YOLOV5N, "rb");
  if (model != NULL) fclose(model);
  return model != NULL;
}

static void test_config_and_errors(void) {
  struct {
    tk_pipeline_config config;
    unsigned char tail[16]; /* a newer header's fields */
  } big;
  tk_pipeline_config c;
  tk_gmc_config gmc;
  tk_tracker_config tracker;
  tk_pipeline* pipeline = NULL;
  tk_frame_reader* reader = NULL;
  CHECK(tk_pipeline_config_init(&c, sizeof c) == TK_OK && c.struct_size == sizeof(tk_pipeline_config));
  CHECK(c.detector == NULL && c.gmc == NULL && c.tracker == NULL); /* the pipeline's defaults */
  CHECK(tk_pipeline_create(NULL, &c, &pipeline) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strcmp(tk_last_error(), "tk_pipeline_create: model_path is NULL") == 0);
  CHECK(tk_pipeline_create("/nonexistent.torchscript", &c, &pipeline) == TK_ERR_NOT_FOUND && pipeline == NULL);
  CHECK(tk_pipeline_create("/nonexistent.torchscript", NULL, &pipeline) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strcmp(tk_last_error(), "tk_pipeline_create: config is NULL") == 0);
  c.struct_size = 8;
  CHECK(tk_pipeline_create("x", &c, &pipeline) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strstr(tk_last_error(), "config->struct_size is 8") != NULL);
  /* the component configs are read before the model is opened, and errors say which one */
  CHECK(tk_pipeline_config_init(&c, sizeof c) == TK_OK && tk_gmc_config_init(&gmc, sizeof gmc) == TK_OK);
  gmc.method = 42;
  c.gmc = &gmc;
  CHECK(tk_pipeline_create("x", &c, &pipeline) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strcmp(tk_last_error(), "tk_pipeline_create(config->gmc): config->method must be a tk_gmc_method, got 42") ==
        0);
  CHECK(tk_tracker_config_init(&tracker, sizeof tracker) == TK_OK);
  tracker.struct_size = 0;
  c.gmc = NULL, c.tracker = &tracker;
  CHECK(tk_pipeline_create("x", &c, &pipeline) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strstr(tk_last_error(), "tk_pipeline_create(config->tracker): config->struct_size is 0") != NULL);
  /* struct_size: init leaves bytes past it alone; a newer caller's nonzero field is refused, zeros are not */
  memset(&big, 0xAB, sizeof big);
  CHECK(tk_pipeline_config_init(&big.config, sizeof big.config) == TK_OK && big.tail[0] == 0xAB);
  CHECK(tk_pipeline_config_init(&big.config, 16) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strstr(tk_last_error(), "tk_pipeline_config_init: struct_size is 16") != NULL);
  CHECK(tk_pipeline_config_init(&big.config, sizeof big) == TK_OK && big.tail[15] == 0);
  CHECK(tk_pipeline_create("/nonexistent.torchscript", &big.config, &pipeline) == TK_ERR_NOT_FOUND);
  big.tail[2] = 7;
  CHECK(tk_pipeline_create("/nonexistent.torchscript", &big.config, &pipeline) == TK_ERR_UNSUPPORTED);
  CHECK(strstr(tk_last_error(), "tk_pipeline_create: config sets a field at byte") != NULL);
  CHECK(tk_frame_reader_open("/nonexistent/folder", -1, &reader) == TK_ERR_NOT_FOUND && reader == NULL);
  CHECK(strcmp(tk_last_error(), "FrameReader: path \"/nonexistent/folder\" does not exist") == 0);
}

/* The export's COCO names, the stream setter and the times of a pipeline that has not run. */
static void test_class_names_and_times(void) {
  tk_pipeline_config c;
  tk_detector_config detector;
  tk_pipeline* pipeline = NULL;
  struct {
    tk_pipeline_times times;
    unsigned char tail[8];
  } big;
  int64_t count = 0;
  const char* name = NULL;
  if (!have_model()) {
    printf("SKIPPED class names: needs the yolov5n export\n");
    return;
  }
  CHECK(tk_pipeline_config_init(&c, sizeof c) == TK_OK && tk_detector_config_init(&detector, sizeof detector) == TK_OK);
  detector.device = "cpu";
  c.detector = &detector;
  CHECK(tk_pipeline_create(YOLOV5N, &c, &pipeline) == TK_OK && pipeline != NULL);
  if (pipeline == NULL) return;
  CHECK(tk_pipeline_class_count(pipeline, &count) == TK_OK && count == 80);
  CHECK(tk_pipeline_class_name(pipeline, 0, &name) == TK_OK && name != NULL && strcmp(name, "person") == 0);
  CHECK(tk_pipeline_class_name(pipeline, 79, &name) == TK_OK && name != NULL && strcmp(name, "toothbrush") == 0);
  CHECK(tk_pipeline_class_name(pipeline, 80, &name) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strcmp(tk_last_error(), "tk_pipeline_class_name: index must be in [0,80), got 80") == 0);
  CHECK(tk_pipeline_class_name(pipeline, 0, NULL) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strcmp(tk_last_error(), "tk_pipeline_class_name: name is NULL") == 0);
  CHECK(tk_pipeline_class_count(NULL, &count) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strcmp(tk_last_error(), "tk_pipeline_class_count: pipeline is NULL") == 0);
  CHECK(tk_pipeline_set_cuda_stream(pipeline, NULL) == TK_OK);
  memset(&big, 0xAB, sizeof big);
  big.times.struct_size = sizeof big.times;
  CHECK(tk_pipeline_times_get(pipeline, &big.times) == TK_OK && big.times.frames == 0 && big.times.total == 0);
  CHECK(big.times.peak_memory_bytes == 0 && big.tail[0] == 0xAB && big.tail[7] == 0xAB); /* CPU: no GPU memory */
  big.times.struct_size = 8;
  CHECK(tk_pipeline_times_get(pipeline, &big.times) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strstr(tk_last_error(), "tk_pipeline_times_get: times->struct_size is 8") != NULL);
  CHECK(tk_pipeline_warmup(pipeline, 0, 640) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strcmp(tk_last_error(), "tk_pipeline_warmup: frame_height must be > 0, got 0") == 0);
  tk_pipeline_destroy(pipeline);
}

/* Every track row (frame, id, box, score, class, det_index, GMC status) of a run on the CPU in batches of `batch`,
 * with the given GMC and tracker configs (NULL: the pipeline's). *frames: the frames the pipeline timed. */
static double* track(const char* folder, int64_t batch, const tk_gmc_config* gmc, const tk_tracker_config* tracker,
                     int64_t* rows, int64_t* frames_timed) {
  tk_pipeline_config c;
  tk_detector_config detector;
  tk_pipeline* pipeline = NULL;
  tk_frame_reader* reader = NULL;
  tk_pipeline_times times;
  DLManagedTensorVersioned *frames = NULL, *in_flight = NULL, *tracks = NULL;
  double* all = NULL;
  int64_t finished = 0, n = 0;
  int done = 0;
  *rows = 0;
  if (tk_frame_reader_open(folder, -1, &reader) != TK_OK) return NULL;
  CHECK(tk_pipeline_config_init(&c, sizeof c) == TK_OK && tk_detector_config_init(&detector, sizeof detector) == TK_OK);
  detector.device = "cpu";
  detector.conf_threshold = 0.1; /* the pipeline's default, which a detector config given replaces */
  c.detector = &detector, c.gmc = gmc, c.tracker = tracker;
  CHECK(tk_pipeline_create(YOLOV5N, &c, &pipeline) == TK_OK);
  while (pipeline != NULL && !done) {
    CHECK(tk_frame_reader_read(reader, batch, &frames) == TK_OK);
    done = frames->dl_tensor.shape[0] == 0;
    CHECK((done ? tk_pipeline_finish(pipeline, &tracks, &finished)
                : tk_pipeline_push(pipeline, &frames->dl_tensor, &tracks, &finished)) == TK_OK);
    if (in_flight != NULL) in_flight->deleter(in_flight);
    in_flight = frames;
    CHECK(tracks->dl_tensor.ndim == 2 && tracks->dl_tensor.shape[1] == 10);
    n = tracks->dl_tensor.shape[0];
    all = (double*)realloc(all, (size_t)(*rows + n) * 10 * sizeof(double));
    memcpy(all + *rows * 10, tracks->dl_tensor.data, (size_t)n * 10 * sizeof(double));
    *rows += n;
    tracks->deleter(tracks);
  }
  if (in_flight != NULL) in_flight->deleter(in_flight);
  times.struct_size = sizeof times;
  *frames_timed = pipeline != NULL && tk_pipeline_times_get(pipeline, &times) == TK_OK ? times.frames : -1;
  tk_pipeline_destroy(pipeline);
  tk_frame_reader_close(reader);
  return all;
}

static void test_batch_invariance_and_defaults(void) {
  const char* data = getenv("TRACKKIT_DATA");
  char folder[1024];
  tk_gmc_config gmc;
  tk_tracker_config botsort, bytetrack;
  double *one, *four, *strict;
  int64_t rows_one = 0, rows_four = 0, rows_strict = 0, timed = 0, i;
  int same = 1;
  if (data == NULL || !have_model()) {
    printf("SKIPPED batch invariance: needs TRACKKIT_DATA and the yolov5n export\n");
    return;
  }
  snprintf(folder, sizeof folder, "%s/mot/MOT17/train/MOT17-04-FRCNN", data);
  one = track(folder, 1, NULL, NULL, &rows_one, &timed);
  if (one == NULL) {
    printf("SKIPPED batch invariance: %s\n", tk_last_error()); /* e.g. no imgcodecs in this build */
    return;
  }
  CHECK(timed == 8); /* MOT17-04's 8 frames in the shared data */
  /* The documented defaults given explicitly: GMC's defaults and ultralytics' BoT-SORT. */
  CHECK(tk_gmc_config_init(&gmc, sizeof gmc) == TK_OK && tk_tracker_config_init(&botsort, sizeof botsort) == TK_OK);
  CHECK(tk_tracker_config_preset("ultralytics_botsort", 30.0, &botsort) == TK_OK);
  four = track(folder, 4, &gmc, &botsort, &rows_four, &timed);
  CHECK(rows_one > 20 && rows_one == rows_four);
  for (i = 0; i < rows_one * 10 && rows_one == rows_four; ++i) same &= one[i] == four[i];
  CHECK(same);
  CHECK(one[(rows_one - 1) * 10] == 7); /* the last rows belong to the 8th frame */
  /* A stricter tracker, pointed to: ByteTrack starts tracks only at score >= 0.6, so fewer rows. */
  CHECK(tk_tracker_config_init(&bytetrack, sizeof bytetrack) == TK_OK);
  CHECK(tk_tracker_config_preset("bytetrack", 30.0, &bytetrack) == TK_OK);
  strict = track(folder, 8, NULL, &bytetrack, &rows_strict, &timed);
  CHECK(strict != NULL && rows_strict > 0 && rows_strict < rows_one);
  free(one);
  free(four);
  free(strict);
}

/* tk_frame_reader_config: defaults, checks, and 30 frames of PETS09 as H.264 read on the CPU in batches of 7. */
static void test_frame_reader_config(void) {
  const char* video = TK_TEST_VIDEOS "/pets_h264.mp4";
  tk_frame_reader_config c;
  tk_frame_reader* reader = NULL;
  DLManagedTensorVersioned* frames = NULL;
  int64_t count = 0, height = 0, width = 0, total = 0, batch = 1;
  FILE* file;
  CHECK(tk_frame_reader_config_init(&c, sizeof c) == TK_OK && c.struct_size == sizeof c);
  CHECK(c.max_frames == -1 && c.prefetch == 64 && c.decode == TK_DECODE_AUTO && c.rgb == 0);
  CHECK(c.cuda_device == 0 && c.threads == 0);
  CHECK(tk_frame_reader_config_init(&c, 8) == TK_ERR_INVALID_ARGUMENT);
  CHECK(tk_frame_reader_open_with(video, NULL, &reader) == TK_ERR_INVALID_ARGUMENT && reader == NULL);
  CHECK(strcmp(tk_last_error(), "tk_frame_reader_open_with: config is NULL") == 0);
  CHECK(tk_frame_reader_config_init(&c, sizeof c) == TK_OK);
  c.decode = 7;
  CHECK(tk_frame_reader_open_with(video, &c, &reader) == TK_ERR_INVALID_ARGUMENT && reader == NULL);
  CHECK(strcmp(tk_last_error(), "tk_frame_reader_open_with: config->decode must be a tk_decode, got 7") == 0);
  file = fopen(video, "rb");
  if (file == NULL) {
    printf("SKIPPED frame reader config: needs %s (scripts/test-videos.sh)\n", video);
    return;
  }
  fclose(file);
  c.decode = TK_DECODE_CPU, c.max_frames = 30, c.prefetch = 8;
  if (tk_frame_reader_open_with(video, &c, &reader) != TK_OK) {
    printf("SKIPPED frame reader config: %s\n", tk_last_error()); /* a build with neither FFmpeg nor videoio */
    return;
  }
  CHECK(tk_frame_reader_info(reader, &count, &height, &width, NULL) == TK_OK);
  CHECK(count == 30 && height == 360 && width == 480);
  while (batch > 0) {
    CHECK(tk_frame_reader_read(reader, 7, &frames) == TK_OK);
    CHECK(frames->dl_tensor.ndim == 4 && frames->dl_tensor.shape[1] == 360 && frames->dl_tensor.shape[3] == 3);
    batch = frames->dl_tensor.shape[0];
    CHECK(batch <= 4); /* at most half the ring of 8 a read */
    total += batch;
    frames->deleter(frames);
  }
  CHECK(total == 30);
  tk_frame_reader_close(reader);
}

int main(void) {
  test_config_and_errors();
  test_frame_reader_config();
  test_class_names_and_times();
  test_batch_invariance_and_defaults();
  return report();
}
