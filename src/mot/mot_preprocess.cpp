// MOT evaluator, step 1: validation, grouping by frame, IoU and TrackEval's MOT17 preprocessing.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "mot_eval_data.hpp"
#include "trackkit/error.hpp"

namespace trackkit {
namespace mot {
namespace detail {
namespace {

constexpr const char* kFn = "evaluate_sequence";

void check_rows(const std::vector<Row>& rows, const char* argument, int64_t num_frames) {
  for (size_t i = 0; i < rows.size(); ++i) {
    const Row& r = rows[i];
    const std::string at = "row " + std::to_string(i);
    if (!std::isfinite(r.x) || !std::isfinite(r.y) || !std::isfinite(r.w) || !std::isfinite(r.h))
      fail_argument(kFn, argument, at + " has a non-finite box");
    if (r.w < 0 || r.h < 0) fail_argument(kFn, argument, at + " has a negative width or height");
    if (r.frame < 0 || r.frame >= num_frames)
      fail_argument(kFn, argument,
                    at + " has frame " + std::to_string(r.frame) + " outside [0, " + std::to_string(num_frames) + ")");
  }
}

// Row indices grouped by frame, stable (file order within a frame).
void group_by_frame(const std::vector<Row>& rows, int64_t num_frames, std::vector<int64_t>& begin,
                    std::vector<int32_t>& order) {
  begin.assign(num_frames + 1, 0);
  for (const Row& r : rows) ++begin[r.frame + 1];
  for (int64_t t = 0; t < num_frames; ++t) begin[t + 1] += begin[t];
  order.resize(rows.size());
  std::vector<int64_t> fill(begin.begin(), begin.end() - 1);
  for (size_t i = 0; i < rows.size(); ++i) order[fill[rows[i].frame]++] = static_cast<int32_t>(i);
}

void check_unique_ids(const std::vector<Row>& rows, const std::vector<int64_t>& begin,
                      const std::vector<int32_t>& order, const char* argument, std::vector<int64_t>& scratch) {
  for (size_t t = 0; t + 1 < begin.size(); ++t) {
    scratch.clear();
    for (int64_t k = begin[t]; k < begin[t + 1]; ++k) scratch.push_back(rows[order[k]].id);
    std::sort(scratch.begin(), scratch.end());
    const auto dup = std::adjacent_find(scratch.begin(), scratch.end());
    if (dup != scratch.end())
      fail_argument(kFn, argument,
                    "has id " + std::to_string(*dup) + " more than once in frame " + std::to_string(t) +
                        " (file frame " + std::to_string(t + 1) + ")");
  }
}

// x1, y1, x2, y2 with x2 = x + w, as TrackEval converts xywh boxes (in float64).
struct Corners {
  double x1, y1, x2, y2, area;
};

Corners corners(const Row& r) {
  const double x2 = r.x + r.w, y2 = r.y + r.h;
  return {r.x, r.y, x2, y2, (x2 - r.x) * (y2 - r.y)};
}

// TrackEval's _calculate_box_ious for one pair, including its eps guards.
double box_iou(const Corners& a, const Corners& b) {
  const double iw = std::max(std::min(a.x2, b.x2) - std::max(a.x1, b.x1), 0.0);
  const double ih = std::max(std::min(a.y2, b.y2) - std::max(a.y1, b.y1), 0.0);
  const double inter = iw * ih;
  const double uni = a.area + b.area - inter;
  if (a.area <= kEps || b.area <= kEps || uni <= kEps) return 0.0;
  return inter / uni;
}

// Sorted unique ids -> contiguous labels.
void relabel(std::vector<int64_t>& raw, std::vector<int32_t>& out, int64_t& num_ids) {
  std::vector<int64_t> uniq(raw);
  std::sort(uniq.begin(), uniq.end());
  uniq.erase(std::unique(uniq.begin(), uniq.end()), uniq.end());
  num_ids = static_cast<int64_t>(uniq.size());
  out.resize(raw.size());
  for (size_t i = 0; i < raw.size(); ++i)
    out[i] = static_cast<int32_t>(std::lower_bound(uniq.begin(), uniq.end(), raw[i]) - uniq.begin());
}

} // namespace

SequenceData prepare_sequence(const std::vector<Row>& gt, const std::vector<Row>& tracker, const EvalOptions& options) {
  if (options.num_frames < 0)
    fail_argument(kFn, "options.num_frames", "must be >= 0, got " + std::to_string(options.num_frames));
  int64_t num_frames = options.num_frames;
  if (num_frames == 0) {
    for (const Row& r : gt) num_frames = std::max(num_frames, r.frame + 1);
    for (const Row& r : tracker) num_frames = std::max(num_frames, r.frame + 1);
  }
  check_rows(gt, "gt", num_frames);
  check_rows(tracker, "tracker", num_frames);
  const bool preproc = options.mot17_preprocessing;
  if (preproc) {
    for (size_t i = 0; i < gt.size(); ++i) {
      if (gt[i].cls < 1 || gt[i].cls > 13)
        fail_argument(kFn, "gt",
                      "row " + std::to_string(i) + " has class " + std::to_string(gt[i].cls) +
                          "; MOT17 preprocessing needs classes 1..13 (or set options.mot17_preprocessing = false)");
    }
  }
  auto is_distractor = [&](int64_t cls) {
    return std::find(options.distractor_classes.begin(), options.distractor_classes.end(), cls) !=
           options.distractor_classes.end();
  };

  std::vector<int64_t> gt_begin, tr_begin, scratch;
  std::vector<int32_t> gt_order, tr_order;
  group_by_frame(gt, num_frames, gt_begin, gt_order);
  group_by_frame(tracker, num_frames, tr_begin, tr_order);
  check_unique_ids(gt, gt_begin, gt_order, "gt", scratch);
  check_unique_ids(tracker, tr_begin, tr_order, "tracker", scratch);

  SequenceData d;
  d.num_frames = num_frames;
  d.gt_begin.assign(1, 0);
  d.tracker_begin.assign(1, 0);
  d.entry_begin.assign(1, 0);
  d.gt_begin.reserve(num_frames + 1), d.tracker_begin.reserve(num_frames + 1), d.entry_begin.reserve(num_frames + 1);
  std::vector<int64_t> gt_raw_ids, tr_raw_ids;
  gt_raw_ids.reserve(gt.size()), tr_raw_ids.reserve(tracker.size());

  std::vector<Corners> gbox, tbox;
  std::vector<double> iou;
  std::vector<char> removed;
  std::vector<int32_t> kept_gt, kept_tr, matched;
  std::vector<Edge> edges;
  Matcher matcher;
  for (int64_t t = 0; t < num_frames; ++t) {
    const int32_t ng = static_cast<int32_t>(gt_begin[t + 1] - gt_begin[t]);
    const int32_t nt = static_cast<int32_t>(tr_begin[t + 1] - tr_begin[t]);
    const int32_t* gi = gt_order.data() + gt_begin[t];
    const int32_t* ti = tr_order.data() + tr_begin[t];
    gbox.resize(ng), tbox.resize(nt);
    for (int32_t i = 0; i < ng; ++i) gbox[i] = corners(gt[gi[i]]);
    for (int32_t j = 0; j < nt; ++j) tbox[j] = corners(tracker[ti[j]]);
    iou.resize(static_cast<size_t>(ng) * nt);
    for (int32_t i = 0; i < ng; ++i)
      for (int32_t j = 0; j < nt; ++j) iou[static_cast<size_t>(i) * nt + j] = box_iou(gbox[i], tbox[j]);

    // Tracker boxes matched (IoU >= 0.5, optimal assignment against every gt box) to a distractor go.
    removed.assign(nt, 0);
    if (preproc && ng > 0 && nt > 0) {
      edges.clear();
      bool any_distractor = false;
      for (int32_t i = 0; i < ng; ++i) {
        const bool distractor = is_distractor(gt[gi[i]].cls);
        for (int32_t j = 0; j < nt; ++j) {
          const double s = iou[static_cast<size_t>(i) * nt + j];
          if (s >= 0.5 - kEps && s > kEps) {
            edges.push_back({i, j, s});
            any_distractor = any_distractor || distractor;
          }
        }
      }
      if (any_distractor) { // otherwise nothing can be removed, whatever the assignment
        matcher.solve(ng, nt, edges, matched);
        for (int32_t k : matched) {
          if (is_distractor(gt[gi[edges[k].row]].cls)) {
            removed[edges[k].col] = 1;
            ++d.num_removed_tracker_dets;
          }
        }
      }
    }
    // gt kept: consider flag != 0 (truncated to an integer, as numpy's astype(int)) and, with preprocessing,
    // the pedestrian class only.
    kept_gt.clear(), kept_tr.clear();
    for (int32_t i = 0; i < ng; ++i) {
      const Row& r = gt[gi[i]];
      if (static_cast<int64_t>(r.score) != 0 && (!preproc || r.cls == options.pedestrian_class)) {
        kept_gt.push_back(i);
        gt_raw_ids.push_back(r.id);
      }
    }
    for (int32_t j = 0; j < nt; ++j) {
      if (!removed[j]) {
        kept_tr.push_back(j);
        tr_raw_ids.push_back(tracker[ti[j]].id);
      }
    }
    for (size_t a = 0; a < kept_gt.size(); ++a) {
      const double* row = iou.data() + static_cast<size_t>(kept_gt[a]) * nt;
      for (size_t b = 0; b < kept_tr.size(); ++b) {
        const double s = row[kept_tr[b]];
        if (s > 0) d.entries.push_back({static_cast<int32_t>(a), static_cast<int32_t>(b), s});
      }
    }
    d.gt_begin.push_back(static_cast<int64_t>(gt_raw_ids.size()));
    d.tracker_begin.push_back(static_cast<int64_t>(tr_raw_ids.size()));
    d.entry_begin.push_back(static_cast<int64_t>(d.entries.size()));
  }
  relabel(gt_raw_ids, d.gt_ids, d.num_gt_ids);
  relabel(tr_raw_ids, d.tracker_ids, d.num_tracker_ids);

  // Index the (gt id, tracker id) pairs that ever overlap.
  std::unordered_map<uint64_t, int32_t> pair_index;
  pair_index.reserve(1024);
  d.entry_pair.resize(d.entries.size());
  for (int64_t t = 0; t < num_frames; ++t) {
    const int32_t* g = d.gt_ids.data() + d.gt_begin[t];
    const int32_t* k = d.tracker_ids.data() + d.tracker_begin[t];
    for (int64_t e = d.entry_begin[t]; e < d.entry_begin[t + 1]; ++e) {
      const int32_t gid = g[d.entries[e].row], tid = k[d.entries[e].col];
      const uint64_t key = static_cast<uint64_t>(gid) * static_cast<uint64_t>(d.num_tracker_ids) + tid;
      const auto it = pair_index.try_emplace(key, static_cast<int32_t>(d.pair_gt.size())).first;
      if (it->second == static_cast<int32_t>(d.pair_gt.size())) d.pair_gt.push_back(gid), d.pair_tracker.push_back(tid);
      d.entry_pair[e] = it->second;
    }
  }
  return d;
}

} // namespace detail
} // namespace mot
} // namespace trackkit
