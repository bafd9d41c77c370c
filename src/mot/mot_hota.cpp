// MOT evaluator: HOTA (Luiten et al., IJCV 2020) as TrackEval computes it.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "mot_eval_data.hpp"
#include "trackkit/error.hpp"
#include "trackkit/mot.hpp"

namespace trackkit {
namespace mot {

double hota_alpha(int a) {
  if (a < 0 || a >= kNumAlphas)
    fail_argument("hota_alpha", "a", "must be in [0, " + std::to_string(kNumAlphas) + "), got " + std::to_string(a));
  return 0.05 + a * 0.05; // numpy's arange(0.05, 0.99, 0.05): start + i * step
}

namespace detail {
namespace {

double mean(const AlphaArray& v) {
  double s = 0;
  for (double x : v) s += x;
  return s / kNumAlphas;
}

} // namespace

HotaMetrics eval_hota(const SequenceData& d, Matcher& matcher) {
  HotaMetrics m;
  HotaMetrics::PerAlpha& r = m.per_alpha;
  if (d.num_tracker_dets() == 0 || d.num_gt_dets() == 0) {
    r.fn.fill(d.num_gt_dets());
    r.fp.fill(d.num_tracker_dets());
    r.loc_a.fill(1.0);
    finalize_hota(m);
    return m;
  }
  AlphaArray alpha;
  for (int a = 0; a < kNumAlphas; ++a) alpha[a] = hota_alpha(a) - kEps;

  // Pass 1: global alignment of every (gt id, tracker id) pair: the sum over frames of the pair's IoU
  // normalised by its row and column sums, over the two ids' detection counts minus that sum.
  const size_t num_pairs = static_cast<size_t>(d.num_pairs());
  std::vector<double> potential(num_pairs, 0.0);
  std::vector<double> gt_count(static_cast<size_t>(d.num_gt_ids), 0.0);
  std::vector<double> tr_count(static_cast<size_t>(d.num_tracker_ids), 0.0);
  std::vector<double> row_sum, col_sum;
  for (int64_t t = 0; t < d.num_frames; ++t) {
    const int64_t ng = d.gt_begin[t + 1] - d.gt_begin[t];
    const int64_t nt = d.tracker_begin[t + 1] - d.tracker_begin[t];
    for (int64_t i = d.gt_begin[t]; i < d.gt_begin[t + 1]; ++i) gt_count[d.gt_ids[i]] += 1;
    for (int64_t j = d.tracker_begin[t]; j < d.tracker_begin[t + 1]; ++j) tr_count[d.tracker_ids[j]] += 1;
    row_sum.assign(ng, 0.0), col_sum.assign(nt, 0.0);
    for (int64_t e = d.entry_begin[t]; e < d.entry_begin[t + 1]; ++e) {
      row_sum[d.entries[e].row] += d.entries[e].sim;
      col_sum[d.entries[e].col] += d.entries[e].sim;
    }
    for (int64_t e = d.entry_begin[t]; e < d.entry_begin[t + 1]; ++e) {
      const Entry& en = d.entries[e];
      const double denom = row_sum[en.row] + col_sum[en.col] - en.sim;
      if (denom > kEps) potential[d.entry_pair[e]] += en.sim / denom;
    }
  }
  std::vector<double> alignment(num_pairs);
  for (size_t p = 0; p < num_pairs; ++p)
    alignment[p] = potential[p] / (gt_count[d.pair_gt[p]] + tr_count[d.pair_tracker[p]] - potential[p]);

  // Pass 2: per frame, one assignment maximising alignment x IoU, then thresholded at every alpha.
  std::vector<int32_t> matches(num_pairs * kNumAlphas, 0); // [pair][alpha]
  AlphaArray loc_sum{};
  std::vector<Edge> edges;
  std::vector<int64_t> edge_entry;
  std::vector<int32_t> matched;
  AlphaCounts frame_tp;
  for (int64_t t = 0; t < d.num_frames; ++t) {
    const int64_t ng = d.gt_begin[t + 1] - d.gt_begin[t];
    const int64_t nt = d.tracker_begin[t + 1] - d.tracker_begin[t];
    if (ng == 0 || nt == 0) {
      for (int a = 0; a < kNumAlphas; ++a) r.fp[a] += nt, r.fn[a] += ng;
      continue;
    }
    edges.clear(), edge_entry.clear();
    for (int64_t e = d.entry_begin[t]; e < d.entry_begin[t + 1]; ++e) {
      const Entry& en = d.entries[e];
      const double score = alignment[d.entry_pair[e]] * en.sim;
      if (score > 0) edges.push_back({en.row, en.col, score}), edge_entry.push_back(e);
    }
    matcher.solve(static_cast<int32_t>(ng), static_cast<int32_t>(nt), edges, matched);
    frame_tp.fill(0);
    for (int32_t k : matched) {
      const int64_t e = edge_entry[k];
      const double sim = d.entries[e].sim;
      int32_t* pair_matches = matches.data() + static_cast<size_t>(d.entry_pair[e]) * kNumAlphas;
      for (int a = 0; a < kNumAlphas && sim >= alpha[a]; ++a) {
        ++frame_tp[a];
        loc_sum[a] += sim;
        ++pair_matches[a];
      }
    }
    for (int a = 0; a < kNumAlphas; ++a) {
      r.tp[a] += frame_tp[a];
      r.fn[a] += ng - frame_tp[a];
      r.fp[a] += nt - frame_tp[a];
    }
  }

  // Association scores: per matched id pair, weighted by its number of matches, over all TPs.
  AlphaArray ass_a{}, ass_re{}, ass_pr{};
  for (size_t p = 0; p < num_pairs; ++p) {
    const double gc = gt_count[d.pair_gt[p]], tc = tr_count[d.pair_tracker[p]];
    const int32_t* pair_matches = matches.data() + p * kNumAlphas;
    for (int a = 0; a < kNumAlphas && pair_matches[a] > 0; ++a) {
      const double c = pair_matches[a];
      ass_a[a] += c * (c / std::max(1.0, gc + tc - c));
      ass_re[a] += c * (c / std::max(1.0, gc));
      ass_pr[a] += c * (c / std::max(1.0, tc));
    }
  }
  set_association_scores(r, ass_a, ass_re, ass_pr, loc_sum);
  finalize_hota(m);
  return m;
}

void set_association_scores(HotaMetrics::PerAlpha& r, const AlphaArray& ass_a, const AlphaArray& ass_re,
                            const AlphaArray& ass_pr, const AlphaArray& loc) {
  for (int a = 0; a < kNumAlphas; ++a) {
    const double tp = static_cast<double>(r.tp[a]);
    r.ass_a[a] = ass_a[a] / std::max(1.0, tp);
    r.ass_re[a] = ass_re[a] / std::max(1.0, tp);
    r.ass_pr[a] = ass_pr[a] / std::max(1.0, tp);
    r.loc_a[a] = std::max(1e-10, loc[a]) / std::max(1e-10, tp);
  }
}

void finalize_hota(HotaMetrics& m) {
  HotaMetrics::PerAlpha& r = m.per_alpha;
  for (int a = 0; a < kNumAlphas; ++a) {
    const double tp = static_cast<double>(r.tp[a]), fn = static_cast<double>(r.fn[a]);
    const double fp = static_cast<double>(r.fp[a]);
    r.det_re[a] = tp / std::max(1.0, tp + fn);
    r.det_pr[a] = tp / std::max(1.0, tp + fp);
    r.det_a[a] = tp / std::max(1.0, tp + fn + fp);
    r.hota[a] = std::sqrt(r.det_a[a] * r.ass_a[a]);
    r.rhota[a] = std::sqrt(r.det_re[a] * r.ass_a[a]);
  }
  m.hota = mean(r.hota), m.det_a = mean(r.det_a), m.ass_a = mean(r.ass_a);
  m.det_re = mean(r.det_re), m.det_pr = mean(r.det_pr);
  m.ass_re = mean(r.ass_re), m.ass_pr = mean(r.ass_pr);
  m.loc_a = mean(r.loc_a), m.rhota = mean(r.rhota);
  m.hota0 = r.hota[0], m.loc_a0 = r.loc_a[0], m.hota_loc_a0 = m.hota0 * m.loc_a0;
}

} // namespace detail
} // namespace mot
} // namespace trackkit
