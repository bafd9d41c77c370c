/* The tracker and the tracker bank through the C ABI, from C99. */
#define _POSIX_C_SOURCE 200809L /* mkdtemp, for the YAML fixtures */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "../tracker/ultralytics_trackers.h"
#include "check.h"
#include "trackkit/trackkit.h"

/* A borrowed float64 CPU tensor [rows, cols]. */
static DLTensor f64_tensor(double* data, int64_t* shape) { return borrowed_cpu_tensor(data, 2, shape, kDLFloat, 64); }

static const double* rows_of(const DLManagedTensorVersioned* t) {
  return (const double*)((const char*)t->dl_tensor.data + t->dl_tensor.byte_offset);
}

static void test_config(void) {
  tk_tracker_config c, mot17;
  tk_tracker* tracker = NULL;
  CHECK(tk_tracker_config_init(&c, sizeof c) == TK_OK && tk_tracker_config_init(&mot17, sizeof mot17) == TK_OK);
  CHECK(c.struct_size == sizeof(tk_tracker_config));
  CHECK(c.track_thresh == 0.5 && c.match_thresh == 0.8 && c.track_buffer == 30 && c.iou_plus_one == 0);
  CHECK(tk_tracker_config_preset("bytetrack_mot17", 14.0, &mot17) == TK_OK);
  CHECK(mot17.track_thresh == 0.6 && mot17.new_track_thresh == 0.7 && mot17.frame_rate == 14.0);
  CHECK(mot17.iou_plus_one == 1);
  CHECK(tk_tracker_config_preset("sort", 30.0, &mot17) == TK_ERR_INVALID_ARGUMENT);
  CHECK(
      strcmp(tk_last_error(),
             "TrackerOptions::preset: name must be one of bytetrack, bytetrack_mot17, botsort, ultralytics_bytetrack, "
             "ultralytics_botsort, original_pipeline; got \"sort\"") == 0);
  CHECK(tk_tracker_config_preset("original_pipeline", 25.0, &mot17) == TK_OK);
  CHECK(mot17.low_thresh == 0.4 && mot17.track_thresh == 0.5 && mot17.track_buffer == 90 && mot17.frame_rate == 25.0);
  c.match_thresh = 1.5;
  CHECK(tk_tracker_create(&c, &tracker) == TK_ERR_INVALID_ARGUMENT && tracker == NULL);
  CHECK(strcmp(tk_last_error(), "Tracker: options.match_thresh must be in (0,1), got 1.500000") == 0);
  c.struct_size = 8;
  CHECK(tk_tracker_create(&c, &tracker) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strstr(tk_last_error(), "config->struct_size is 8") != NULL);
  CHECK(tk_tracker_config_init(NULL, sizeof c) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strcmp(tk_last_error(), "tk_tracker_config_init: config is NULL") == 0);
}

static void test_tracker(void) {
  tk_tracker_config c;
  tk_tracker* tracker = NULL;
  double box[5] = {100, 50, 140, 130, 0.9};
  double bad[5] = {100, 50, 90, 130, 0.9}; /* x2 < x1 */
  int64_t shape[2] = {1, 5};
  DLTensor t = f64_tensor(box, shape), tb = f64_tensor(bad, shape);
  DLManagedTensorVersioned* out = NULL;
  int frame;
  CHECK(tk_tracker_config_init(&c, sizeof c) == TK_OK);
  CHECK(tk_tracker_create(&c, &tracker) == TK_OK && tracker != NULL);
  if (tracker == NULL) return;
  for (frame = 0; frame < 5; ++frame) {
    box[0] += 4, box[2] += 4; /* moving right */
    CHECK(tk_tracker_update(tracker, &t, &out) == TK_OK);
    if (out == NULL) continue;
    CHECK(out->dl_tensor.ndim == 2 && out->dl_tensor.shape[0] == 1 && out->dl_tensor.shape[1] == 8);
    CHECK(out->dl_tensor.dtype.code == kDLFloat && out->dl_tensor.dtype.bits == 64);
    if (out->dl_tensor.shape[0] == 1) {
      const double* r = rows_of(out);
      CHECK(r[4] == 1.0 && r[5] == 0.9 && r[7] == 0.0); /* id 1, score, det_index 0 */
      CHECK(fabs(r[0] - box[0]) < 2.0);
    }
    tk_tensor_free(out);
    out = NULL;
  }
  CHECK(tk_tracker_update(tracker, &tb, &out) == TK_ERR_INVALID_ARGUMENT && out == NULL);
  CHECK(strcmp(tk_last_error(), "Tracker::update: detections row 0 has x2 < x1 or y2 < y1") == 0);
  CHECK(tk_tracker_update(NULL, &t, &out) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strcmp(tk_last_error(), "tk_tracker_update: tracker is NULL") == 0);
  CHECK(tk_tracker_reset(tracker) == TK_OK);
  tk_tracker_destroy(tracker);
  tk_tracker_destroy(NULL);
}

