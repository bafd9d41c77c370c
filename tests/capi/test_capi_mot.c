/* MOTChallenge files and the TrackEval-equivalent evaluator through the C ABI, from C99: tk_mot_read against the
 * file's lines parsed here, write/read round trips, seqinfo.ini (truncation included), hand-computed metrics and,
 * with TRACKKIT_DATA, TrackEval's own figures for MOT17-05/09 read from its pedestrian_detailed.csv. */
#define _POSIX_C_SOURCE 200809L /* mkdtemp */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "trackkit/trackkit.h"

static DLTensor f64_tensor(double* data, int64_t* shape) { return borrowed_cpu_tensor(data, 2, shape, kDLFloat, 64); }

static const double* f64(const DLManagedTensorVersioned* t) {
  return (const double*)((const char*)t->dl_tensor.data + t->dl_tensor.byte_offset);
}

/* $TRACKKIT_DATA/mot/MOT17/<rest> into path (capacity 1024); 0 without TRACKKIT_DATA. */
static int mot17_path(char* path, const char* rest) {
  const char* data = getenv("TRACKKIT_DATA");
  if (data == NULL) return 0;
  snprintf(path, 1024, "%s/mot/MOT17/%s", data, rest);
  return 1;
}

/* A fresh folder /tmp/trackkit_mot_XXXXXX (capacity >= 32); 0 on failure. */
static int temp_dir(char* dir) {
  strcpy(dir, "/tmp/trackkit_mot_XXXXXX");
  return mkdtemp(dir) != NULL;
}

/* tk_mot_read agrees with every line of a MOT17 gt file (9 columns) and a det file (7) parsed here. */
static void test_read_against_files(void) {
  const char* files[2] = {"train/MOT17-09-FRCNN/gt/gt.txt", "train/MOT17-09-FRCNN/det/det.txt"};
  char path[1024];
  int f;
  if (!mot17_path(path, files[0])) {
    printf("SKIPPED tk_mot_read on MOT17: needs TRACKKIT_DATA\n");
    return;
  }
  for (f = 0; f < 2; ++f) {
    DLManagedTensorVersioned* rows = NULL;
    FILE* in;
    double v[9];
    int64_t n = 0, mismatches = 0;
    int k;
    mot17_path(path, files[f]);
    in = fopen(path, "r");
    CHECK(in != NULL && tk_mot_read(path, &rows) == TK_OK && rows != NULL);
    if (in == NULL || rows == NULL) continue;
    CHECK(rows->dl_tensor.ndim == 2 && rows->dl_tensor.shape[1] == 9 && rows->dl_tensor.dtype.bits == 64);
    CHECK(rows->dl_tensor.device.device_type == kDLCPU);
    for (;;) {
      const int fields =
          f == 0 ? fscanf(in, "%lf,%lf,%lf,%lf,%lf,%lf,%lf,%lf,%lf", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6],
                          &v[7], &v[8])
                 : fscanf(in, "%lf,%lf,%lf,%lf,%lf,%lf,%lf", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6]);
      if (fields != (f == 0 ? 9 : 7)) break;
      if (f == 1) v[7] = -1, v[8] = -1; /* absent class and visibility */
      if (n < rows->dl_tensor.shape[0]) {
        const double* r = f64(rows) + n * 9;
        mismatches += r[0] != v[0] - 1; /* 0-based frames */
        for (k = 1; k < 9; ++k) mismatches += r[k] != v[k];
      }
      ++n;
    }
    CHECK(n > 1000 && n == rows->dl_tensor.shape[0] && mismatches == 0);
    fclose(in);
    tk_tensor_free(rows);
  }
}

static void test_read_errors(void) {
  char dir[32], path[64];
  FILE* f;
  DLManagedTensorVersioned* rows = NULL;
  CHECK(tk_mot_read("/nonexistent/trackkit/gt.txt", &rows) == TK_ERR_NOT_FOUND && rows == NULL);
  CHECK(strstr(tk_last_error(), "/nonexistent/trackkit/gt.txt") != NULL);
  CHECK(tk_mot_read(NULL, &rows) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strcmp(tk_last_error(), "tk_mot_read: path is NULL") == 0);
  CHECK(tk_mot_read("x", NULL) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strcmp(tk_last_error(), "tk_mot_read: rows is NULL") == 0);
  if (!temp_dir(dir)) return;
  snprintf(path, sizeof path, "%s/bad.txt", dir);
  f = fopen(path, "w");
  if (f != NULL) {
    fputs("1,1,10,10,5,5,1\n2,1,abc,10,5,5,1\n", f);
    fclose(f);
  }
  CHECK(tk_mot_read(path, &rows) == TK_ERR_INVALID_ARGUMENT && rows == NULL);
  CHECK(strstr(tk_last_error(), ":2:") != NULL && strstr(tk_last_error(), "abc") != NULL);
  remove(path);
  rmdir(dir);
}

