/* The DLPack checks every tensor argument of every entry point goes through: a table of the arguments (each with a
 * call that passes a tensor in its place, every other argument valid) times a table of ways to spoil a valid tensor.
 * The first case of each argument passes the valid tensor, so a failure of the others is the spoiled field's. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "test_capi_bad_input.h"

static float nms_boxes_data[12] = {0, 0, 10, 10, 1, 1, 11, 11, 50, 50, 60, 60};
static float nms_scores_data[6] = {0.9f, 0.1f, 0.8f, 0.2f, 0.1f, 0.7f};
static float bank_data[12] = {0, 10, 10, 50, 50, 0.9f, 1, 60, 60, 100, 100, 0.8f};
static float batch_dets_data[10] = {0, 2, 2, 8, 8, 1, 3, 3, 9, 9};
static float gmc_dets_data[8] = {2, 2, 8, 8, 3, 3, 9, 9};
static int64_t track_ids_data[1] = {1};
static int64_t s134[3] = {1, 3, 4}, s132[3] = {1, 3, 2}, s26[2] = {2, 6}, s25[2] = {2, 5};
static int64_t s144[3] = {1, 4, 4}, s1[1] = {1}, s24[2] = {2, 4};
static DLTensor nms_boxes, nms_scores, bank_dets, batch_dets, gmc_dets, embed_2x4, track_masks, track_ids, mask_1;

static tk_status box_iou_1(const DLTensor* t) { return tk_box_iou(t, &boxes_2x4, NULL, &out1); }
static tk_status box_iou_2(const DLTensor* t) { return tk_box_iou(&boxes_2x4, t, NULL, &out1); }
static tk_status convert(const DLTensor* t) { return tk_convert_boxes(t, TK_BOX_XYXY, TK_BOX_XYWH, NULL, &out1); }
static tk_status nms_config(tk_nms_config* c) { return tk_nms_config_init(c, sizeof *c); }
static tk_status nms_1(const DLTensor* t) {
  tk_nms_config c;
  nms_config(&c);
  return tk_batched_nms(t, &nms_scores, &c, NULL, &out1, &out2);
}
static tk_status nms_2(const DLTensor* t) {
  tk_nms_config c;
  nms_config(&c);
  return tk_batched_nms(&nms_boxes, t, &c, NULL, &out1, &out2);
}
static tk_status update(const DLTensor* t) { return tk_tracker_update(a_tracker, t, &out1); }
static tk_status update_warp_d(const DLTensor* t) { return tk_tracker_update_warp(a_tracker, t, &warp_2x3, &out1); }
static tk_status update_warp_w(const DLTensor* t) { return tk_tracker_update_warp(a_tracker, &dets_2x5, t, &out1); }
/* tk_tracker_update_ex with `t` in the field at `field` of an input whose detections are valid. */
static tk_status update_ex(const DLTensor* t, size_t field) {
  tk_tracker_input in;
  tk_tracker_input_init(&in, sizeof in);
  in.detections = &dets_2x5;
  if (field == offsetof(tk_tracker_input, track_masks)) in.track_mask_ids = &track_ids;
  if (field == offsetof(tk_tracker_input, track_mask_ids)) in.track_masks = &track_masks;
  memcpy((char*)&in + field, &t, sizeof t);
  return tk_tracker_update_ex(a_tracker, &in, &out1);
}
static tk_status ex_dets(const DLTensor* t) { return update_ex(t, offsetof(tk_tracker_input, detections)); }
static tk_status ex_embed(const DLTensor* t) { return update_ex(t, offsetof(tk_tracker_input, embeddings)); }
static tk_status ex_masks(const DLTensor* t) { return update_ex(t, offsetof(tk_tracker_input, masks)); }
static tk_status ex_tmasks(const DLTensor* t) { return update_ex(t, offsetof(tk_tracker_input, track_masks)); }
static tk_status ex_tids(const DLTensor* t) { return update_ex(t, offsetof(tk_tracker_input, track_mask_ids)); }
static tk_status ex_warp(const DLTensor* t) { return update_ex(t, offsetof(tk_tracker_input, warp)); }
static tk_status bank(const DLTensor* t) { return tk_tracker_bank_update(a_bank, t, &out1); }
static tk_status apply_f(const DLTensor* t) { return tk_gmc_apply(a_gmc, t, &gmc_dets, &out1, NULL); }
static tk_status apply_d(const DLTensor* t) { return tk_gmc_apply(a_gmc, &frame_16, t, &out1, NULL); }
static tk_status batch_f(const DLTensor* t) { return tk_gmc_apply_batch(a_gmc, t, &batch_dets, &out1, &out2); }
static tk_status batch_d(const DLTensor* t) { return tk_gmc_apply_batch(a_gmc, &frames_16, t, &out1, &out2); }
static tk_status est_f(const DLTensor* t) { return tk_gmc_estimate(a_gmc, t, &frame_16, &batch_dets, &out1, &out2); }
static tk_status est_p(const DLTensor* t) { return tk_gmc_estimate(a_gmc, &frames_16, t, &batch_dets, &out1, &out2); }
static tk_status est_d(const DLTensor* t) { return tk_gmc_estimate(a_gmc, &frames_16, &frame_16, t, &out1, &out2); }
static tk_status project(const DLTensor* t) { return tk_e2p_project(a_e2p, t, &out1); }
static tk_status into_f(const DLTensor* t) { return tk_e2p_project_into(a_e2p, t, &e2p_out); }
static tk_status into_o(const DLTensor* t) { return tk_e2p_project_into(a_e2p, &equirect, t); }
static tk_status rle(const DLTensor* t) { return tk_rle_encode(t, NULL, &out1, &out2); }
static tk_status iou_a(const DLTensor* t) { return tk_mask_iou(t, &mask_1, NULL, &out1); }
static tk_status iou_b(const DLTensor* t) { return tk_mask_iou(&masks_2, t, NULL, &out1); }
static tk_status cluster(const DLTensor* t) {
  tk_cluster_config c;
  tk_cluster_config_init(&c, sizeof c);
  return tk_cluster_embeddings(t, &c, NULL, &out1);
}
static double purity, rand_index;
static tk_status score_l(const DLTensor* t) { return tk_score_clusters(t, &labels_3, &purity, &rand_index); }
static tk_status score_t(const DLTensor* t) { return tk_score_clusters(&labels_3, t, &purity, &rand_index); }
static tk_status write_rows(const DLTensor* t) { return tk_mot_write_results(bad_path("results.txt"), t, 3); }
static tk_status add_gt(const DLTensor* t) { return tk_mot_evaluator_add(an_evaluator, t, &mot_res, 0, NULL); }
static tk_status add_res(const DLTensor* t) { return tk_mot_evaluator_add(an_evaluator, &mot_gt, t, 0, NULL); }