static void test_warp(void) {
  /* A static object under a camera panning 60 px a frame: kept by the warp, with BoT-SORT's state. */
  tk_tracker_config c;
  tk_tracker* tracker = NULL;
  double box[5] = {1000, 300, 1040, 400, 0.9};
  double warp[6] = {1, 0, -60, 0, 1, 0};
  int64_t box_shape[2] = {1, 5}, warp_shape[2] = {2, 3}, bad_shape[2] = {3, 2};
  DLTensor tb = f64_tensor(box, box_shape), tw = f64_tensor(warp, warp_shape), bad = f64_tensor(warp, bad_shape);
  DLManagedTensorVersioned* out = NULL;
  int frame, kept = 0;
  CHECK(tk_tracker_config_init(&c, sizeof c) == TK_OK);
  c.motion_model = TK_MOTION_XYWH;
  CHECK(tk_tracker_create(&c, &tracker) == TK_OK && tracker != NULL);
  if (tracker == NULL) return;
  for (frame = 0; frame < 8; ++frame) {
    CHECK(tk_tracker_update_warp(tracker, &tb, &tw, &out) == TK_OK);
    if (out != NULL) {
      kept += out->dl_tensor.shape[0] == 1 && rows_of(out)[4] == 1.0;
      tk_tensor_free(out);
      out = NULL;
    }
    box[0] -= 60, box[2] -= 60;
  }
  CHECK(kept == 8);
  CHECK(tk_tracker_update_warp(tracker, &tb, &bad, &out) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strcmp(tk_last_error(), "Tracker::update: warp must have shape [2,3], got [3,2]") == 0);
  tk_tracker_destroy(tracker);
  c.motion_model = 7;
  CHECK(tk_tracker_create(&c, &tracker) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strcmp(tk_last_error(), "tk_tracker_create: config->motion_model must be a tk_motion_model, got 7") == 0);
  tk_tracker_destroy(tracker);
}

static void test_bank(void) {
  tk_tracker_config c;
  tk_tracker_bank* bank = NULL;
  /* stream 1 then stream 0, one box each */
  double rows[12] = {1, 300, 300, 350, 400, 0.8, 0, 10, 10, 60, 110, 0.9};
  int64_t shape[2] = {2, 6};
  DLTensor t = f64_tensor(rows, shape);
  DLManagedTensorVersioned* out = NULL;
  CHECK(tk_tracker_config_init(&c, sizeof c) == TK_OK);
  CHECK(tk_tracker_config_preset("bytetrack", 30.0, &c) == TK_OK);
  CHECK(tk_tracker_bank_create(&c, 2, &bank) == TK_OK && bank != NULL);
  if (bank == NULL) return;
  CHECK(tk_tracker_bank_update(bank, &t, &out) == TK_OK);
  if (out != NULL) {
    const double* r = rows_of(out);
    CHECK(out->dl_tensor.shape[0] == 2 && out->dl_tensor.shape[1] == 9);
    /* Stream 0 first: its box is input row 1; both streams start their ids at 1. */
    CHECK(r[0] == 0.0 && r[5] == 1.0 && r[8] == 1.0);
    CHECK(r[9] == 1.0 && r[14] == 1.0 && r[17] == 0.0);
    tk_tensor_free(out);
  }
  CHECK(tk_tracker_bank_reset(bank, 5) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strcmp(tk_last_error(), "TrackerBank::reset: stream must be in [0,2), got 5") == 0);
  CHECK(tk_tracker_bank_create(&c, 0, &bank) == TK_ERR_INVALID_ARGUMENT);
  tk_tracker_bank_destroy(bank);
}

