#pragma once
// MOTChallenge tooling: reading and writing MOT text files (detections, ground truth, results, GMC warps,
// seqinfo.ini) and a CLEAR / Identity / HOTA evaluator that reproduces TrackEval's MotChallenge2DBox numbers
// (docs/mot.md has the procedure and the agreement table).
//
//   auto info = trackkit::mot::read_seqinfo(seq_dir + "/seqinfo.ini");
//   auto gt = trackkit::mot::read_mot_file(seq_dir + "/gt/gt.txt");
//   auto res = trackkit::mot::read_mot_file("tracker/" + info.name + ".txt");
//   trackkit::mot::EvalOptions opts;
//   opts.num_frames = info.length;
//   trackkit::mot::SequenceResult r = trackkit::mot::evaluate_sequence(gt, res, opts);
//   std::printf("HOTA %.3f MOTA %.3f IDF1 %.3f\n", r.hota.hota, r.clear.mota, r.identity.idf1);
#include <ATen/core/Tensor.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "trackkit/export.hpp"

namespace trackkit {
namespace mot {

// ---------------------------------------------------------------------------------------------------------
// Files

/// The [Sequence] section of a MOTChallenge seqinfo.ini.
struct SeqInfo {
  std::string name;      ///< name=
  std::string im_dir;    ///< imDir= (e.g. "img1")
  std::string im_ext;    ///< imExt= (e.g. ".jpg")
  double frame_rate = 0; ///< frameRate=
  int64_t length = 0;    ///< seqLength= (number of frames)
  int64_t width = 0;     ///< imWidth=
  int64_t height = 0;    ///< imHeight=
};

/// Reads seqinfo.ini. name, frameRate and seqLength are required; the others default to empty / 0.
/// Throws Error (NotFound for a missing file; InvalidArgument naming file and line otherwise).
TRACKKIT_API SeqInfo read_seqinfo(const std::string& path);

/// One line of a MOTChallenge text file. Boxes are x, y (top-left corner), width, height in pixels, read as
/// written (no one-pixel shift, see docs/conventions.md).
///
/// | file      | columns | frame, id, x, y, w, h, then ...                                        |
/// | --------- | ------- | ---------------------------------------------------------------------- |
/// | det       | 7 or 10 | score [, -1, -1, -1]                (id is -1 or a running index)      |
/// | gt        | 9       | consider flag (0/1, stored in `score`), class, visibility              |
/// | results   | 10      | score, -1, -1, -1                   (class -1, visibility -1)          |
///
/// Columns 8 and 9 go to `cls` (truncated to an integer, as TrackEval) and `visibility`; absent columns
/// keep the defaults below. 6-column files (no score) are accepted with score 1.
struct Row {
  int64_t frame = 0;      ///< 0-based frame index (= the file's 1-based frame number - 1)
  int64_t id = -1;        ///< track / object id (-1 for anonymous detections)
  double x = 0, y = 0;    ///< top-left corner
  double w = 0, h = 0;    ///< width, height (>= 0)
  double score = 1;       ///< detection / tracker confidence; for gt: the "consider" flag (0 = ignore)
  int64_t cls = -1;       ///< class (gt: 1 pedestrian, 2 person on vehicle, 7 static person, ...), -1 if absent
  double visibility = -1; ///< gt visibility ratio, -1 if absent
};

/// Reads a MOT text file: comma-separated (spaces around values allowed) or whitespace-separated, 6 to 10
/// columns, lines in any order (returned in file order; the evaluator groups them by frame stably), empty
/// lines skipped. Frame numbers must be integers >= 1; x, y, w, h, score finite; w, h >= 0.
/// Throws Error: NotFound for a missing file, InvalidArgument "read_mot_file: <path>:<line>: <problem>" for a
/// malformed line.
TRACKKIT_API std::vector<Row> read_mot_file(const std::string& path);

/// Writes results in the 10-column MOTChallenge format `frame+1,id,x,y,w,h,score,-1,-1,-1`, in the order given.
/// decimals < 0 (default): the shortest text that reads back to the same double; otherwise fixed decimals.
/// Throws Error if the file cannot be written or a row has a negative frame or a non-finite value.
TRACKKIT_API void write_mot_results(const std::string& path, const std::vector<Row>& rows, int decimals = -1);

/// Rows as float32 tensors, one per frame 0..num_frames-1: `[N_t, 6]` = x1, y1, x2, y2, score, class (the
/// library's detection layout, docs/conventions.md), rows in file order. Rows with frame >= num_frames throw.
TRACKKIT_API std::vector<at::Tensor> detections_per_frame(const std::vector<Row>& rows, int64_t num_frames);

/// One line of a BoT-SORT GMC file (`frame a11 a12 tx a21 a22 ty`, tab- or space-separated): the 2x3 warp
/// mapping previous-frame pixels to current-frame pixels (docs/conventions.md, "Warps").
struct GmcEntry {
  int64_t frame = 0;                               ///< 0-based frame index, as written
  std::array<double, 6> warp = {1, 0, 0, 0, 1, 0}; ///< row-major a11 a12 tx a21 a22 ty
};

/// Reads a GMC file; frames must be strictly increasing (BoT-SORT reads them line by line).
/// Throws Error (NotFound; InvalidArgument naming file and line).
TRACKKIT_API std::vector<GmcEntry> read_gmc_file(const std::string& path);

// ---------------------------------------------------------------------------------------------------------
// Evaluation (TrackEval's MotChallenge2DBox dataset with the CLEAR, Identity, HOTA and Count metrics)

struct EvalOptions {
  /// Frames 0..num_frames-1 are evaluated (seqinfo's seqLength; it sets CLEAR's frame count). 0: the largest
  /// frame index in gt or tracker rows + 1. A row outside the range throws (TrackEval does the same).
  int64_t num_frames = 0;
  /// TrackEval's MOT17/MOT16/MOT20 preprocessing (DO_PREPROC): per frame, tracker boxes matched (IoU >= 0.5,
  /// optimal assignment against all gt boxes) to a gt box of a distractor class are removed, and only
  /// `pedestrian_class` gt is kept. Off (MOT15 behaviour): every gt row is kept whatever its class. In both
  /// cases gt rows with consider flag (`score`) 0 are dropped, as TrackEval does.
  bool mot17_preprocessing = true;
  /// Distractor classes: person_on_vehicle, static_person, distractor, reflection (MOT20 adds 6).
  std::vector<int64_t> distractor_classes = {2, 7, 8, 12};
  int64_t pedestrian_class = 1;
};

/// CLEAR MOT metrics (TrackEval CLEAR, threshold IoU 0.5). Ratios are in [0,1] (TrackEval prints x100).
struct ClearMetrics {
  // Counts (summed by combine()).
  int64_t tp = 0, fn = 0, fp = 0, idsw = 0;
  int64_t mt = 0, pt = 0, ml = 0, frag = 0;
  int64_t frames = 0;  ///< CLR_Frames (0 when the gt or tracker sequence is empty, as TrackEval)
  double motp_sum = 0; ///< sum of the IoUs of matched pairs
  // Derived.
  double mota = 0, motp = 0, moda = 0, recall = 0, precision = 0;
  double mtr = 0, ptr = 0, mlr = 0, smota = 0, f1 = 0, fp_per_frame = 0, motal = 0;
};

/// Identity metrics (IDF1 and friends, TrackEval Identity, threshold IoU 0.5).
struct IdentityMetrics {
  int64_t idtp = 0, idfn = 0, idfp = 0;
  double idf1 = 0, idr = 0, idp = 0;
};

/// Number of HOTA localisation thresholds: alpha = 0.05, 0.10, ..., 0.95.
constexpr int kNumAlphas = 19;
/// alpha of index a, computed as numpy's arange(0.05, 0.99, 0.05) does (0.05 + a * 0.05).
TRACKKIT_API double hota_alpha(int a);

using AlphaArray = std::array<double, kNumAlphas>;
using AlphaCounts = std::array<int64_t, kNumAlphas>;

/// HOTA metrics. The scalar fields are the means over the 19 alphas (TrackEval's summary values and its
/// "___AUC" columns); `per_alpha` holds the arrays.
struct HotaMetrics {
  double hota = 0, det_a = 0, ass_a = 0, det_re = 0, det_pr = 0, ass_re = 0, ass_pr = 0, loc_a = 0, rhota = 0;
  double hota0 = 0, loc_a0 = 0, hota_loc_a0 = 0; ///< HOTA(0), LocA(0), HOTALocA(0): values at alpha 0.05
  struct PerAlpha {
    AlphaCounts tp{}, fn{}, fp{}; ///< HOTA_TP / HOTA_FN / HOTA_FP (summed by combine())
    AlphaArray hota{}, det_a{}, ass_a{}, det_re{}, det_pr{}, ass_re{}, ass_pr{}, loc_a{}, rhota{};
  } per_alpha;
};

/// Everything evaluate_sequence() computes for one sequence (or combine() for several).
struct SequenceResult {
  ClearMetrics clear;
  IdentityMetrics identity;
  HotaMetrics hota;
  // TrackEval's Count metric, after preprocessing.
  int64_t num_gt_dets = 0;              ///< GT_Dets
  int64_t num_tracker_dets = 0;         ///< Dets
  int64_t num_gt_ids = 0;               ///< GT_IDs
  int64_t num_tracker_ids = 0;          ///< IDs
  int64_t num_removed_tracker_dets = 0; ///< tracker boxes removed as matches of distractors
};

/// Evaluates one sequence. `gt` as read from gt.txt (9 columns: the consider flag in `score`, the class in
/// `cls`), `tracker` as read from a results file (its `cls` is not used); frames 0-based (Row::frame). Ids must
/// be unique within a frame, in gt and in tracker rows. IoU of x,y,w,h boxes without "+1", in float64.
/// Throws Error naming the argument and row for non-finite or negative boxes, frames out of range, duplicate
/// ids, or (with preprocessing) gt classes outside 1..13.
TRACKKIT_API SequenceResult evaluate_sequence(const std::vector<Row>& gt, const std::vector<Row>& tracker,
                                              const EvalOptions& options = {});

/// Combines sequences as TrackEval's COMBINED_SEQ: counts summed (CLEAR counts and motp_sum, ID counts,
/// HOTA TP/FN/FP per alpha, Count fields), HOTA AssA/AssRe/AssPr averaged weighted by HOTA_TP, LocA weighted
/// by HOTA_TP; derived fields recomputed from those. Only those fields of the inputs are read.
TRACKKIT_API SequenceResult combine(const std::vector<SequenceResult>& sequences);

/// Recomputes every derived field of `result` from the fields combine() reads (used by combine(); useful to
/// rebuild a result from stored counts).
TRACKKIT_API void finalize(SequenceResult& result);

} // namespace mot
} // namespace trackkit
