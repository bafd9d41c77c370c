/* trackkit C ABI: MOTChallenge files and the CLEAR / Identity / HOTA evaluator that reproduces TrackEval
 * (trackkit/mot.hpp; docs/mot.md). Included by trackkit/trackkit.h. */
#ifndef TRACKKIT_C_MOT_H
#define TRACKKIT_C_MOT_H

#include "trackkit/c/core.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Reads a MOT text file (det, gt or results: 6 to 10 columns, comma- or whitespace-separated) into *rows: float64
 *  [N,9] = frame (0-based: the file's number - 1), id, x, y, w, h, score (gt: the consider flag), class (-1 if
 *  absent), visibility (-1 if absent), in file order, on the CPU. Errors name the file and line. Thread-safe. */
TK_API tk_status tk_mot_read(const char* path, DLManagedTensorVersioned** rows);
/** Writes MOTChallenge results `frame+1,id,x,y,w,h,score,-1,-1,-1`: rows float32/float64 [N,7+] (frame 0-based, id,
 *  x, y, w, h, score, any further columns ignored) on the CPU; decimals < 0: the shortest text that reads back the
 *  same double. Thread-safe. */
TK_API tk_status tk_mot_write_results(const char* path, const DLTensor* rows, int32_t decimals);

/** A sequence's seqinfo.ini (an output: set struct_size before tk_mot_read_seqinfo). Strings are NUL-terminated and
 *  truncated to their arrays. */
typedef struct tk_mot_seqinfo {
  size_t struct_size;
  double frame_rate; /**< frameRate */
  int64_t length;    /**< seqLength (frames) */
  int64_t width;     /**< imWidth (0 if absent) */
  int64_t height;    /**< imHeight (0 if absent) */
  char name[256];    /**< name */
  char im_dir[256];  /**< imDir, e.g. "img1" */
  char im_ext[16];   /**< imExt, e.g. ".jpg" */
} tk_mot_seqinfo;
TK_API tk_status tk_mot_read_seqinfo(const char* path, tk_mot_seqinfo* info);

/** How sequences are evaluated (trackkit::mot::EvalOptions). */
typedef struct tk_mot_eval_config {
  size_t struct_size;                /**< set by tk_mot_eval_config_init */
  int64_t num_frames;                /**< 0: largest frame in gt or results + 1 (give seqLength where known) */
  int32_t mot17_preprocessing;       /**< 1: TrackEval's MOT17 preprocessing (distractors, pedestrians only) */
  int32_t reserved;                  /**< 0 */
  int64_t pedestrian_class;          /**< 1 */
  const int64_t* distractor_classes; /**< NULL: 2, 7, 8, 12 (MOT17); else num_distractor_classes ids */
  int64_t num_distractor_classes;    /**< 0 */
} tk_mot_eval_config;
TK_API tk_status tk_mot_eval_config_init(tk_mot_eval_config* config, size_t struct_size);

/** TrackEval's summary figures of one sequence or of several combined (ratios in [0,1]; TrackEval prints x100).
 *  An output: set struct_size before the call. */
typedef struct tk_mot_metrics {
  size_t struct_size;
  double hota, det_a, ass_a, det_re, det_pr, ass_re, ass_pr, loc_a; /**< HOTA, means over the 19 alphas */
  double mota, motp, moda, clr_recall, clr_precision, idf1, idr, idp;
  int64_t tp, fn, fp, idsw, mt, pt, ml, frag;         /**< CLEAR counts */
  int64_t idtp, idfn, idfp;                           /**< Identity counts */
  int64_t gt_dets, tracker_dets, gt_ids, tracker_ids; /**< TrackEval's Count metric, after preprocessing */
} tk_mot_metrics;

/** Sequences evaluated one by one and combined as TrackEval's COMBINED_SEQ. Not thread-safe. */
typedef struct tk_mot_evaluator tk_mot_evaluator;
TK_API tk_status tk_mot_evaluator_create(const tk_mot_eval_config* config, tk_mot_evaluator** evaluator);
TK_API void tk_mot_evaluator_destroy(tk_mot_evaluator* evaluator);
/** One sequence: gt and results as tk_mot_read gives them (float [N,9] or [N,7+]: frame 0-based, id, x, y, w, h,
 *  score[, class]; gt needs the class column), CPU. num_frames > 0 overrides the config's (seqLength). *metrics
 *  (may be NULL) receives the sequence's figures; the sequence joins the combined ones. */
TK_API tk_status tk_mot_evaluator_add(tk_mot_evaluator* evaluator, const DLTensor* gt, const DLTensor* results,
                                      int64_t num_frames, tk_mot_metrics* metrics);
/** The figures of every sequence added so far, combined (all zero before the first). */
TK_API tk_status tk_mot_evaluator_combined(const tk_mot_evaluator* evaluator, tk_mot_metrics* metrics);
TK_API tk_status tk_mot_evaluator_count(const tk_mot_evaluator* evaluator, int64_t* sequences);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* TRACKKIT_C_MOT_H */