/* Two people side by side swap places; their features keep the ids (docs/tracker.md, appearance). */
static void test_update_ex(void) {
  tk_tracker_config c;
  tk_tracker* tracker = NULL;
  double boxes[10] = {100, 100, 200, 300, 0.9, 120, 100, 220, 300, 0.9};
  float feats[8] = {1, 0, 0, 0, 0, 1, 0, 0};
  int64_t box_shape[2] = {2, 5}, feat_shape[2] = {2, 4}, bad_shape[2] = {3, 4};
  DLTensor tb = f64_tensor(boxes, box_shape), tf = f64_tensor(NULL, feat_shape);
  tk_tracker_input in;
  DLManagedTensorVersioned* out = NULL;
  int frame;
  CHECK(tk_tracker_input_init(&in, sizeof in) == TK_OK && tk_tracker_config_init(&c, sizeof c) == TK_OK);
  tf.data = feats;
  tf.dtype.bits = 32;
  CHECK(in.struct_size == sizeof(tk_tracker_input) && in.mask_scale == 1.0 && in.embeddings == NULL);
  CHECK(tk_tracker_config_preset("botsort", 30.0, &c) == TK_OK);
  CHECK(c.motion_model == TK_MOTION_XYWH && c.track_thresh == 0.6 && c.appearance_thresh == 0.25);
  CHECK(tk_tracker_create(&c, &tracker) == TK_OK && tracker != NULL);
  if (tracker == NULL) return;
  in.detections = &tb;
  in.embeddings = &tf;
  for (frame = 0; frame < 3; ++frame) {
    if (frame == 2) { /* swap the boxes, not the features */
      int k;
      for (k = 0; k < 4; ++k) {
        double t = boxes[k];
        boxes[k] = boxes[5 + k], boxes[5 + k] = t;
      }
    }
    CHECK(tk_tracker_update_ex(tracker, &in, &out) == TK_OK);
    if (out != NULL) {
      const double* r = rows_of(out);
      CHECK(out->dl_tensor.shape[0] == 2 && out->dl_tensor.shape[1] == 9);
      /* id 1 stays with row 0 (person A), status tracked */
      CHECK((r[4] == 1.0 && r[7] == 0.0) || (r[13] == 1.0 && r[16] == 0.0));
      CHECK(r[8] == 1.0 && r[17] == 1.0);
      tk_tensor_free(out);
      out = NULL;
    }
  }
  tf.shape = bad_shape;
  CHECK(tk_tracker_update_ex(tracker, &in, &out) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strcmp(tk_last_error(),
               "Tracker::update: embeddings must have shape [N,D] with N = 2 (one per detection "
               "row) and D > 0, got [3,4]") == 0);
  in.struct_size = 4;
  CHECK(tk_tracker_update_ex(tracker, &in, &out) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strstr(tk_last_error(), "input->struct_size") != NULL);
  CHECK(tk_tracker_update_ex(tracker, NULL, &out) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strcmp(tk_last_error(), "tk_tracker_update_ex: input is NULL") == 0);
  tk_tracker_destroy(tracker);
}

/* The first published tk_tracker_config ends at feature_momentum; later fields are appended after it. */
#define TRACKER_CONFIG_FIRST_LAYOUT (offsetof(tk_tracker_config, feature_momentum) + sizeof(double))

/* struct_size: init writes only that many bytes, too small is refused, a newer caller's zero tail is accepted and a
 * nonzero one (a field this library does not know) is TK_ERR_UNSUPPORTED. */
static void test_struct_size(void) {
  struct {
    tk_tracker_config config;
    unsigned char tail[16]; /* a newer header's fields, or a canary */
  } big;
  tk_tracker* tracker = NULL;
  tk_tracker_input in;
  size_t i;
  int untouched = 1;
  memset(&big, 0xAB, sizeof big);
  CHECK(tk_tracker_config_init(&big.config, TRACKER_CONFIG_FIRST_LAYOUT) == TK_OK);
  for (i = 0; i < sizeof big.tail; ++i) untouched &= big.tail[i] == 0xAB;
  CHECK(untouched && big.config.struct_size == TRACKER_CONFIG_FIRST_LAYOUT && big.config.track_buffer == 30);
  CHECK(tk_tracker_config_init(&big.config, TRACKER_CONFIG_FIRST_LAYOUT - 8) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strncmp(tk_last_error(), "tk_tracker_config_init: struct_size is ", 39) == 0);
  CHECK(tk_tracker_config_init(&big.config, sizeof big) == TK_OK && big.config.struct_size == sizeof big);
  CHECK(big.tail[0] == 0 && big.tail[15] == 0); /* beyond the library's struct: zeros */
  CHECK(tk_tracker_create(&big.config, &tracker) == TK_OK && tracker != NULL);
  tk_tracker_destroy(tracker);
  tracker = NULL;
  big.tail[3] = 1;
  CHECK(tk_tracker_create(&big.config, &tracker) == TK_ERR_UNSUPPORTED && tracker == NULL);
  CHECK(strstr(tk_last_error(), "tk_tracker_create: config sets a field at byte") != NULL);
  /* a preset writes only struct_size bytes of an initialised config */
  memset(&big, 0xAB, sizeof big);
  CHECK(tk_tracker_config_init(&big.config, sizeof big.config) == TK_OK);
  CHECK(tk_tracker_config_preset("bytetrack_mot17", 30.0, &big.config) == TK_OK && big.config.track_thresh == 0.6);
  CHECK(big.tail[0] == 0xAB && big.tail[15] == 0xAB && big.config.struct_size == sizeof big.config);
  big.config.struct_size = 0; /* not initialised */
  CHECK(tk_tracker_config_preset("bytetrack", 30.0, &big.config) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strstr(tk_last_error(), "tk_tracker_config_preset: config->struct_size is 0") != NULL);
  CHECK(tk_tracker_input_init(&in, sizeof in) == TK_OK && in.mask_scale == 1.0 && in.detections == NULL);
  CHECK(tk_tracker_input_init(&in, 8) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strstr(tk_last_error(), "tk_tracker_input_init: struct_size is 8") != NULL);
}

