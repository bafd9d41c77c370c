/* Bad input of c/tracker.h: configs, presets, YAML, updates with every cue, banks. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "test_capi_bad_input.h"

#define BAD TK_ERR_INVALID_ARGUMENT

static tk_tracker_config tc;
static struct {
  tk_tracker_config config;
  unsigned char tail[16];
} tracker_big;
static tk_tracker_input ti;
static struct {
  tk_tracker_input input;
  unsigned char tail[8];
} input_big;

static tk_tracker_config tracker_defaults(void) {
  tk_tracker_config c;
  tk_tracker_config_init(&c, sizeof c);
  return c;
}
static tk_status create(const tk_tracker_config* c) { return tk_tracker_create(c, &made_tracker); }
static tk_status yaml_status(tk_status with_yaml) { return have_yaml() ? with_yaml : TK_ERR_UNSUPPORTED; }

static float d_nan[5] = {0, 0, NAN, 10, 0.9f}, d_inf[5] = {0, 0, INFINITY, 10, 0.9f}, d_flip[5] = {10, 0, 0, 10, 0.9f};
static float d_score[5] = {0, 0, 10, 10, 1.5f}, d7[7] = {0, 0, 10, 10, 0.9f, 1, 1};
static double d_huge[5] = {-1e300, 0, 1e300, 10, 0.9}, d_class[6] = {0, 0, 10, 10, 0.9, 1e300};
static int32_t d_int[5] = {0, 0, 10, 10, 1};
static double w_nan[6] = {1, 0, NAN, 0, 1, 0}, w33[9] = {1, 0, 0, 0, 1, 0, 0, 0, 1};
static float e_nan[8] = {1, 0, 0, 0, NAN, 0, 0, 0}, e5[10] = {0};
static int64_t s15[2] = {1, 5}, s16[2] = {1, 6}, s17[2] = {1, 7}, s14[2] = {1, 4}, s33[2] = {3, 3}, s24[2] = {2, 4};
static int64_t s155[3] = {1, 5, 5}, s288[3] = {2, 8, 8}, s344[3] = {3, 4, 4}, s1[1] = {1};
static int64_t s5[1] = {5};
static float bank_row[6] = {0, 0, 0, 10, 10, 0.9f}, bank_s2[6] = {2, 0, 0, 10, 10, 0.9f};
static float bank_half[6] = {0.5f, 0, 0, 10, 10, 0.9f}, bank_neg[6] = {-1, 0, 0, 10, 10, 0.9f};
static float bank_nan[6] = {NAN, 0, 0, 10, 10, 0.9f};
static uint8_t mask_bytes[3 * 8 * 8];
static int64_t one_id[1] = {1};
static float track_id_f[1] = {1};

static DLTensor f32(void* data, int32_t ndim, int64_t* shape) { return cpu_tensor_of(data, ndim, shape, kDLFloat, 32); }
static DLTensor f64(void* data, int32_t ndim, int64_t* shape) { return cpu_tensor_of(data, ndim, shape, kDLFloat, 64); }
static DLTensor u8(void* data, int32_t ndim, int64_t* shape) { return cpu_tensor_of(data, ndim, shape, kDLUInt, 8); }
static tk_status update(DLTensor d) { return tk_tracker_update(a_tracker, &d, &out1); }
static tk_status warp(DLTensor w) { return tk_tracker_update_warp(a_tracker, &dets_2x5, &w, &out1); }
static tk_status bank(DLTensor d) { return tk_tracker_bank_update(a_bank, &d, &out1); }
static tk_tracker_input input(void) {
  tk_tracker_input in;
  tk_tracker_input_init(&in, sizeof in);
  in.detections = &dets_2x5;
  return in;
}
static tk_status update_ex(const tk_tracker_input* in) { return tk_tracker_update_ex(a_tracker, in, &out1); }
static DLTensor t1, t2;

void tracker_cases(void) {
  tc = tracker_defaults();
  EXPECT(BAD, "tk_tracker_config_init: config is NULL", tk_tracker_config_init(NULL, sizeof tc));
  EXPECT(BAD, "tk_tracker_config_init: struct_size is 0", tk_tracker_config_init(&tc, 0));
  EXPECT(BAD, "tk_tracker_config_init: struct_size is 16", tk_tracker_config_init(&tc, 16));
  EXPECT(BAD, "tk_tracker_config_preset: name is NULL", tk_tracker_config_preset(NULL, 30, &tc));
  EXPECT(BAD, "tk_tracker_config_preset: config is NULL", tk_tracker_config_preset("bytetrack", 30, NULL));
  EXPECT(BAD, "name must be one of", tk_tracker_config_preset("deepsort", 30, &tc));
  EXPECT(BAD, "name must be one of", tk_tracker_config_preset("", 30, &tc));
  EXPECT(BAD, "TrackerOptions::preset: frame_rate", tk_tracker_config_preset("bytetrack", 0, &tc));
  EXPECT(BAD, "TrackerOptions::preset: frame_rate", tk_tracker_config_preset("bytetrack", -25, &tc));
  EXPECT(BAD, "TrackerOptions::preset: frame_rate", tk_tracker_config_preset("bytetrack", NAN, &tc));
  EXPECT(BAD, "TrackerOptions::preset: frame_rate", tk_tracker_config_preset("bytetrack", INFINITY, &tc));
  EXPECT(BAD, "TrackerOptions::preset: frame_rate", tk_tracker_config_preset("bytetrack", 1e300, &tc));
  EXPECT(BAD, "options.frame_rate", (tc.frame_rate = 1e300, create(&tc))); /* set by hand: create refuses it */
  EXPECT(BAD, "tk_tracker_config_preset: config->struct_size is 0",
         (tc.struct_size = 0, tk_tracker_config_preset("bytetrack", 30, &tc)));
  EXPECT(TK_OK, NULL, tk_tracker_preset_name(1000) == NULL ? TK_OK : BAD);
  EXPECT(TK_OK, NULL, tk_tracker_preset_name((size_t)-1) == NULL ? TK_OK : BAD);
  EXPECT(BAD, "tk_tracker_config_from_yaml: path is NULL", tk_tracker_config_from_yaml(NULL, 30, &tc));
  EXPECT(BAD, "tk_tracker_config_from_yaml: config is NULL",
         tk_tracker_config_from_yaml(bad_path("noise.txt"), 30, NULL));
  EXPECT(yaml_status(TK_ERR_NOT_FOUND), "missing.yaml",
         (tc = tracker_defaults(), tk_tracker_config_from_yaml(bad_path("missing.yaml"), 30, &tc)));
  EXPECT(yaml_status(TK_ERR_NOT_FOUND), "folder", tk_tracker_config_from_yaml(bad_path("folder"), 30, &tc));
  EXPECT(yaml_status(BAD), "noise.txt", tk_tracker_config_from_yaml(bad_path("noise.txt"), 30, &tc));
  /* tk_tracker_create: the config, field by field */
  EXPECT(BAD, "tk_tracker_create: tracker is NULL", (tc = tracker_defaults(), tk_tracker_create(&tc, NULL)));
  EXPECT(BAD, "tk_tracker_create: config is NULL", create(NULL));
  EXPECT(BAD, "tk_tracker_create: config->struct_size is 0", (tc.struct_size = 0, create(&tc)));
  EXPECT(BAD, "tk_tracker_create: config->struct_size is 8", (tc.struct_size = 8, create(&tc)));
  EXPECT(TK_ERR_UNSUPPORTED, "tk_tracker_create: config sets a field at byte",
         (tk_tracker_config_init(&tracker_big.config, sizeof tracker_big), tracker_big.tail[15] = 7,
          create(&tracker_big.config)));
  EXPECT(BAD, "config->motion_model", (tc = tracker_defaults(), tc.motion_model = 2, create(&tc)));
  EXPECT(BAD, "config->motion_model", (tc = tracker_defaults(), tc.motion_model = -1, create(&tc)));
  EXPECT(BAD, "config->reserved", (tc = tracker_defaults(), tc.reserved = 1, create(&tc)));
  EXPECT(BAD, "options.track_thresh", (tc = tracker_defaults(), tc.track_thresh = NAN, create(&tc)));
  EXPECT(BAD, "options.track_thresh", (tc = tracker_defaults(), tc.track_thresh = 2, create(&tc)));
  EXPECT(BAD, "options.low_thresh", (tc = tracker_defaults(), tc.low_thresh = 0.9, create(&tc)));
  EXPECT(BAD, "options.low_thresh", (tc = tracker_defaults(), tc.low_thresh = -INFINITY, create(&tc)));
  EXPECT(BAD, "options.new_track_thresh", (tc = tracker_defaults(), tc.new_track_thresh = -0.1, create(&tc)));
  EXPECT(BAD, "options.match_thresh", (tc = tracker_defaults(), tc.match_thresh = 1, create(&tc)));
  EXPECT(BAD, "options.match_thresh", (tc = tracker_defaults(), tc.match_thresh = NAN, create(&tc)));
  EXPECT(BAD, "options.second_match_thresh", (tc = tracker_defaults(), tc.second_match_thresh = 0, create(&tc)));
  EXPECT(BAD, "options.unconfirmed_match_thresh",
         (tc = tracker_defaults(), tc.unconfirmed_match_thresh = 7, create(&tc)));
  EXPECT(BAD, "options.frame_rate", (tc = tracker_defaults(), tc.frame_rate = 0, create(&tc)));
  EXPECT(BAD, "options.frame_rate", (tc = tracker_defaults(), tc.frame_rate = -1, create(&tc)));
  EXPECT(BAD, "options.frame_rate", (tc = tracker_defaults(), tc.frame_rate = NAN, create(&tc)));
  EXPECT(BAD, "options.frame_rate", (tc = tracker_defaults(), tc.frame_rate = 1e300, create(&tc)));
  EXPECT(BAD, "options.track_buffer", (tc = tracker_defaults(), tc.track_buffer = -1, create(&tc)));
  EXPECT(BAD, "options.track_buffer", (tc = tracker_defaults(), tc.track_buffer = INT32_MAX, create(&tc)));
  EXPECT(BAD, "options.duplicate_distance", (tc = tracker_defaults(), tc.duplicate_distance = NAN, create(&tc)));
  EXPECT(BAD, "options.proximity_thresh", (tc = tracker_defaults(), tc.proximity_thresh = 1.5, create(&tc)));
  EXPECT(BAD, "options.appearance_thresh", (tc = tracker_defaults(), tc.appearance_thresh = INFINITY, create(&tc)));
  EXPECT(BAD, "options.feature_momentum", (tc = tracker_defaults(), tc.feature_momentum = 1, create(&tc)));
  EXPECT(BAD, "options.feature_momentum", (tc = tracker_defaults(), tc.feature_momentum = NAN, create(&tc)));
  /* updates: the tensors' contents */
  EXPECT(BAD, "tk_tracker_update: tracker is NULL", tk_tracker_update(NULL, &dets_2x5, &out1));
  EXPECT(BAD, "tk_tracker_update: tracks is NULL", tk_tracker_update(a_tracker, &dets_2x5, NULL));
  EXPECT(BAD, "update: detections", update(f32(d7, 2, s14)));
  EXPECT(BAD, "update: detections", update(f32(d7, 2, s17)));
  EXPECT(BAD, "update: detections", update(f32(d7, 1, s5)));
  EXPECT(BAD, "update: detections", update(cpu_tensor_of(d_int, 2, s15, kDLInt, 32)));
  EXPECT(BAD, "detections row 0 contains NaN", update(f32(d_nan, 2, s15)));
  EXPECT(BAD, "detections row 0 contains NaN or infinite", update(f32(d_inf, 2, s15)));
  EXPECT(BAD, "detections row 0 has a coordinate beyond", update(f64(d_huge, 2, s15)));
  EXPECT(BAD, "detections row 0 has a class id beyond", update(f64(d_class, 2, s16)));
  EXPECT(BAD, "detections row 0 has x2 < x1", update(f32(d_flip, 2, s15)));
  EXPECT(BAD, "detections row 0 has a score outside [0,1]", update(f32(d_score, 2, s15)));
  EXPECT(BAD, "tk_tracker_update_warp: tracker is NULL", tk_tracker_update_warp(NULL, &dets_2x5, &warp_2x3, &out1));
  EXPECT(BAD, "tk_tracker_update_warp: tracks is NULL", tk_tracker_update_warp(a_tracker, &dets_2x5, &warp_2x3, NULL));
  EXPECT(BAD, "update: warp", warp(f64(w33, 2, s33)));
  EXPECT(BAD, "update: warp", warp(f64(w_nan, 2, s24)));
  EXPECT(BAD, "update: warp", warp(f64(w_nan, 1, s5)));
  EXPECT(BAD, "update: warp", warp(f64(d_huge, 2, s15)));
  /* tk_tracker_update_ex */
  EXPECT(BAD, "tk_tracker_input_init: input is NULL", tk_tracker_input_init(NULL, sizeof ti));
  EXPECT(BAD, "tk_tracker_input_init: struct_size is 0", tk_tracker_input_init(&ti, 0));
  EXPECT(BAD, "tk_tracker_update_ex: tracker is NULL", (ti = input(), tk_tracker_update_ex(NULL, &ti, &out1)));
  EXPECT(BAD, "tk_tracker_update_ex: tracks is NULL", tk_tracker_update_ex(a_tracker, &ti, NULL));
  EXPECT(BAD, "tk_tracker_update_ex: input is NULL", update_ex(NULL));
  EXPECT(BAD, "tk_tracker_update_ex: input->struct_size is 0", (ti = input(), ti.struct_size = 0, update_ex(&ti)));
  EXPECT(TK_ERR_UNSUPPORTED, "tk_tracker_update_ex: input sets a field at byte",
         (tk_tracker_input_init(&input_big.input, sizeof input_big), input_big.input.detections = &dets_2x5,
          input_big.tail[4] = 1, update_ex(&input_big.input)));
  EXPECT(BAD, "tk_tracker_update_ex: input->detections is NULL", (ti = input(), ti.detections = NULL, update_ex(&ti)));
  EXPECT(BAD, "update: embeddings", (ti = input(), t1 = f32(e5, 2, s15), ti.embeddings = &t1, update_ex(&ti)));
  EXPECT(BAD, "update: embeddings", (ti = input(), t1 = f32(e_nan, 2, s24), ti.embeddings = &t1, update_ex(&ti)));
  EXPECT(BAD, "update: embeddings", (ti = input(), t1 = u8(mask_bytes, 2, s24), ti.embeddings = &t1, update_ex(&ti)));
  EXPECT(BAD, "update: masks", (ti = input(), t1 = u8(mask_bytes, 3, s344), ti.masks = &t1, update_ex(&ti)));
  EXPECT(BAD, "update: masks", (ti = input(), t1 = f32(e5, 3, s155), ti.masks = &t1, update_ex(&ti)));
  EXPECT(BAD, "update: mask_scale", (ti = input(), ti.masks = &masks_2, ti.mask_scale = 0, update_ex(&ti)));
  EXPECT(BAD, "update: mask_scale", (ti = input(), ti.masks = &masks_2, ti.mask_scale = NAN, update_ex(&ti)));
  EXPECT(BAD, "update: mask_scale", (ti = input(), ti.masks = &masks_2, ti.mask_scale = -INFINITY, update_ex(&ti)));
  EXPECT(BAD, "update: masks",
         (ti = input(), t1 = u8(mask_bytes, 3, s288), ti.masks = &t1, update_ex(&ti))); /* a new grid */
  EXPECT(BAD, "tk_tracker_update_ex: input->track_masks is NULL",
         (ti = input(), t1 = cpu_tensor_of(one_id, 1, s1, kDLInt, 64), ti.track_mask_ids = &t1, update_ex(&ti)));
  EXPECT(BAD, "update: track_mask_ids",
         (ti = input(), t1 = f32(track_id_f, 1, s1), t2 = u8(mask_bytes, 3, s344), ti.track_mask_ids = &t1,
          ti.track_masks = &t2, update_ex(&ti)));
  EXPECT(BAD, "update: track_masks",
         (ti = input(), t1 = cpu_tensor_of(one_id, 1, s1, kDLInt, 64), t2 = u8(mask_bytes, 3, s344),
          ti.track_mask_ids = &t1, ti.track_masks = &t2, update_ex(&ti)));
  EXPECT(BAD, "update: warp", (ti = input(), t1 = f64(w33, 2, s33), ti.warp = &t1, update_ex(&ti)));
  EXPECT(BAD, "tk_tracker_events: tracker is NULL", tk_tracker_events(NULL, &out1, &out2));
  EXPECT(BAD, "tk_tracker_reset: tracker is NULL", tk_tracker_reset(NULL));
  EXPECT(TK_OK, "", tk_tracker_events(a_tracker, NULL, NULL)); /* either output may be NULL */
  /* banks */
  EXPECT(BAD, "tk_tracker_bank_create: bank is NULL", (tc = tracker_defaults(), tk_tracker_bank_create(&tc, 2, NULL)));
  EXPECT(BAD, "tk_tracker_bank_create: config is NULL", tk_tracker_bank_create(NULL, 2, &made_bank));
  EXPECT(BAD, "TrackerBank: streams", tk_tracker_bank_create(&tc, 0, &made_bank));
  EXPECT(BAD, "TrackerBank: streams", tk_tracker_bank_create(&tc, -3, &made_bank));
  EXPECT(TK_ERR_OUT_OF_MEMORY, "tk_tracker_bank_create: out of host memory",
         tk_tracker_bank_create(&tc, INT64_MAX, &made_bank));
  EXPECT(BAD, "options.frame_rate", (tc.frame_rate = NAN, tk_tracker_bank_create(&tc, 2, &made_bank)));
  EXPECT(BAD, "tk_tracker_bank_update: bank is NULL", tk_tracker_bank_update(NULL, &dets_2x5, &out1));
  EXPECT(BAD, "tk_tracker_bank_update: tracks is NULL", tk_tracker_bank_update(a_bank, &dets_2x5, NULL));
  EXPECT(BAD, "update: detections", bank(dets_2x5)); /* [N,5]: no stream column */
  EXPECT(BAD, "detections row 0 has stream 2", bank(f32(bank_s2, 2, s16)));
  EXPECT(BAD, "detections row 0 has stream -1", bank(f32(bank_neg, 2, s16)));
  EXPECT(BAD, "detections row 0 has stream 0.5", bank(f32(bank_half, 2, s16)));
  EXPECT(BAD, "detections row 0 contains NaN", bank(f32(bank_nan, 2, s16)));
  EXPECT(TK_OK, "", bank(f32(bank_row, 2, s16)));
  EXPECT(BAD, "tk_tracker_bank_reset: bank is NULL", tk_tracker_bank_reset(NULL, 0));
  EXPECT(BAD, "reset: stream", tk_tracker_bank_reset(a_bank, -1));
  EXPECT(BAD, "reset: stream", tk_tracker_bank_reset(a_bank, 2));
  EXPECT(BAD, "reset: stream", tk_tracker_bank_reset(a_bank, INT64_MIN));
  EXPECT_VOID(tk_tracker_destroy(NULL));
  EXPECT_VOID(tk_tracker_bank_destroy(NULL));
}
