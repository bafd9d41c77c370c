/* Bad input of the mask, RLE and clustering functions (c/segmenter.h, c/embedder.h) and of c/mot.h (files, rows,
 * the evaluator). */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "test_capi_bad_input.h"

#define BAD TK_ERR_INVALID_ARGUMENT

static uint8_t bytes[2 * 8 * 8];
static float floats[2 * 4 * 4], zero_row[8] = {1, 0, 0, 0, 0, 0, 0, 0}, nan_row[8] = {1, 0, 0, 0, NAN, 0, 0, 0};
static int64_t s244[3] = {2, 4, 4}, s288[3] = {2, 8, 8}, s44[2] = {4, 4}, s24[2] = {2, 4}, s8[1] = {8};
static int64_t s2[1] = {2}, s32[2] = {3, 2}, counts_ok[3] = {3, 2, 11}, counts_negative[2] = {4, -1};
static int64_t counts_huge[2] = {1, INT64_C(1) << 40};
static char text[64];
static size_t length;
static double purity, rand_index;

static DLTensor u8(int32_t ndim, int64_t* shape) { return cpu_tensor_of(bytes, ndim, shape, kDLUInt, 8); }
static DLTensor f32(void* data, int32_t ndim, int64_t* shape) { return cpu_tensor_of(data, ndim, shape, kDLFloat, 32); }
static tk_status rle(DLTensor m) { return tk_rle_encode(&m, NULL, &out1, &out2); }
static tk_status mask_iou(DLTensor a, DLTensor b) { return tk_mask_iou(&a, &b, NULL, &out1); }
static tk_cluster_config cc;
static struct {
  tk_cluster_config config;
  unsigned char tail[8];
} cluster_big;
static tk_cluster_config cluster_defaults(void) {
  tk_cluster_config c;
  tk_cluster_config_init(&c, sizeof c);
  return c;
}
static tk_status cluster(const tk_cluster_config* c) { return tk_cluster_embeddings(&embed_3x4, c, NULL, &out1); }
static tk_status cluster_of(DLTensor e) {
  tk_cluster_config c = cluster_defaults();
  return tk_cluster_embeddings(&e, &c, NULL, &out1);
}
static tk_status score(DLTensor labels, DLTensor truth) {
  return tk_score_clusters(&labels, &truth, &purity, &rand_index);
}