/* Written results read back to the same doubles (column 8+ ignored), fixed decimals as documented. */
static void test_write_round_trip(void) {
  double rows[2 * 8] = {
      0, 3, 1418.85009765625, 430.6500244140625, 175.5, 328.72, 0.9, 5, 4, 12, 0.1, -2.5, 1e-3, 7, 0.333333333333333315,
      5};
  int64_t shape[2] = {2, 8}, narrow[2] = {2, 6};
  DLTensor t = f64_tensor(rows, shape), bad = f64_tensor(rows, narrow);
  DLManagedTensorVersioned* back = NULL;
  char dir[32], path[64], line[256] = "";
  FILE* f;
  int i, k, same = 1;
  if (!temp_dir(dir)) return;
  snprintf(path, sizeof path, "%s/results.txt", dir);
  CHECK(tk_mot_write_results(path, &t, -1) == TK_OK);
  CHECK(tk_mot_read(path, &back) == TK_OK && back != NULL);
  if (back != NULL) {
    CHECK(back->dl_tensor.shape[0] == 2);
    for (i = 0; i < 2 && back->dl_tensor.shape[0] == 2; ++i) {
      for (k = 0; k < 7; ++k) same &= f64(back)[i * 9 + k] == rows[i * 8 + k];
      same &= f64(back)[i * 9 + 7] == -1 && f64(back)[i * 9 + 8] == -1;
    }
    CHECK(same);
    tk_tensor_free(back);
  }
  CHECK(tk_mot_write_results(path, &t, 2) == TK_OK);
  f = fopen(path, "r");
  if (f != NULL) {
    if (fgets(line, sizeof line, f) == NULL) line[0] = '\0';
    fclose(f);
  }
  CHECK(strcmp(line, "1,3,1418.85,430.65,175.50,328.72,0.90,-1,-1,-1\n") == 0);
  CHECK(tk_mot_write_results(path, &bad, -1) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strcmp(tk_last_error(),
               "tk_mot_write_results: rows must have shape [N,7+] (frame, id, x, y, w, h, score), got [2,6]") == 0);
  rows[8] = 1.5; /* frame of row 1 */
  CHECK(tk_mot_write_results(path, &t, -1) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strstr(tk_last_error(), "tk_mot_write_results: rows row 1 has frame 1.5") != NULL);
  rows[8] = 4;
  CHECK(tk_mot_write_results(path, &t, 18) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strstr(tk_last_error(), "tk_mot_write_results: decimals must be <= 17") != NULL);
  CHECK(tk_mot_write_results(path, NULL, -1) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strcmp(tk_last_error(), "tk_mot_write_results: rows is NULL") == 0);
  remove(path);
  rmdir(dir);
}

/* A seqinfo.ini's values; strings cut to their arrays, never inside a UTF-8 character; only struct_size written. */
static void test_seqinfo(void) {
  struct {
    tk_mot_seqinfo info;
    unsigned char tail[8];
  } big;
  char dir[32], path[64], name[301], path09[1024];
  FILE* f;
  memset(name, 'a', 300);
  memcpy(name + 254, "\xc3\xa9", 2); /* an e-acute in bytes 254-255: the 256-byte array keeps 254 bytes */
  name[300] = '\0';
  if (!temp_dir(dir)) return;
  snprintf(path, sizeof path, "%s/seqinfo.ini", dir);
  f = fopen(path, "w");
  if (f != NULL) {
    fprintf(f, "[Sequence]\nname=%s\nimDir=img1\nframeRate=14\nseqLength=837\nimExt=.averyveryverylongext\n", name);
    fclose(f);
  }
  memset(&big, 0xAB, sizeof big);
  big.info.struct_size = sizeof big.info;
  CHECK(tk_mot_read_seqinfo(path, &big.info) == TK_OK);
  CHECK(strlen(big.info.name) == 254 && strncmp(big.info.name, name, 254) == 0);
  CHECK(strcmp(big.info.im_dir, "img1") == 0 && strcmp(big.info.im_ext, ".averyveryveryl") == 0);
  CHECK(big.info.frame_rate == 14 && big.info.length == 837 && big.info.width == 0 && big.info.height == 0);
  CHECK(big.info.struct_size == sizeof big.info && big.tail[0] == 0xAB && big.tail[7] == 0xAB);
  big.info.struct_size = 16;
  CHECK(tk_mot_read_seqinfo(path, &big.info) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strstr(tk_last_error(), "tk_mot_read_seqinfo: info->struct_size is 16") != NULL);
  big.info.struct_size = sizeof big.info;
  CHECK(tk_mot_read_seqinfo(NULL, &big.info) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strcmp(tk_last_error(), "tk_mot_read_seqinfo: path is NULL") == 0);
  remove(path);
  rmdir(dir);
  if (mot17_path(path09, "train/MOT17-09-FRCNN/seqinfo.ini")) { /* the real file, as ../shared/data has it */
    CHECK(tk_mot_read_seqinfo(path09, &big.info) == TK_OK && strcmp(big.info.name, "MOT17-09-FRCNN") == 0);
    CHECK(big.info.length == 525 && big.info.frame_rate == 30 && big.info.width == 1920 && big.info.height == 1080);
    CHECK(strcmp(big.info.im_ext, ".jpg") == 0);
  }
}

