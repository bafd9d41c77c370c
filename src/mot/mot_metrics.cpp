// MOT evaluator, step 2: CLEAR and Identity metrics, evaluate_sequence, combine (TrackEval's procedure).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "mot_eval_data.hpp"
#include "trackkit/mot.hpp"

namespace trackkit {
namespace mot {
namespace detail {
namespace {

constexpr double kClearThreshold = 0.5;      // CLEAR and Identity match at IoU >= 0.5
constexpr double kPreviousMatchBonus = 1000; // CLEAR keeps last frame's pairs first, then maximises IoU

double div1(double num, double den) { return num / std::max(1.0, den); }

} // namespace

ClearMetrics eval_clear(const SequenceData& d, Matcher& matcher) {
  ClearMetrics m;
  if (d.num_tracker_dets() == 0) { // TrackEval returns early, without its final fields
    m.fn = d.num_gt_dets();
    m.ml = d.num_gt_ids;
    m.mlr = 1.0;
    return m;
  }
  if (d.num_gt_dets() == 0) {
    m.fp = d.num_tracker_dets();
    m.mlr = 1.0;
    return m;
  }
  const size_t ng_ids = static_cast<size_t>(d.num_gt_ids);
  std::vector<int64_t> gt_count(ng_ids, 0), gt_matched(ng_ids, 0), frag_count(ng_ids, 0);
  // Last tracker id matched to each gt id (any earlier frame: IDSW) and in the previous evaluated frame
  // (matching bonus, Frag); -1 = none.
  std::vector<int32_t> last_tracker(ng_ids, -1), prev_frame_tracker(ng_ids, -1), prev_frame_gt;
  std::vector<Edge> edges;
  std::vector<double> edge_sim;
  std::vector<int32_t> matched, matched_gt, matched_tr;
  std::vector<char> newly_tracked;
  for (int64_t t = 0; t < d.num_frames; ++t) {
    const int64_t ng = d.gt_begin[t + 1] - d.gt_begin[t];
    const int64_t nt = d.tracker_begin[t + 1] - d.tracker_begin[t];
    const int32_t* gid = d.gt_ids.data() + d.gt_begin[t];
    const int32_t* tid = d.tracker_ids.data() + d.tracker_begin[t];
    if (ng == 0) {
      m.fp += nt;
      continue;
    }
    if (nt == 0) {
      m.fn += ng;
      for (int64_t i = 0; i < ng; ++i) ++gt_count[gid[i]];
      continue;
    }
    edges.clear(), edge_sim.clear();
    for (int64_t e = d.entry_begin[t]; e < d.entry_begin[t + 1]; ++e) {
      const Entry& en = d.entries[e];
      if (en.sim < kClearThreshold - kEps) continue;
      const bool continues = prev_frame_tracker[gid[en.row]] == tid[en.col];
      edges.push_back({en.row, en.col, (continues ? kPreviousMatchBonus : 0.0) + en.sim});
      edge_sim.push_back(en.sim);
    }
    matcher.solve(static_cast<int32_t>(ng), static_cast<int32_t>(nt), edges, matched);

    matched_gt.clear(), matched_tr.clear(), newly_tracked.clear();
    for (int32_t k : matched) {
      const int32_t g = gid[edges[k].row], tr = tid[edges[k].col];
      if (last_tracker[g] >= 0 && last_tracker[g] != tr) ++m.idsw;
      matched_gt.push_back(g), matched_tr.push_back(tr);
      newly_tracked.push_back(prev_frame_tracker[g] < 0);
    }
    for (int64_t i = 0; i < ng; ++i) ++gt_count[gid[i]];
    for (int32_t g : prev_frame_gt) prev_frame_tracker[g] = -1;
    prev_frame_gt.clear();
    for (size_t k = 0; k < matched_gt.size(); ++k) {
      const int32_t g = matched_gt[k];
      ++gt_matched[g];
      last_tracker[g] = matched_tr[k];
      prev_frame_tracker[g] = matched_tr[k];
      prev_frame_gt.push_back(g);
      if (newly_tracked[k]) ++frag_count[g];
    }
    const int64_t num_matches = static_cast<int64_t>(matched.size());
    m.tp += num_matches;
    m.fn += ng - num_matches;
    m.fp += nt - num_matches;
    for (int32_t k : matched) m.motp_sum += edge_sim[k];
  }
  for (size_t g = 0; g < ng_ids; ++g) {
    if (gt_count[g] == 0) continue;
    const double ratio = static_cast<double>(gt_matched[g]) / static_cast<double>(gt_count[g]);
    if (ratio > 0.8) {
      ++m.mt;
    } else if (ratio >= 0.2) {
      ++m.pt;
    }
    if (frag_count[g] > 0) m.frag += frag_count[g] - 1;
  }
  m.ml = d.num_gt_ids - m.mt - m.pt;
  m.frames = d.num_frames;
  finalize_clear(m);
  return m;
}

void finalize_clear(ClearMetrics& m) {
  const double tp = static_cast<double>(m.tp), fn = static_cast<double>(m.fn), fp = static_cast<double>(m.fp);
  const double idsw = static_cast<double>(m.idsw);
  const double num_gt_ids = static_cast<double>(m.mt + m.ml + m.pt);
  m.mtr = div1(static_cast<double>(m.mt), num_gt_ids);
  m.mlr = div1(static_cast<double>(m.ml), num_gt_ids);
  m.ptr = div1(static_cast<double>(m.pt), num_gt_ids);
  m.recall = div1(tp, tp + fn);
  m.precision = div1(tp, tp + fp);
  m.moda = div1(tp - fp, tp + fn);
  m.mota = div1(tp - fp - idsw, tp + fn);
  m.motp = div1(m.motp_sum, tp);
  m.smota = div1(m.motp_sum - fp - idsw, tp + fn);
  m.f1 = div1(tp, tp + 0.5 * fn + 0.5 * fp);
  m.fp_per_frame = div1(fp, static_cast<double>(m.frames));
  const double safe_log_idsw = m.idsw > 0 ? std::log10(idsw) : idsw;
  m.motal = div1(tp - fp - safe_log_idsw, tp + fn);
}

IdentityMetrics eval_identity(const SequenceData& d, Matcher& matcher) {
  IdentityMetrics m;
  if (d.num_tracker_dets() == 0) {
    m.idfn = d.num_gt_dets();
    return m;
  }
  if (d.num_gt_dets() == 0) {
    m.idfp = d.num_tracker_dets();
    return m;
  }
  // Frames in which each id pair overlaps at IoU >= 0.5 (no eps here, as TrackEval).
  std::vector<int64_t> pair_count(static_cast<size_t>(d.num_pairs()), 0);
  for (size_t e = 0; e < d.entries.size(); ++e)
    if (d.entries[e].sim >= kClearThreshold) ++pair_count[d.entry_pair[e]];
  // TrackEval minimises IDFN + IDFP over a (gt+tracker)^2 matrix; that total is
  // gt_dets + tracker_dets - 2 * (sum of the matched pairs' counts), so IDTP is a maximum-weight matching
  // of the id pairs weighted by their counts.
  std::vector<Edge> edges;
  for (size_t p = 0; p < pair_count.size(); ++p)
    if (pair_count[p] > 0) edges.push_back({d.pair_gt[p], d.pair_tracker[p], static_cast<double>(pair_count[p])});
  std::vector<int32_t> matched;
  matcher.solve(static_cast<int32_t>(d.num_gt_ids), static_cast<int32_t>(d.num_tracker_ids), edges, matched);
  int64_t idtp = 0;
  for (int32_t k : matched) idtp += static_cast<int64_t>(edges[k].score);
  m.idtp = idtp;
  m.idfn = d.num_gt_dets() - idtp;
  m.idfp = d.num_tracker_dets() - idtp;
  finalize_identity(m);
  return m;
}

void finalize_identity(IdentityMetrics& m) {
  const double tp = static_cast<double>(m.idtp), fn = static_cast<double>(m.idfn), fp = static_cast<double>(m.idfp);
  m.idr = div1(tp, tp + fn);
  m.idp = div1(tp, tp + fp);
  m.idf1 = div1(tp, tp + 0.5 * fp + 0.5 * fn);
}

} // namespace detail

SequenceResult evaluate_sequence(const std::vector<Row>& gt, const std::vector<Row>& tracker,
                                 const EvalOptions& options) {
  const detail::SequenceData d = detail::prepare_sequence(gt, tracker, options);
  detail::Matcher matcher;
  SequenceResult r;
  r.clear = detail::eval_clear(d, matcher);
  r.identity = detail::eval_identity(d, matcher);
  r.hota = detail::eval_hota(d, matcher);
  r.num_gt_dets = d.num_gt_dets();
  r.num_tracker_dets = d.num_tracker_dets();
  r.num_gt_ids = d.num_gt_ids;
  r.num_tracker_ids = d.num_tracker_ids;
  r.num_removed_tracker_dets = d.num_removed_tracker_dets;
  return r;
}

void finalize(SequenceResult& result) {
  detail::finalize_clear(result.clear);
  detail::finalize_identity(result.identity);
  detail::finalize_hota(result.hota);
}

SequenceResult combine(const std::vector<SequenceResult>& sequences) {
  SequenceResult c;
  HotaMetrics::PerAlpha& ch = c.hota.per_alpha;
  AlphaArray ass_a{}, ass_re{}, ass_pr{}, loc{};
  for (const SequenceResult& s : sequences) {
    ClearMetrics& cc = c.clear;
    cc.tp += s.clear.tp, cc.fn += s.clear.fn, cc.fp += s.clear.fp, cc.idsw += s.clear.idsw;
    cc.mt += s.clear.mt, cc.pt += s.clear.pt, cc.ml += s.clear.ml, cc.frag += s.clear.frag;
    cc.frames += s.clear.frames, cc.motp_sum += s.clear.motp_sum;
    c.identity.idtp += s.identity.idtp, c.identity.idfn += s.identity.idfn, c.identity.idfp += s.identity.idfp;
    const HotaMetrics::PerAlpha& sh = s.hota.per_alpha;
    for (int a = 0; a < kNumAlphas; ++a) {
      ch.tp[a] += sh.tp[a], ch.fn[a] += sh.fn[a], ch.fp[a] += sh.fp[a];
      const double w = static_cast<double>(sh.tp[a]);
      ass_a[a] += sh.ass_a[a] * w, ass_re[a] += sh.ass_re[a] * w, ass_pr[a] += sh.ass_pr[a] * w;
      loc[a] += sh.loc_a[a] * w;
    }
    c.num_gt_dets += s.num_gt_dets, c.num_tracker_dets += s.num_tracker_dets;
    c.num_gt_ids += s.num_gt_ids, c.num_tracker_ids += s.num_tracker_ids;
    c.num_removed_tracker_dets += s.num_removed_tracker_dets;
  }
  detail::set_association_scores(ch, ass_a, ass_re, ass_pr, loc);
  finalize(c);
  return c;
}

} // namespace mot
} // namespace trackkit