void mask_and_cluster_cases(void) {
  EXPECT(BAD, "tk_rle_encode: counts is NULL", tk_rle_encode(&masks_2, NULL, NULL, &out2));
  EXPECT(BAD, "tk_rle_encode: offsets is NULL", tk_rle_encode(&masks_2, NULL, &out1, NULL));
  EXPECT(BAD, "rle_encode: masks", rle(u8(2, s44)));
  EXPECT(BAD, "rle_encode: masks", rle(f32(floats, 3, s244)));
  EXPECT(BAD, "tk_rle_to_string: length is NULL", tk_rle_to_string(counts_ok, 3, text, sizeof text, NULL));
  EXPECT(BAD, "tk_rle_to_string: counts is NULL", tk_rle_to_string(NULL, 3, text, sizeof text, &length));
  EXPECT(BAD, "tk_rle_to_string: num_counts", tk_rle_to_string(counts_ok, -1, text, sizeof text, &length));
  EXPECT(BAD, "tk_rle_to_string: counts[1] is -1", tk_rle_to_string(counts_negative, 2, text, sizeof text, &length));
  EXPECT(BAD, "tk_rle_to_string: counts[1]", tk_rle_to_string(counts_huge, 2, text, sizeof text, &length));
  EXPECT(BAD, "tk_rle_to_string: capacity is 0", tk_rle_to_string(counts_ok, 3, NULL, 0, &length));
  EXPECT(BAD, "tk_rle_to_string: capacity is 2", tk_rle_to_string(counts_ok, 3, text, 2, &length));
  EXPECT(BAD, "tk_rle_decode_string: counts is NULL", tk_rle_decode_string(NULL, 4, 4, &out1));
  EXPECT(BAD, "tk_rle_decode_string: mask is NULL", tk_rle_decode_string("52", 4, 4, NULL));
  EXPECT(BAD, "tk_rle_decode_string: height", tk_rle_decode_string("52", -4, 4, &out1));
  EXPECT(BAD, "tk_rle_decode_string: width", tk_rle_decode_string("52", 4, -1, &out1));
  EXPECT(BAD, "tk_rle_decode_string: height", tk_rle_decode_string("0", INT64_C(1) << 40, INT64_C(1) << 40, &out1));
  EXPECT(BAD, "counts is not a COCO RLE string", tk_rle_decode_string("\x7f!", 4, 4, &out1));
  EXPECT(BAD, "counts is not a COCO RLE string", tk_rle_decode_string("o", 4, 4, &out1)); /* "more" and no end */
  EXPECT(BAD, "counts is not a COCO RLE string", tk_rle_decode_string("ooooooooooooooooooooo", 4, 4, &out1));
  EXPECT(BAD, "rle_decode: rles[0] counts add up to 7",
         tk_rle_decode_string("52", 4, 4, &out1)); /* runs of 5 and 2: not 16 pixels */
  EXPECT(BAD, "counts decodes to a run of", tk_rle_decode_string("_O1", 4, 4, &out1));
  EXPECT(BAD, "tk_mask_iou: iou is NULL", tk_mask_iou(&masks_2, &masks_2, NULL, NULL));
  EXPECT(BAD, "mask_iou: b", mask_iou(masks_2, u8(3, s288)));
  EXPECT(BAD, "mask_iou: a", mask_iou(u8(2, s44), masks_2));
  EXPECT(BAD, "mask_iou: a", mask_iou(f32(floats, 3, s244), masks_2));
  /* clustering */
  EXPECT(BAD, "tk_cluster_config_init: config is NULL", tk_cluster_config_init(NULL, sizeof cc));
  EXPECT(BAD, "tk_cluster_config_init: struct_size is 0", tk_cluster_config_init(&cc, 0));
  EXPECT(BAD, "tk_cluster_embeddings: labels is NULL",
         (cc = cluster_defaults(), tk_cluster_embeddings(&embed_3x4, &cc, NULL, NULL)));
  EXPECT(BAD, "tk_cluster_embeddings: config is NULL", cluster(NULL));
  EXPECT(BAD, "tk_cluster_embeddings: config->struct_size is 8", (cc.struct_size = 8, cluster(&cc)));
  EXPECT(TK_ERR_UNSUPPORTED, "tk_cluster_embeddings: config sets a field at byte",
         (tk_cluster_config_init(&cluster_big.config, sizeof cluster_big), cluster_big.tail[3] = 1,
          cluster(&cluster_big.config)));
  EXPECT(BAD, "config->method", (cc = cluster_defaults(), cc.method = 2, cluster(&cc)));
  EXPECT(BAD, "config->linkage", (cc = cluster_defaults(), cc.linkage = 3, cluster(&cc)));
  EXPECT(BAD, "config->linkage", (cc = cluster_defaults(), cc.linkage = -1, cluster(&cc)));
  EXPECT(BAD, "options.distance_threshold", (cc = cluster_defaults(), cc.distance_threshold = NAN, cluster(&cc)));
  EXPECT(BAD, "options.distance_threshold", (cc = cluster_defaults(), cc.distance_threshold = 1e300, cluster(&cc)));
  EXPECT(BAD, "options.eps", (cc = cluster_defaults(), cc.method = TK_CLUSTER_DENSITY, cc.eps = -1, cluster(&cc)));
  EXPECT(BAD, "options.min_samples", (cc = cluster_defaults(), cc.min_samples = 0, cluster(&cc)));
  EXPECT(BAD, "cluster_embeddings: embeddings", cluster_of(f32(floats, 1, s8)));
  EXPECT(BAD, "cluster_embeddings: embeddings", cluster_of(u8(2, s24)));
  EXPECT(BAD, "cluster_embeddings: embeddings", cluster_of(f32(nan_row, 2, s24)));
  EXPECT(BAD, "embeddings has a row of zeros", cluster_of(f32(zero_row, 2, s24)));
  EXPECT(BAD, "tk_score_clusters: purity is NULL", tk_score_clusters(&labels_3, &labels_3, NULL, &rand_index));
  EXPECT(BAD, "tk_score_clusters: adjusted_rand is NULL", tk_score_clusters(&labels_3, &labels_3, &purity, NULL));
  EXPECT(BAD, "score_clusters: truth", score(labels_3, cpu_tensor_of(counts_ok, 1, s2, kDLInt, 64)));
  EXPECT(BAD, "score_clusters: labels", score(f32(floats, 1, s2), labels_3));
  EXPECT(BAD, "score_clusters: labels", score(cpu_tensor_of(counts_ok, 2, s32, kDLInt, 64), labels_3));
  EXPECT_VOID(tk_segmenter_masks_free(NULL));
}