/* A gt row as tk_mot_read gives it: pedestrian, considered, fully visible. */
static void gt_row(double* r, int frame, int id, double x) {
  const double row[9] = {frame, id, x, 10, 20, 40, 1, 1, 1};
  memcpy(r, row, sizeof row);
}

/* The hand-computed cases of tests/mot/test_mot.cpp: perfect, empty, one identity switch, and their combination. */
static void test_evaluator_by_hand(void) {
  double gt[6 * 9], swapped[4 * 9], single[4 * 9];
  int64_t gt_shape[2] = {6, 9}, no_rows[2] = {0, 7}, four[2] = {4, 9}, results7[2] = {6, 7};
  DLTensor tg = f64_tensor(gt, gt_shape), none = f64_tensor(gt, no_rows), ts = f64_tensor(swapped, four);
  DLTensor one_object = f64_tensor(single, four);
  DLTensor tg7 = f64_tensor(gt, results7);
  int64_t strides[2] = {9, 1}; /* tg7: a [6,7] view of the [6,9] gt rows, as results */
  tk_mot_eval_config c;
  tk_mot_evaluator* ev = NULL;
  tk_mot_metrics m;
  int64_t count = -1;
  int t;
  for (t = 0; t < 3; ++t) gt_row(gt + (2 * t) * 9, t, 1, 10), gt_row(gt + (2 * t + 1) * 9, t, 2, 100);
  for (t = 0; t < 4; ++t) gt_row(swapped + t * 9, t, t < 2 ? 1 : 2, 10), gt_row(single + t * 9, t, 1, 10);
  tg7.strides = strides;
  m.struct_size = sizeof m;
  CHECK(tk_mot_eval_config_init(&c, sizeof c) == TK_OK && c.mot17_preprocessing == 1 && c.num_frames == 0);
  CHECK(c.pedestrian_class == 1 && c.distractor_classes == NULL);
  CHECK(tk_mot_evaluator_create(&c, &ev) == TK_OK && ev != NULL);
  if (ev == NULL) return;
  CHECK(tk_mot_evaluator_combined(ev, &m) == TK_OK && m.hota == 0 && m.loc_a == 0 && m.tp == 0); /* none yet */
  CHECK(tk_mot_evaluator_add(ev, &tg, &tg7, 0, &m) == TK_OK);                                    /* perfect */
  CHECK(m.hota > 1 - 1e-12 && m.mota == 1 && m.idf1 == 1 && m.tp == 6 && m.fn == 0 && m.fp == 0 && m.mt == 2);
  CHECK(m.gt_ids == 2 && m.tracker_ids == 2 && m.gt_dets == 6 && m.tracker_dets == 6 && m.motp == 1);
  CHECK(tk_mot_evaluator_add(ev, &tg, &none, 0, &m) == TK_OK); /* nothing tracked */
  CHECK(m.hota == 0 && m.mota == 0 && m.idf1 == 0 && m.tp == 0 && m.fn == 6 && m.ml == 2 && m.idfn == 6);
  CHECK(tk_mot_evaluator_combined(ev, &m) == TK_OK && m.tp == 6 && m.fn == 6 && m.gt_dets == 12);
  CHECK(fabs(m.mota - 0.5) < 1e-12 && fabs(m.det_a - 0.5) < 1e-12 && fabs(m.ass_a - 1) < 1e-12);
  CHECK(fabs(m.idf1 - 6.0 / (6 + 3)) < 1e-12);
  CHECK(tk_mot_evaluator_count(ev, &count) == TK_OK && count == 2);
  tk_mot_evaluator_destroy(ev);
  ev = NULL;
  CHECK(tk_mot_evaluator_create(&c, &ev) == TK_OK); /* one object over 4 frames, tracked as id 1 then id 2 */
  if (ev == NULL) return;
  CHECK(tk_mot_evaluator_add(ev, &one_object, &ts, 0, &m) == TK_OK);
  CHECK(m.tp == 4 && m.idsw == 1 && fabs(m.mota - 0.75) < 1e-12 && m.idtp == 2 && fabs(m.idf1 - 0.5) < 1e-12);
  CHECK(fabs(m.ass_a - 0.5) < 1e-12 && fabs(m.det_a - 1) < 1e-12 && fabs(m.hota - sqrt(0.5)) < 1e-12);
  /* errors name the argument */
  CHECK(tk_mot_evaluator_add(ev, &tg7, &tg, 0, &m) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strcmp(tk_last_error(),
               "tk_mot_evaluator_add: gt must have shape [N,8+] (frame, id, x, y, w, h, consider "
               "flag, class), got [6,7]") == 0);
  CHECK(tk_mot_evaluator_add(ev, &tg, &tg, -1, &m) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strstr(tk_last_error(), "tk_mot_evaluator_add: num_frames must be >= 0") != NULL);
  m.struct_size = 8;
  CHECK(tk_mot_evaluator_add(ev, &tg, &tg, 0, &m) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strstr(tk_last_error(), "tk_mot_evaluator_add: metrics->struct_size is 8") != NULL);
  CHECK(tk_mot_evaluator_count(ev, &count) == TK_OK && count == 1);              /* refused calls add nothing */
  CHECK(tk_mot_evaluator_add(ev, &tg, &tg, 2, NULL) == TK_ERR_INVALID_ARGUMENT); /* frame 2 outside [0, 2) */
  CHECK(strstr(tk_last_error(), "outside [0, 2)") != NULL);
  tk_mot_evaluator_destroy(ev);
  c.num_distractor_classes = 2;
  CHECK(tk_mot_evaluator_create(&c, &ev) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strcmp(tk_last_error(),
               "tk_mot_evaluator_create: config->distractor_classes is NULL but num_distractor_classes is 2") == 0);
  CHECK(tk_mot_eval_config_init(&c, 8) == TK_ERR_INVALID_ARGUMENT);
  CHECK(strstr(tk_last_error(), "tk_mot_eval_config_init: struct_size is 8") != NULL);
}

