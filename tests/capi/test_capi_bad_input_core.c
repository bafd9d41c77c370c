/* Bad input of c/core.h: box IoU and conversion, batched NMS and its config, logging, status names. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "test_capi_bad_input.h"

#define BAD TK_ERR_INVALID_ARGUMENT

static float box3[6] = {0, 0, 10, 10, 5, 5}, box_nan[4] = {0, NAN, 10, 10}, box_inf[4] = {0, 0, INFINITY, 10};
static double box_huge[4] = {-1e300, -1e300, 1e300, 1e300}, flat_box[4] = {0, 5, 10, 5};
static int32_t box_int[8] = {0, 0, 10, 10, 5, 5, 15, 15};
static float boxes16[16] = {0, 0, 10, 10, 5, 5, 15, 15, 0, 0, 10, 10, 5, 5, 15, 15};
static int64_t s23[2] = {2, 3}, s14[2] = {1, 4}, s24[2] = {2, 4}, s124[3] = {1, 2, 4}, s224[3] = {2, 2, 4};
static int64_t s4[1] = {4};

static DLTensor f32(void* data, int32_t ndim, int64_t* shape) { return cpu_tensor_of(data, ndim, shape, kDLFloat, 32); }
static DLTensor f64(void* data, int32_t ndim, int64_t* shape) { return cpu_tensor_of(data, ndim, shape, kDLFloat, 64); }

static tk_status iou(DLTensor a, DLTensor b) { return tk_box_iou(&a, &b, NULL, &out1); }
static tk_status convert(DLTensor t, tk_box_format from, tk_box_format to) {
  return tk_convert_boxes(&t, from, to, NULL, &out1);
}
/* An out-of-range enum value as a C caller may pass it (C enums are ints). */
static tk_box_format format_of(int value) {
  tk_box_format f;
  memcpy(&f, &value, sizeof f);
  return f;
}

/* NMS inputs: 1 image, 3 anchors, 2 classes. */
static float nms_boxes[12] = {0, 0, 10, 10, 1, 1, 11, 11, 50, 50, 60, 60};
static float nms_scores[6] = {0.9f, 0.1f, 0.8f, 0.2f, 0.1f, 0.7f};
static double nms_scores64[6] = {0.9, 0.1, 0.8, 0.2, 0.1, 0.7};
static int64_t s134[3] = {1, 3, 4}, s132[3] = {1, 3, 2}, s232[3] = {2, 3, 2}, s133[3] = {1, 3, 3}, s130[3] = {1, 3, 0};
static int64_t classes[2] = {0, 5};
static tk_nms_config nc;
static struct {
  tk_nms_config config;
  unsigned char tail[16];
} nms_big;

static tk_nms_config nms_defaults(void) {
  tk_nms_config c;
  tk_nms_config_init(&c, sizeof c);
  return c;
}
static tk_status nms(const tk_nms_config* c) {
  DLTensor b = f32(nms_boxes, 3, s134), s = f32(nms_scores, 3, s132);
  return tk_batched_nms(&b, &s, c, NULL, &out1, &out2);
}
static tk_status nms_with(DLTensor b, DLTensor s) {
  tk_nms_config c = nms_defaults();
  return tk_batched_nms(&b, &s, &c, NULL, &out1, &out2);
}

static tk_log_config lc;
static struct {
  tk_log_config config;
  unsigned char tail[8];
} log_big;
static tk_log_config log_defaults(void) {
  tk_log_config c;
  tk_log_config_init(&c, sizeof c);
  return c;
}
static tk_log_level level_of(int value) {
  tk_log_level l;
  memcpy(&l, &value, sizeof l);
  return l;
}