static tk_mot_seqinfo info;
static tk_mot_eval_config ev;
static tk_mot_metrics metrics;
static struct {
  tk_mot_eval_config config;
  unsigned char tail[8];
} eval_big;
static int64_t distractors[1] = {2};
static double rows_frac[7] = {0.5, 1, 0, 0, 5, 5, 1}, rows_neg[7] = {-1, 1, 0, 0, 5, 5, 1};
static double rows_nan[7] = {0, 1, 0, NAN, 5, 5, 1}, rows_id[7] = {0, 1e300, 0, 0, 5, 5, 1};
static double gt_class[9] = {0, 1, 0, 0, 5, 5, 1, 0.5, 1};
static int64_t s17[2] = {1, 7}, s16[2] = {1, 6}, s19[2] = {1, 9}, s18[2] = {1, 8}, s7[1] = {7};
static int32_t rows_int[7] = {0, 1, 0, 0, 5, 5, 1};

static DLTensor f64(double* data, int32_t ndim, int64_t* shape) {
  return cpu_tensor_of(data, ndim, shape, kDLFloat, 64);
}
static tk_status write_rows(DLTensor rows) { return tk_mot_write_results(bad_path("results.txt"), &rows, -1); }
static tk_mot_eval_config eval_defaults(void) {
  tk_mot_eval_config c;
  tk_mot_eval_config_init(&c, sizeof c);
  return c;
}
static tk_status evaluator(const tk_mot_eval_config* c) { return tk_mot_evaluator_create(c, &made_evaluator); }
static tk_status add(DLTensor gt, DLTensor results) {
  return tk_mot_evaluator_add(an_evaluator, &gt, &results, 0, NULL);
}