/* The ids of an int64 [n] CPU tensor (at most 8) into ids, the tensor released; -1 if it is not one. */
static int64_t take_ids(DLManagedTensorVersioned* t, int64_t* ids) {
  int64_t n = -1;
  if (t == NULL) return -1;
  if (t->dl_tensor.ndim == 1 && t->dl_tensor.dtype.code == kDLInt && t->dl_tensor.dtype.bits == 64 &&
      t->dl_tensor.device.device_type == kDLCPU && t->dl_tensor.shape[0] <= 8) {
    n = t->dl_tensor.shape[0];
    /* An empty tensor's data may be NULL, which memcpy may not be given even for 0 bytes. */
    if (n > 0) memcpy(ids, (const char*)t->dl_tensor.data + t->dl_tensor.byte_offset, (size_t)n * sizeof(int64_t));
  }
  tk_tensor_free(t);
  return n;
}

/* A detection that appears starts id 1; gone, its track is kept track_buffer frames and ends in the next one
 * (ByteTrack drops a lost track once frame - last_seen > track_buffer at 30 fps). */
static void test_events(void) {
  tk_tracker_config c;
  tk_tracker* tracker = NULL;
  double box[5] = {100, 50, 140, 130, 0.9};
  int64_t shape[2] = {1, 5}, no_rows[2] = {0, 5}, ids[8];
  DLTensor one = f64_tensor(box, shape), none = f64_tensor(box, no_rows);
  DLManagedTensorVersioned *started = NULL, *ended = NULL, *out = NULL;
  int frame, ended_at = -1, ends = 0;
  CHECK(tk_tracker_config_init(&c, sizeof c) == TK_OK);
  c.track_buffer = 5;
  CHECK(tk_tracker_create(&c, &tracker) == TK_OK && tracker != NULL);
  if (tracker == NULL) return;
  CHECK(tk_tracker_events(tracker, &started, &ended) == TK_OK); /* before the first update: empty */
  CHECK(take_ids(started, ids) == 0 && take_ids(ended, ids) == 0);
  for (frame = 0; frame < 20; ++frame) {
    int64_t s, e;
    CHECK(tk_tracker_update(tracker, frame < 3 ? &one : &none, &out) == TK_OK);
    tk_tensor_free(out);
    CHECK(tk_tracker_events(tracker, &started, &ended) == TK_OK);
    s = take_ids(started, ids);
    CHECK(frame == 0 ? s == 1 && ids[0] == 1 : s == 0);
    e = take_ids(ended, ids);
    CHECK(e == 0 || (e == 1 && ids[0] == 1));
    if (e == 1) ended_at = frame, ++ends;
  }
  CHECK(ends == 1 && ended_at == 2 + 5 + 1); /* last seen in frame 2, kept 5 frames */
  CHECK(tk_tracker_events(tracker, NULL, &ended) == TK_OK && take_ids(ended, ids) == 0);
  CHECK(tk_tracker_update(tracker, &one, &out) == TK_OK);
  tk_tensor_free(out);
  CHECK(tk_tracker_reset(tracker) == TK_OK);
  CHECK(tk_tracker_events(tracker, &started, NULL) == TK_OK && take_ids(started, ids) == 0); /* forgotten */
  CHECK(tk_tracker_events(NULL, &started, &ended) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strcmp(tk_last_error(), "tk_tracker_events: tracker is NULL") == 0);
  tk_tracker_destroy(tracker);
}