typedef struct tensor_argument {
  const char* function;
  const char* argument;
  tk_status (*call)(const DLTensor*);
  const DLTensor* valid;
  int optional;             /* NULL is accepted (an absent input) */
  tk_status reversed_rows;  /* a negative stride (a legal view): TK_OK for inputs, an error for `out` */
  tk_status broadcast_rows; /* a zero stride (legal too): an error where rows must differ (MOT ids) */
} tensor_argument;

/* The ways to spoil a tensor; `t` has its own shape array (copied from the valid one), strides NULL. */
typedef struct spoil {
  const char* what;
  tk_status expected;
  void (*apply)(DLTensor* t);
} spoil;

static void ndim_negative(DLTensor* t) { t->ndim = -1; }
static void ndim_17(DLTensor* t) { t->ndim = 17; }
static void shape_null(DLTensor* t) { t->shape = NULL; }
static void size_negative(DLTensor* t) { t->shape[0] = -1; }
static void size_overflow(DLTensor* t) { /* the element count (or its bytes) beyond int64 */
  t->shape[0] = INT64_MAX / 2;
  if (t->ndim > 1) t->shape[1] = 8;
}
static void lanes_2(DLTensor* t) { t->dtype.lanes = 2; }
static void code_unknown(DLTensor* t) { t->dtype.code = 99; }
static void data_null(DLTensor* t) { t->data = NULL; }
static void misaligned(DLTensor* t) { t->byte_offset = 1; }
static int64_t stride_buffer[16];
static void compact_strides(DLTensor* t) {
  int64_t step = 1;
  int32_t d;
  t->strides = stride_buffer;
  for (d = t->ndim - 1; d >= 0; --d) t->strides[d] = step, step *= t->shape[d];
}
/* A stride whose byte extent overflows int64, on the first dimension of size > 1 (a huge stride on a dimension of
 * size 1 is never used, and a smaller huge stride is legal: DLPack cannot tell how much memory the caller owns). */
