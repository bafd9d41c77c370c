/* The pipeline and frame reader through the C ABI, from C99: defaults, errors, and (with the yolov5n export and
 * TRACKKIT_DATA's MOT17-04 frames, where this build decodes JPEGs) the same tracks whatever the batch size. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "trackkit/trackkit.h"

#ifndef TK_DETECTOR_MODELS
#define TK_DETECTOR_MODELS "build/detector-models"
#endif

static void test_defaults_and_errors(void) {
  tk_pipeline_config c = tk_pipeline_config_defaults();
  tk_pipeline* pipeline = NULL;
  tk_frame_reader* reader = NULL;
  CHECK(c.struct_size == sizeof(tk_pipeline_config));
  CHECK(c.detector.struct_size == sizeof(tk_detector_config) && c.detector.conf_threshold == 0.1);
  CHECK(c.gmc.struct_size == sizeof(tk_gmc_config) && c.gmc.method == TK_GMC_SPARSE_OPTICAL_FLOW);
  /* ultralytics' botsort.yaml */
  CHECK(c.tracker.track_thresh == 0.25 && c.tracker.new_track_thresh == 0.25 &&
        c.tracker.motion_model == TK_MOTION_XYWH);
  CHECK(tk_pipeline_create(NULL, &c, &pipeline) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strcmp(tk_last_error(), "tk_pipeline_create: model_path is NULL") == 0);
  CHECK(tk_pipeline_create("/nonexistent.torchscript", &c, &pipeline) == TK_ERR_NOT_FOUND && pipeline == NULL);
  c.struct_size = 8;
  CHECK(tk_pipeline_create("x", &c, &pipeline) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strstr(tk_last_error(), "config->struct_size") != NULL);
  c = tk_pipeline_config_defaults();
  c.gmc.method = 42;
  CHECK(tk_pipeline_create("x", &c, &pipeline) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strstr(tk_last_error(), "config->method must be a tk_gmc_method") != NULL);
  CHECK(tk_frame_reader_open("/nonexistent/folder", -1, &reader) == TK_ERR_NOT_FOUND && reader == NULL);
  CHECK(strcmp(tk_last_error(), "FrameReader: path \"/nonexistent/folder\" does not exist") == 0);
}

/* Every track row (frame, id, box, score, class, det_index, GMC status) of a run in batches of `batch`. */
static double* track(const char* folder, int64_t batch, int64_t* rows) {
  tk_pipeline_config c = tk_pipeline_config_defaults();
  tk_pipeline* pipeline = NULL;
  tk_frame_reader* reader = NULL;
  DLManagedTensorVersioned *frames = NULL, *in_flight = NULL, *tracks = NULL;
  double* all = NULL;
  int64_t finished = 0, n = 0;
  int done = 0;
  c.detector.device = "cpu";
  *rows = 0;
  if (tk_frame_reader_open(folder, -1, &reader) != TK_OK) return NULL;
  CHECK(tk_pipeline_create(TK_DETECTOR_MODELS "/yolov5n.torchscript", &c, &pipeline) == TK_OK);
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
  tk_pipeline_destroy(pipeline);
  tk_frame_reader_close(reader);
  return all;
}

static void test_batch_invariance(void) {
  const char* data = getenv("TRACKKIT_DATA");
  char folder[1024];
  double *one, *four;
  int64_t rows_one = 0, rows_four = 0, i;
  FILE* model = fopen(TK_DETECTOR_MODELS "/yolov5n.torchscript", "rb");
  if (data == NULL || model == NULL) {
    printf("SKIPPED batch invariance: needs TRACKKIT_DATA and the yolov5n export\n");
    if (model != NULL) fclose(model);
    return;
  }
  fclose(model);
  snprintf(folder, sizeof folder, "%s/mot/MOT17/train/MOT17-04-FRCNN", data);
  one = track(folder, 1, &rows_one);
  if (one == NULL) {
    printf("SKIPPED batch invariance: %s\n", tk_last_error()); /* e.g. no imgcodecs in this build */
    return;
  }
  four = track(folder, 4, &rows_four);
  CHECK(rows_one > 20 && rows_one == rows_four);
  for (i = 0; i < rows_one * 10 && rows_one == rows_four; ++i) CHECK(one[i] == four[i]);
  CHECK(one[(rows_one - 1) * 10] == 7); /* the last rows belong to the 8th frame */
  free(one);
  free(four);
}

int main(void) {
  test_defaults_and_errors();
  test_batch_invariance();
  return report();
}