/* Field `field` of the row `seq` of TrackEval's pedestrian_detailed.csv (NAN when missing). */
static double csv_field(const char* seq, const char* field) {
  static char header[8192], line[8192];
  char path[1024];
  FILE* f;
  double value = NAN;
  int column = -1, i;
  char* p;
  if (!mot17_path(path, "trackeval_reference/pedestrian_detailed.csv") || (f = fopen(path, "r")) == NULL) return NAN;
  if (fgets(header, sizeof header, f) != NULL) {
    for (i = 0, p = strtok(header, ",\r\n"); p != NULL; ++i, p = strtok(NULL, ",\r\n")) {
      if (strcmp(p, field) == 0) column = i;
    }
  }
  while (column >= 0 && fgets(line, sizeof line, f) != NULL) {
    if (strncmp(line, seq, strlen(seq)) != 0 || line[strlen(seq)] != ',') continue;
    for (i = 0, p = strtok(line, ",\r\n"); p != NULL && i < column; ++i) p = strtok(NULL, ",\r\n");
    if (p != NULL) value = atof(p);
    break;
  }
  fclose(f);
  return value;
}

/* MOT17-05 and 09 (FRCNN) of trackeval_reference: each sequence's figures equal TrackEval's row; the combination
 * equals what its counts give (sums; AssA weighted by HOTA_TP at each alpha). */