static int32_t first_long_dim(const DLTensor* t) {
  int32_t d = 0;
  while (d + 1 < t->ndim && t->shape[d] < 2) ++d;
  return d;
}
static void stride_huge(DLTensor* t) {
  compact_strides(t);
  t->strides[first_long_dim(t)] = INT64_MAX;
}
static void stride_min(DLTensor* t) {
  compact_strides(t);
  t->strides[0] = INT64_MIN;
}
static void opencl(DLTensor* t) { t->device.device_type = kDLOpenCL; }
static void cuda_99(DLTensor* t) { t->device.device_type = kDLCUDA, t->device.device_id = 99; }
static void broadcast(DLTensor* t) { /* a zero stride: every row the first one (legal in DLPack) */
  compact_strides(t);
  t->strides[first_long_dim(t)] = 0;
}
static void device_unknown(DLTensor* t) { t->device.device_type = (DLDeviceType)12345; }
static void reversed(DLTensor* t) { /* numpy's a[::-1] on the first dimension of size > 1: data at its last row */
  const int32_t d = first_long_dim(t);
  compact_strides(t);
  t->data = (char*)t->data + (t->shape[d] - 1) * t->strides[d] * (t->dtype.bits / 8);
  t->strides[d] = -t->strides[d];
}

static const spoil spoils[] = {
    {"ndim -1", TK_ERR_INVALID_ARGUMENT, ndim_negative},
    {"ndim 17", TK_ERR_INVALID_ARGUMENT, ndim_17},
    {"shape NULL", TK_ERR_INVALID_ARGUMENT, shape_null},
    {"a negative size", TK_ERR_INVALID_ARGUMENT, size_negative},
    {"an element count beyond int64", TK_ERR_INVALID_ARGUMENT, size_overflow},
    {"dtype lanes 2", TK_ERR_INVALID_ARGUMENT, lanes_2},
    {"dtype code 99", TK_ERR_INVALID_ARGUMENT, code_unknown},
    {"data NULL", TK_ERR_INVALID_ARGUMENT, data_null},
    {"byte_offset 1 (misaligned)", TK_ERR_INVALID_ARGUMENT, misaligned},
    {"a stride of INT64_MAX", TK_ERR_INVALID_ARGUMENT, stride_huge},
    {"a stride of INT64_MIN", TK_ERR_INVALID_ARGUMENT, stride_min},
    {"an OpenCL device", TK_ERR_DEVICE, opencl},
    {"CUDA device 99", EXPECT_DEVICE_OR_UNSUPPORTED, cuda_99},
    {"device type 12345", TK_ERR_DEVICE, device_unknown},
    {"reversed rows (negative stride)", TK_OK, reversed},
    {"broadcast rows (zero stride)", TK_OK, broadcast},
};

static void run_argument(const tensor_argument* a) {
  char name[160], message[128];
  size_t i;
  snprintf(message, sizeof message, "%s: %s", a->function, a->argument);
  snprintf(name, sizeof name, "%s(%s: valid)", a->function, a->argument);
  bad_case_begin(name);
  bad_case_end(a->call(a->valid), TK_OK, "");
  snprintf(name, sizeof name, "%s(%s: NULL)", a->function, a->argument);
  bad_case_begin(name);
  bad_case_end(a->call(NULL), a->optional ? TK_OK : TK_ERR_INVALID_ARGUMENT, a->optional ? "" : message);
  for (i = 0; i < sizeof spoils / sizeof spoils[0]; ++i) {
    const spoil* s = &spoils[i];
    int64_t shape[16];
    DLTensor t = *a->valid;
    tk_status expected = s->apply == reversed    ? a->reversed_rows
                         : s->apply == broadcast ? a->broadcast_rows
                                                 : s->expected;
    if (s->apply == misaligned && t.dtype.bits == 8) continue; /* one-byte elements cannot be misaligned */
    memcpy(shape, t.shape, sizeof shape[0] * (size_t)t.ndim);
    t.shape = shape;
    if (s->apply == stride_huge && shape[first_long_dim(&t)] < 2) continue; /* one element: no stride is used */
    t.strides = NULL;
    s->apply(&t);
    snprintf(name, sizeof name, "%s(%s: %s)", a->function, a->argument, s->what);
    bad_case_begin(name);
    bad_case_end(a->call(&t), expected, expected == TK_OK ? "" : message);
  }
}