/* tk_tracker_preset_name lists what tk_tracker_config_preset takes. */
static void test_preset_names(void) {
  const char* expected[6] = {"bytetrack",           "bytetrack_mot17",  "botsort", "ultralytics_bytetrack",
                             "ultralytics_botsort", "original_pipeline"};
  tk_tracker_config c;
  size_t i;
  CHECK(tk_tracker_config_init(&c, sizeof c) == TK_OK);
  for (i = 0; i < 6; ++i) {
    const char* name = tk_tracker_preset_name(i);
    CHECK(name != NULL && strcmp(name, expected[i]) == 0);
    CHECK(name != NULL && tk_tracker_config_preset(name, 25.0, &c) == TK_OK);
  }
  CHECK(tk_tracker_preset_name(6) == NULL);
  CHECK(tk_tracker_config_preset("botsort", 0.0, &c) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strcmp(tk_last_error(),
               "TrackerOptions::preset: frame_rate must be finite and > 0 (at most 1e6), got 0.000000") == 0);
  CHECK(tk_tracker_config_preset(NULL, 30.0, &c) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strcmp(tk_last_error(), "tk_tracker_config_preset: name is NULL") == 0);
}

/* ultralytics' botsort.yaml gives the ultralytics_botsort preset; a bad value names the key and the file and
 * leaves *config as it was. */
static void test_from_yaml(void) {
  const char* names[2] = {"botsort.yaml", "bad.yaml"};
  char dir[32], botsort[256], bad[256];
  tk_tracker_config c;
  CHECK(tk_tracker_config_init(&c, sizeof c) == TK_OK);
  CHECK(tk_fixture_dir(dir));
  CHECK(tk_fixture_file(dir, names[0], TK_ULTRALYTICS_BOTSORT_YAML, botsort));
  CHECK(tk_fixture_file(dir, names[1], "tracker_type: botsort\ntrack_high_thresh: 2\n", bad));
#if TRACKKIT_HAVE_YAML_CPP
  char expected[512];
  CHECK(tk_tracker_config_from_yaml(botsort, 25.0, &c) == TK_OK);
  CHECK(c.track_thresh == 0.25 && c.new_track_thresh == 0.25 && c.high_score_inclusive == 1 && c.iou_plus_one == 0);
  CHECK(c.motion_model == TK_MOTION_XYWH && c.warp_sizes_by_abs == 1 && fabs(c.appearance_thresh - 0.2) < 1e-12);
  CHECK(c.track_buffer == 30 && c.frame_rate == 30.0); /* 30 frames at any rate, as ultralytics */
  CHECK(tk_tracker_config_from_yaml(bad, 30.0, &c) == TK_ERR_INVALID_ARGUMENT && c.track_thresh == 0.25);
  snprintf(expected, sizeof expected,
           "TrackerOptions::from_yaml: track_high_thresh in \"%s\" must be a number in [0,1], got 2", bad);
  CHECK(strcmp(tk_last_error(), expected) == 0);
  CHECK(tk_tracker_config_from_yaml(dir, 30.0, &c) == TK_ERR_NOT_FOUND);
  snprintf(expected, sizeof expected, "TrackerOptions::from_yaml: path \"%s\" is a directory, not a YAML file", dir);
  CHECK(strcmp(tk_last_error(), expected) == 0);
#else
  CHECK(tk_tracker_config_from_yaml(botsort, 25.0, &c) == TK_ERR_UNSUPPORTED && c.track_thresh == 0.5);
  CHECK(strstr(tk_last_error(), "built without yaml-cpp") != NULL);
#endif
  CHECK(tk_tracker_config_from_yaml(NULL, 30.0, &c) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strcmp(tk_last_error(), "tk_tracker_config_from_yaml: path is NULL") == 0);
  CHECK(tk_tracker_config_from_yaml(botsort, 30.0, NULL) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strcmp(tk_last_error(), "tk_tracker_config_from_yaml: config is NULL") == 0);
  tk_fixture_remove(dir, names, 2);
}

int main(void) {
  test_config();
  test_struct_size();
  test_events();
  test_preset_names();
  test_from_yaml();
  test_tracker();
  test_warp();
  test_bank();
  test_update_ex();
  return report();
}