static void test_evaluator_against_trackeval(void) {
  const char* seqs[2] = {"MOT17-05-FRCNN", "MOT17-09-FRCNN"};
  const double tol = 1e-12; /* docs/mot.md: within 7.6e-15 of TrackEval */
  double tp = 0, fn = 0, fp = 0, idsw = 0, idtp = 0, gt_dets = 0, dets = 0, det_a = 0, ass_a = 0, hota = 0;
  tk_mot_eval_config c;
  tk_mot_evaluator* ev = NULL;
  tk_mot_metrics m, all;
  char path[1024], rest[256];
  int s, a;
  if (!mot17_path(path, "trackeval_reference/pedestrian_detailed.csv") || isnan(csv_field(seqs[0], "MOTA"))) {
    printf("SKIPPED evaluator against TrackEval: needs TRACKKIT_DATA\n");
    return;
  }
  m.struct_size = sizeof m, all.struct_size = sizeof all;
  CHECK(tk_mot_eval_config_init(&c, sizeof c) == TK_OK && tk_mot_evaluator_create(&c, &ev) == TK_OK);
  for (s = 0; s < 2 && ev != NULL; ++s) {
    const char* q = seqs[s];
    DLManagedTensorVersioned *gt = NULL, *res = NULL;
    tk_mot_seqinfo info;
    info.struct_size = sizeof info;
    snprintf(rest, sizeof rest, "train/%s/seqinfo.ini", q);
    mot17_path(path, rest);
    CHECK(tk_mot_read_seqinfo(path, &info) == TK_OK);
    snprintf(rest, sizeof rest, "train/%s/gt/gt.txt", q);
    mot17_path(path, rest);
    CHECK(tk_mot_read(path, &gt) == TK_OK);
    snprintf(rest, sizeof rest, "trackeval_reference/tracker_data/%s.txt", q);
    mot17_path(path, rest);
    CHECK(tk_mot_read(path, &res) == TK_OK);
    if (gt == NULL || res == NULL) return;
    CHECK(tk_mot_evaluator_add(ev, &gt->dl_tensor, &res->dl_tensor, info.length, &m) == TK_OK);
    CHECK(fabs(m.hota - csv_field(q, "HOTA___AUC")) < tol && fabs(m.det_a - csv_field(q, "DetA___AUC")) < tol);
    CHECK(fabs(m.ass_a - csv_field(q, "AssA___AUC")) < tol && fabs(m.loc_a - csv_field(q, "LocA___AUC")) < tol);
    CHECK(fabs(m.mota - csv_field(q, "MOTA")) < tol && fabs(m.motp - csv_field(q, "MOTP")) < tol);
    CHECK(fabs(m.idf1 - csv_field(q, "IDF1")) < tol && fabs(m.idp - csv_field(q, "IDP")) < tol);
    CHECK(m.tp == csv_field(q, "CLR_TP") && m.fn == csv_field(q, "CLR_FN") && m.fp == csv_field(q, "CLR_FP"));
    CHECK(m.idsw == csv_field(q, "IDSW") && m.frag == csv_field(q, "Frag") && m.mt == csv_field(q, "MT"));
    CHECK(m.idtp == csv_field(q, "IDTP") && m.gt_ids == csv_field(q, "GT_IDs") && m.tracker_ids == csv_field(q, "IDs"));
    tp += m.tp, fn += m.fn, fp += m.fp, idsw += m.idsw, idtp += m.idtp, gt_dets += m.gt_dets, dets += m.tracker_dets;
    tk_tensor_free(gt);
    tk_tensor_free(res);
  }
  for (a = 0; a < 19; ++a) { /* TrackEval's COMBINED_SEQ from the CSV's per-alpha counts */
    double a_tp = 0, a_fn = 0, a_fp = 0, a_ass = 0, d;
    char field[32];
    for (s = 0; s < 2; ++s) {
      double t;
      snprintf(field, sizeof field, "HOTA_TP___%d", 5 * (a + 1));
      t = csv_field(seqs[s], field), a_tp += t;
      snprintf(field, sizeof field, "HOTA_FN___%d", 5 * (a + 1));
      a_fn += csv_field(seqs[s], field);
      snprintf(field, sizeof field, "HOTA_FP___%d", 5 * (a + 1));
      a_fp += csv_field(seqs[s], field);
      snprintf(field, sizeof field, "AssA___%d", 5 * (a + 1));
      a_ass += csv_field(seqs[s], field) * t;
    }
    d = a_tp / (a_tp + a_fn + a_fp), det_a += d / 19, ass_a += a_ass / a_tp / 19, hota += sqrt(d * a_ass / a_tp) / 19;
  }
  CHECK(tk_mot_evaluator_combined(ev, &all) == TK_OK && all.tp == tp && all.fn == fn && all.idsw == idsw);
  CHECK(fabs(all.mota - (tp - fp - idsw) / (tp + fn)) < tol && fabs(all.idf1 - idtp / (0.5 * (gt_dets + dets))) < tol);
  CHECK(fabs(all.det_a - det_a) < tol && fabs(all.ass_a - ass_a) < tol && fabs(all.hota - hota) < tol);
  tk_mot_evaluator_destroy(ev);
}

int main(void) {
  test_read_against_files();
  test_read_errors();
  test_write_round_trip();
  test_seqinfo();
  test_evaluator_by_hand();
  test_evaluator_against_trackeval();
  return report();
}