void generic_tensor_cases(void) {
  const tensor_argument arguments[] = {
      {"tk_box_iou", "boxes1", box_iou_1, &boxes_2x4, 0, TK_OK, TK_OK},
      {"tk_box_iou", "boxes2", box_iou_2, &boxes_2x4, 0, TK_OK, TK_OK},
      {"tk_convert_boxes", "boxes", convert, &boxes_2x4, 0, TK_OK, TK_OK},
      {"tk_batched_nms", "boxes", nms_1, &nms_boxes, 0, TK_OK, TK_OK},
      {"tk_batched_nms", "scores", nms_2, &nms_scores, 0, TK_OK, TK_OK},
      {"tk_tracker_update", "detections", update, &dets_2x5, 0, TK_OK, TK_OK},
      {"tk_tracker_update_warp", "detections", update_warp_d, &dets_2x5, 0, TK_OK, TK_OK},
      {"tk_tracker_update_warp", "warp", update_warp_w, &warp_2x3, 0, TK_OK, TK_OK},
      {"tk_tracker_update_ex", "input->detections", ex_dets, &dets_2x5, 0, TK_OK, TK_OK},
      {"tk_tracker_update_ex", "input->embeddings", ex_embed, &embed_2x4, 1, TK_OK, TK_OK},
      {"tk_tracker_update_ex", "input->masks", ex_masks, &masks_2, 1, TK_OK, TK_OK},
      {"tk_tracker_update_ex", "input->track_masks", ex_tmasks, &track_masks, 0, TK_OK, TK_OK},
      {"tk_tracker_update_ex", "input->track_mask_ids", ex_tids, &track_ids, 0, TK_OK, TK_OK},
      {"tk_tracker_update_ex", "input->warp", ex_warp, &warp_2x3, 1, TK_OK, TK_OK},
      {"tk_tracker_bank_update", "detections", bank, &bank_dets, 0, TK_OK, TK_OK},
      {"tk_gmc_apply", "frame", apply_f, &frame_16, 0, TK_OK, TK_OK},
      {"tk_gmc_apply", "detections", apply_d, &gmc_dets, 1, TK_OK, TK_OK},
      {"tk_gmc_apply_batch", "frames", batch_f, &frames_16, 0, TK_OK, TK_OK},
      {"tk_gmc_apply_batch", "detections", batch_d, &batch_dets, 1, TK_OK, TK_OK},
      {"tk_gmc_estimate", "frames", est_f, &frames_16, 0, TK_OK, TK_OK},
      {"tk_gmc_estimate", "previous", est_p, &frame_16, 1, TK_OK, TK_OK},
      {"tk_gmc_estimate", "detections", est_d, &batch_dets, 1, TK_OK, TK_OK},
      {"tk_e2p_project", "frames", project, &equirect, 0, TK_OK, TK_OK},
      {"tk_e2p_project_into", "frames", into_f, &equirect, 0, TK_OK, TK_OK},
      {"tk_e2p_project_into", "out", into_o, &e2p_out, 0, TK_ERR_INVALID_ARGUMENT, TK_ERR_INVALID_ARGUMENT},
      {"tk_rle_encode", "masks", rle, &masks_2, 0, TK_OK, TK_OK},
      {"tk_mask_iou", "a", iou_a, &masks_2, 0, TK_OK, TK_OK},
      {"tk_mask_iou", "b", iou_b, &mask_1, 0, TK_OK, TK_OK},
      {"tk_cluster_embeddings", "embeddings", cluster, &embed_3x4, 0, TK_OK, TK_OK},
      {"tk_score_clusters", "labels", score_l, &labels_3, 0, TK_OK, TK_OK},
      {"tk_score_clusters", "truth", score_t, &labels_3, 0, TK_OK, TK_OK},
      {"tk_mot_write_results", "rows", write_rows, &mot_res, 0, TK_OK, TK_OK},
      {"tk_mot_evaluator_add", "gt", add_gt, &mot_gt, 0, TK_OK, TK_ERR_INVALID_ARGUMENT},
      {"tk_mot_evaluator_add", "results", add_res, &mot_res, 0, TK_OK, TK_ERR_INVALID_ARGUMENT},
  };
  size_t i;
  nms_boxes = cpu_tensor_of(nms_boxes_data, 3, s134, kDLFloat, 32);
  nms_scores = cpu_tensor_of(nms_scores_data, 3, s132, kDLFloat, 32);
  bank_dets = cpu_tensor_of(bank_data, 2, s26, kDLFloat, 32);
  batch_dets = cpu_tensor_of(batch_dets_data, 2, s25, kDLFloat, 32);
  gmc_dets = cpu_tensor_of(gmc_dets_data, 2, s24, kDLFloat, 32);
  embed_2x4 = cpu_tensor_of(embed_3x4.data, 2, s24, kDLFloat, 32);
  track_masks = cpu_tensor_of(masks_2.data, 3, s144, kDLUInt, 8);
  track_ids = cpu_tensor_of(track_ids_data, 1, s1, kDLInt, 64);
  mask_1 = cpu_tensor_of(masks_2.data, 3, s144, kDLUInt, 8);
  for (i = 0; i < sizeof arguments / sizeof arguments[0]; ++i) run_argument(&arguments[i]);
}