void core_cases(void) {
  /* box IoU */
  EXPECT(BAD, "tk_box_iou: iou is NULL", tk_box_iou(&boxes_2x4, &boxes_2x4, NULL, NULL));
  EXPECT(BAD, "box_iou: boxes1", iou(f32(box3, 2, s23), boxes_2x4));
  EXPECT(BAD, "box_iou: boxes2", iou(boxes_2x4, f32(box3, 2, s23)));
  EXPECT(BAD, "box_iou: boxes1", iou(f32(box3, 1, s4), boxes_2x4));
  EXPECT(BAD, "box_iou: boxes1", iou(cpu_tensor_of(box_int, 2, s24, kDLInt, 32), boxes_2x4));
  EXPECT(BAD, "box_iou: boxes2", iou(boxes_2x4, cpu_tensor_of(box_int, 2, s24, kDLInt, 32)));
  EXPECT(BAD, "box_iou: boxes2", iou(f32(boxes16, 3, s124), f32(boxes16, 3, s224))); /* batch 1 vs 2 */
  EXPECT(BAD, "box_iou: boxes2", iou(f32(boxes16, 3, s124), boxes_2x4));             /* batched vs not */
  EXPECT(BAD, "box_iou: boxes1", iou(f32(box_nan, 2, s14), boxes_2x4));
  EXPECT(BAD, "box_iou: boxes2", iou(boxes_2x4, f32(box_inf, 2, s14)));
  EXPECT(TK_OK, "", iou(f64(box_huge, 2, s14), f64(box_huge, 2, s14))); /* 1e300 is finite: IoU 1 in float64 */
  /* conversion */
  EXPECT(BAD, "tk_convert_boxes: out is NULL", tk_convert_boxes(&boxes_2x4, TK_BOX_XYXY, TK_BOX_XYWH, NULL, NULL));
  EXPECT(BAD, "tk_convert_boxes: from", convert(boxes_2x4, format_of(4), TK_BOX_XYWH));
  EXPECT(BAD, "tk_convert_boxes: from", convert(boxes_2x4, format_of(-1), TK_BOX_XYWH));
  EXPECT(BAD, "tk_convert_boxes: to", convert(boxes_2x4, TK_BOX_XYXY, format_of(99)));
  EXPECT(BAD, "tk_convert_boxes: to", convert(boxes_2x4, TK_BOX_XYXY, format_of(INT32_MIN)));
  EXPECT(BAD, "convert_boxes: boxes", convert(f32(box3, 2, s23), TK_BOX_XYXY, TK_BOX_XYWH));
  EXPECT(BAD, "convert_boxes: boxes", convert(cpu_tensor_of(box_int, 2, s24, kDLInt, 32), TK_BOX_XYXY, TK_BOX_XYWH));
  EXPECT(BAD, "convert_boxes: boxes row 0 has zero height", convert(f64(flat_box, 2, s14), TK_BOX_XYXY, TK_BOX_CXCYAH));
  /* NMS config */
  EXPECT(BAD, "tk_nms_config_init: config is NULL", tk_nms_config_init(NULL, sizeof nc));
  EXPECT(BAD, "tk_nms_config_init: struct_size is 0", tk_nms_config_init(&nc, 0));
  EXPECT(BAD, "tk_nms_config_init: struct_size is 8", tk_nms_config_init(&nc, 8));
  EXPECT(TK_OK, "", tk_nms_config_init(&nms_big.config, sizeof nms_big)); /* a newer caller: zeros past ours */
  /* NMS */
  EXPECT(BAD, "tk_batched_nms: detections is NULL", tk_batched_nms(&boxes_2x4, &boxes_2x4, &nc, NULL, NULL, &out2));
  EXPECT(BAD, "tk_batched_nms: counts is NULL", tk_batched_nms(&boxes_2x4, &boxes_2x4, &nc, NULL, &out1, NULL));
  EXPECT(BAD, "tk_batched_nms: config is NULL", nms(NULL));
  EXPECT(BAD, "tk_batched_nms: config->struct_size is 0", (nc = nms_defaults(), nc.struct_size = 0, nms(&nc)));
  EXPECT(BAD, "tk_batched_nms: config->struct_size is 8", (nc = nms_defaults(), nc.struct_size = 8, nms(&nc)));
  EXPECT(TK_ERR_UNSUPPORTED, "tk_batched_nms: config sets a field at byte",
         (tk_nms_config_init(&nms_big.config, sizeof nms_big), nms_big.tail[5] = 1, nms(&nms_big.config)));
  EXPECT(BAD, "options.conf_threshold", (nc = nms_defaults(), nc.conf_threshold = NAN, nms(&nc)));
  EXPECT(BAD, "options.conf_threshold", (nc = nms_defaults(), nc.conf_threshold = -0.5, nms(&nc)));
  EXPECT(BAD, "options.iou_threshold", (nc = nms_defaults(), nc.iou_threshold = 1.5, nms(&nc)));
  EXPECT(BAD, "options.iou_threshold", (nc = nms_defaults(), nc.iou_threshold = INFINITY, nms(&nc)));
  EXPECT(BAD, "options.class_offset", (nc = nms_defaults(), nc.class_offset = -1, nms(&nc)));
  EXPECT(BAD, "options.class_offset", (nc = nms_defaults(), nc.class_offset = INFINITY, nms(&nc)));
  EXPECT(BAD, "options.class_offset", (nc = nms_defaults(), nc.class_offset = NAN, nms(&nc)));
  EXPECT(BAD, "options.max_candidates", (nc = nms_defaults(), nc.max_candidates = 0, nms(&nc)));
  EXPECT(BAD, "options.max_detections", (nc = nms_defaults(), nc.max_detections = -1, nms(&nc)));
  EXPECT(TK_ERR_OUT_OF_MEMORY, "tk_batched_nms", (nc = nms_defaults(), nc.max_detections = INT64_C(1) << 50, nms(&nc)));
  EXPECT(BAD, "config->num_classes", (nc = nms_defaults(), nc.num_classes = -1, nms(&nc)));
  EXPECT(BAD, "config->classes is NULL", (nc = nms_defaults(), nc.num_classes = 2, nms(&nc)));
  EXPECT(BAD, "classes[1]", (nc = nms_defaults(), nc.classes = classes, nc.num_classes = 2, nms(&nc)));
  EXPECT(BAD, "batched_nms: boxes", nms_with(f32(nms_boxes, 2, s14), f32(nms_scores, 3, s132)));
  EXPECT(BAD, "batched_nms: boxes", nms_with(f32(nms_boxes, 3, s133), f32(nms_scores, 3, s132)));
  EXPECT(BAD, "batched_nms: scores", nms_with(f32(nms_boxes, 3, s134), f32(nms_scores, 3, s232)));
  EXPECT(BAD, "batched_nms: scores", nms_with(f32(nms_boxes, 3, s134), f32(nms_scores, 3, s130)));
  EXPECT(BAD, "batched_nms: scores", nms_with(f32(nms_boxes, 3, s134), f64(nms_scores64, 3, s132)));
  EXPECT(BAD, "batched_nms: boxes",
         nms_with(cpu_tensor_of(box_int, 3, s124, kDLInt, 32), cpu_tensor_of(box_int, 3, s124, kDLInt, 32)));
  /* logging */
  EXPECT(BAD, "tk_log_config_init: config is NULL", tk_log_config_init(NULL, sizeof lc));
  EXPECT(BAD, "tk_log_config_init: struct_size is 0", tk_log_config_init(&lc, 0));
  EXPECT(BAD, "tk_log_config_init: struct_size is 4", tk_log_config_init(&lc, 4));
  EXPECT(BAD, "tk_set_log_config: config is NULL", tk_set_log_config(NULL));
  EXPECT(BAD, "tk_set_log_config: config->struct_size is 0",
         (lc = log_defaults(), lc.struct_size = 0, tk_set_log_config(&lc)));
  EXPECT(BAD, "tk_set_log_config: config->level",
         (lc = log_defaults(), lc.level = level_of(6), tk_set_log_config(&lc)));
  EXPECT(BAD, "tk_set_log_config: config->level",
         (lc = log_defaults(), lc.level = level_of(-1), tk_set_log_config(&lc)));
  EXPECT(
      TK_ERR_UNSUPPORTED, "tk_set_log_config: config sets a field at byte",
      (tk_log_config_init(&log_big.config, sizeof log_big), log_big.tail[0] = 1, tk_set_log_config(&log_big.config)));
  /* names of values out of range are the "unknown" text, never a crash */
  EXPECT(TK_OK, NULL, strcmp(tk_status_name((tk_status)99), "unknown status") == 0 ? TK_OK : BAD);
  EXPECT(TK_OK, NULL, strcmp(tk_status_name((tk_status)-5), "unknown status") == 0 ? TK_OK : BAD);
  EXPECT_VOID(tk_tensor_free(NULL));
  EXPECT_VOID(tk_version_numbers(NULL, NULL, NULL)); /* any output may be NULL */
  EXPECT_VOID(tk_abi_version(NULL, NULL));
  EXPECT_VOID(tk_dlpack_version(NULL, NULL));
}