void mot_cases(void) {
  EXPECT(BAD, "tk_mot_read: path is NULL", tk_mot_read(NULL, &out1));
  EXPECT(BAD, "tk_mot_read: rows is NULL", tk_mot_read(bad_path("noise.txt"), NULL));
  EXPECT(TK_ERR_NOT_FOUND, "missing.txt", tk_mot_read(bad_path("missing.txt"), &out1));
  EXPECT(TK_ERR_NOT_FOUND, "folder", tk_mot_read(bad_path("folder"), &out1));
  EXPECT(BAD, "noise.txt", tk_mot_read(bad_path("noise.txt"), &out1));
  EXPECT(BAD, "valid.npy", tk_mot_read(bad_path("valid.npy"), &out1));
  EXPECT(BAD, "tk_mot_write_results: path is NULL", tk_mot_write_results(NULL, &mot_res, 2));
  EXPECT(BAD, "tk_mot_write_results: rows is NULL", tk_mot_write_results(bad_path("results.txt"), NULL, 2));
  EXPECT(BAD, "tk_mot_write_results: decimals", tk_mot_write_results(bad_path("results.txt"), &mot_res, 18));
  EXPECT(BAD, "tk_mot_write_results: decimals", tk_mot_write_results(bad_path("results.txt"), &mot_res, INT32_MAX));
  EXPECT(BAD, "write_mot_results: path cannot open", tk_mot_write_results(bad_path("folder"), &mot_res, 2));
  EXPECT(BAD, "missing/results.txt", tk_mot_write_results(bad_path("missing/results.txt"), &mot_res, 2));
  EXPECT(BAD, "tk_mot_write_results: rows", write_rows(f64(rows_frac, 2, s16)));
  EXPECT(BAD, "tk_mot_write_results: rows", write_rows(f64(rows_frac, 1, s7)));
  EXPECT(BAD, "tk_mot_write_results: rows", write_rows(cpu_tensor_of(rows_int, 2, s17, kDLInt, 32)));
  EXPECT(BAD, "rows row 0 has frame", write_rows(f64(rows_frac, 2, s17)));
  EXPECT(BAD, "rows row 0 has frame", write_rows(f64(rows_neg, 2, s17)));
  EXPECT(BAD, "rows row 0 has a non-finite value", write_rows(f64(rows_nan, 2, s17)));
  EXPECT(BAD, "rows row 0 has id", write_rows(f64(rows_id, 2, s17)));
  EXPECT(BAD, "tk_mot_read_seqinfo: path is NULL", tk_mot_read_seqinfo(NULL, &info));
  EXPECT(BAD, "tk_mot_read_seqinfo: info is NULL", tk_mot_read_seqinfo(bad_path("noise.txt"), NULL));
  EXPECT(TK_ERR_NOT_FOUND, "missing.ini",
         (info.struct_size = sizeof info, tk_mot_read_seqinfo(bad_path("missing.ini"), &info)));
  EXPECT(TK_ERR_NOT_FOUND, "folder", tk_mot_read_seqinfo(bad_path("folder"), &info));
  EXPECT(BAD, "noise.txt", tk_mot_read_seqinfo(bad_path("noise.txt"), &info));
  EXPECT(BAD, "tk_mot_read_seqinfo: info->struct_size is 0",
         (info.struct_size = 0, tk_mot_read_seqinfo(bad_path("seqinfo.ini"), &info)));
  EXPECT(BAD, "tk_mot_read_seqinfo: info->struct_size is 8",
         (info.struct_size = 8, tk_mot_read_seqinfo(bad_path("seqinfo.ini"), &info)));
  EXPECT(BAD, "seqLength must be an integer",
         (info.struct_size = sizeof info, tk_mot_read_seqinfo(bad_path("seqinfo_huge.ini"), &info)));
  EXPECT(BAD, "frameRate must be a non-negative number", tk_mot_read_seqinfo(bad_path("seqinfo_nan.ini"), &info));
  EXPECT(BAD, "lacks name, frameRate or seqLength", tk_mot_read_seqinfo(bad_path("seqinfo_short.ini"), &info));
  EXPECT(BAD, "tk_mot_eval_config_init: config is NULL", tk_mot_eval_config_init(NULL, sizeof ev));
  EXPECT(BAD, "tk_mot_eval_config_init: struct_size is 0", tk_mot_eval_config_init(&ev, 0));
  EXPECT(BAD, "tk_mot_evaluator_create: evaluator is NULL", (ev = eval_defaults(), tk_mot_evaluator_create(&ev, NULL)));
  EXPECT(BAD, "tk_mot_evaluator_create: config is NULL", evaluator(NULL));
  EXPECT(BAD, "tk_mot_evaluator_create: config->struct_size is 0", (ev.struct_size = 0, evaluator(&ev)));
  EXPECT(
      TK_ERR_UNSUPPORTED, "tk_mot_evaluator_create: config sets a field at byte",
      (tk_mot_eval_config_init(&eval_big.config, sizeof eval_big), eval_big.tail[1] = 1, evaluator(&eval_big.config)));
  EXPECT(BAD, "config->num_frames", (ev = eval_defaults(), ev.num_frames = -1, evaluator(&ev)));
  EXPECT(BAD, "config->reserved", (ev = eval_defaults(), ev.reserved = 1, evaluator(&ev)));
  EXPECT(BAD, "config->num_distractor_classes", (ev = eval_defaults(), ev.num_distractor_classes = -2, evaluator(&ev)));
  EXPECT(BAD, "config->distractor_classes", (ev = eval_defaults(), ev.num_distractor_classes = 3, evaluator(&ev)));
  EXPECT(TK_OK, "",
         (ev = eval_defaults(), ev.distractor_classes = distractors, ev.num_distractor_classes = 1, evaluator(&ev)));
  EXPECT(BAD, "tk_mot_evaluator_add: evaluator is NULL", tk_mot_evaluator_add(NULL, &mot_gt, &mot_res, 0, NULL));
  EXPECT(BAD, "tk_mot_evaluator_add: num_frames", tk_mot_evaluator_add(an_evaluator, &mot_gt, &mot_res, -1, NULL));
  EXPECT(BAD, "tk_mot_evaluator_add: metrics->struct_size is 0",
         (metrics.struct_size = 0, tk_mot_evaluator_add(an_evaluator, &mot_gt, &mot_res, 0, &metrics)));
  EXPECT(BAD, "tk_mot_evaluator_add: gt", add(mot_res, mot_res)); /* gt needs the class column */
  EXPECT(BAD, "tk_mot_evaluator_add: results", add(mot_gt, f64(rows_frac, 2, s16)));
  EXPECT(BAD, "gt row 0 has class", add(f64(gt_class, 2, s19), mot_res));
  EXPECT(BAD, "results row 0 has frame", add(mot_gt, f64(rows_frac, 2, s17)));
  EXPECT(BAD, "results row 0 has a non-finite value", add(mot_gt, f64(rows_nan, 2, s17)));
  EXPECT(BAD, "gt row 0 has frame", add(f64(rows_neg, 2, s18), mot_res));
  EXPECT(BAD, "tk_mot_evaluator_add: gt row 1 has frame 1 outside [0, 1)",
         tk_mot_evaluator_add(an_evaluator, &mot_gt, &mot_res, 1, NULL));
  EXPECT(BAD, "tk_mot_evaluator_combined: evaluator is NULL", tk_mot_evaluator_combined(NULL, &metrics));
  EXPECT(BAD, "tk_mot_evaluator_combined: metrics is NULL", tk_mot_evaluator_combined(an_evaluator, NULL));
  EXPECT(BAD, "tk_mot_evaluator_combined: metrics->struct_size is 8",
         (metrics.struct_size = 8, tk_mot_evaluator_combined(an_evaluator, &metrics)));
  EXPECT(BAD, "tk_mot_evaluator_count: evaluator is NULL", tk_mot_evaluator_count(NULL, &ev.num_frames));
  EXPECT(BAD, "tk_mot_evaluator_count: sequences is NULL", tk_mot_evaluator_count(an_evaluator, NULL));
  EXPECT_VOID(tk_mot_evaluator_destroy(NULL));
}
