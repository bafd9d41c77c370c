// Per-pair estimation of the CPU methods: coarse-to-fine ECC, sparse optical flow, ORB/SIFT matching.
#include <opencv2/calib3d.hpp>
#include <opencv2/features2d.hpp>
#include <opencv2/video/tracking.hpp>

#include <cmath>
#include <vector>

#include "gmc_internal.hpp"

namespace trackkit::detail::gmc {
namespace {

int ecc_motion_type(EccMotion m) {
  switch (m) {
    case EccMotion::Translation: return cv::MOTION_TRANSLATION;
    case EccMotion::Euclidean: return cv::MOTION_EUCLIDEAN;
    case EccMotion::Affine: return cv::MOTION_AFFINE;
    case EccMotion::Homography: return cv::MOTION_HOMOGRAPHY;
  }
  return cv::MOTION_EUCLIDEAN;
}

cv::Matx33d to33(const cv::Mat& m) {
  cv::Matx33d w = cv::Matx33d::eye();
  for (int r = 0; r < m.rows; ++r) {
    for (int c = 0; c < 3; ++c) w(r, c) = m.depth() == CV_32F ? m.at<float>(r, c) : m.at<double>(r, c);
  }
  return w;
}

cv::Mat to_cv(const cv::Matx33d& w, int rows) {
  cv::Mat m(rows, 3, CV_32F);
  for (int r = 0; r < rows; ++r) {
    for (int c = 0; c < 3; ++c) m.at<float>(r, c) = static_cast<float>(w(r, c));
  }
  return m;
}

// Coarse to fine: each level starts from the coarser level's warp, so large motions converge and the fine
// level needs few iterations. The input mask (current frame's detections) excludes moving objects.
PairEstimate ecc(const GmcOptions& o, const Prepared& prev, const Prepared& cur) {
  PairEstimate e;
  const int rows = o.ecc_motion == EccMotion::Homography ? 3 : 2;
  const int levels = static_cast<int>(std::min(prev.ecc_levels.size(), cur.ecc_levels.size()));
  const cv::TermCriteria criteria(cv::TermCriteria::COUNT + cv::TermCriteria::EPS, o.ecc_iterations, o.ecc_eps);
  cv::Matx33d warp = cv::Matx33d::eye(); // continuous coordinates of the current level
  bool any = false;
  double correlation = 0;
  for (int l = levels - 1; l >= 0; --l) {
    const cv::Mat& t = prev.ecc_levels[l];
    const cv::Mat& in = cur.ecc_levels[l];
    if (l < levels - 1) {
      const cv::Mat& coarse = prev.ecc_levels[l + 1];
      warp = rescale(warp, static_cast<double>(t.cols) / coarse.cols, static_cast<double>(t.rows) / coarse.rows);
    }
    cv::Mat mask;
    if (!cur.mask.empty()) cv::resize(cur.mask, mask, in.size(), 0, 0, cv::INTER_NEAREST);
    cv::Mat m = to_cv(continuous_to_index(warp), rows);
    try {
      correlation = cv::findTransformECC(t, in, m, ecc_motion_type(o.ecc_motion), criteria, mask, 1);
      warp = index_to_continuous(to33(m));
      any = true;
    } catch (const cv::Exception&) {
      // No convergence (the correlation fell). On a coarse level that can be texture averaged away: the
      // finer levels start from where this one began. After a level converged, keep its estimate.
      if (any) break;
    }
  }
  e.quality.points = cur.ecc_levels.empty() ? 0 : cur.ecc_levels[0].cols * cur.ecc_levels[0].rows;
  e.quality.score = correlation;
  if (!any || !std::isfinite(correlation) || correlation < o.ecc_min_correlation) {
    // No level converged, or to a low correlation: the frames do not show the same scene.
    e.quality.status = GmcStatus::SceneCut;
  } else {
    e.warp = warp;
    e.quality.status = GmcStatus::Ok;
  }
  return e;
}

// RANSAC partial affine (rotation, uniform scale, translation) over matched points in index coordinates.
// `candidates`: the points there were to match or track; when they were plenty but few survived, the
// frames show different scenes.
PairEstimate fit_partial_affine(const GmcOptions& o, const std::vector<cv::Point2f>& from,
                                const std::vector<cv::Point2f>& to, size_t candidates) {
  PairEstimate e;
  e.quality.points = static_cast<int32_t>(from.size());
  if (static_cast<int>(from.size()) < std::max(o.min_points, 3)) {
    const bool cut = static_cast<double>(from.size()) < o.min_inlier_ratio * static_cast<double>(candidates) &&
                     static_cast<int>(candidates) >= o.min_points;
    e.quality.status = cut ? GmcStatus::SceneCut : GmcStatus::TooFewPoints;
    return e;
  }
  std::vector<uchar> inliers;
  const cv::Mat m = cv::estimateAffinePartial2D(from, to, inliers, cv::RANSAC, o.ransac_threshold, 2000, 0.995, 10);
  int count = 0;
  for (uchar i : inliers) count += i != 0;
  e.quality.inliers = count;
  e.quality.score = static_cast<double>(count) / static_cast<double>(from.size());
  if (m.empty()) {
    e.quality.status = GmcStatus::Failed;
  } else if (e.quality.score < o.min_inlier_ratio || count < o.min_points) {
    // Enough points, but too few of them agree on one motion.
    e.quality.status = GmcStatus::SceneCut;
  } else {
    e.warp = index_to_continuous(to33(m));
    e.quality.status = GmcStatus::Ok;
  }
  return e;
}

PairEstimate sparse_flow(const GmcOptions& o, const Prepared& prev, const Prepared& cur) {
  if (static_cast<int>(prev.corners.size()) < o.min_points) {
    PairEstimate e;
    e.quality.points = static_cast<int32_t>(prev.corners.size());
    e.quality.status = GmcStatus::TooFewPoints;
    return e;
  }
  std::vector<cv::Point2f> next;
  std::vector<uchar> found;
  std::vector<float> error;
  const cv::TermCriteria criteria(cv::TermCriteria::COUNT + cv::TermCriteria::EPS, 30, 0.01);
  cv::calcOpticalFlowPyrLK(prev.flow_pyramid, cur.flow_pyramid, prev.corners, next, found, error,
                           cv::Size(o.flow_window, o.flow_window), o.flow_levels, criteria);
  std::vector<cv::Point2f> from, to;
  for (size_t i = 0; i < found.size(); ++i) {
    if (found[i]) from.push_back(prev.corners[i]), to.push_back(next[i]);
  }
  return fit_partial_affine(o, from, to, prev.corners.size());
}

// Lowe's ratio test and a spatial limit (a quarter of the frame) before RANSAC.
PairEstimate features(const GmcOptions& o, const Prepared& prev, const Prepared& cur) {
  std::vector<cv::Point2f> from, to;
  if (!prev.descriptors.empty() && !cur.descriptors.empty()) {
    cv::BFMatcher matcher(o.method == GmcMethod::Orb ? cv::NORM_HAMMING : cv::NORM_L2);
    std::vector<std::vector<cv::DMatch>> knn;
    matcher.knnMatch(prev.descriptors, cur.descriptors, knn, 2);
    const float max_dx = 0.25f * static_cast<float>(cur.gray.cols), max_dy = 0.25f * static_cast<float>(cur.gray.rows);
    for (const auto& pair : knn) {
      if (pair.size() < 2 || pair[0].distance >= 0.8f * pair[1].distance) continue;
      const cv::Point2f a = prev.keypoints[pair[0].queryIdx].pt, b = cur.keypoints[pair[0].trainIdx].pt;
      if (std::abs(a.x - b.x) < max_dx && std::abs(a.y - b.y) < max_dy) from.push_back(a), to.push_back(b);
    }
  }
  return fit_partial_affine(o, from, to, std::min(prev.keypoints.size(), cur.keypoints.size()));
}

} // namespace

PairEstimate estimate_pair_cpu(const GmcOptions& o, const Prepared& prev, const Prepared& cur) {
  PairEstimate e;
  if (o.method == GmcMethod::None) {
    e.quality.status = GmcStatus::Ok;
    return e;
  }
  if (prev.full_width != cur.full_width || prev.full_height != cur.full_height) {
    e.quality.status = GmcStatus::SizeChanged;
    return e;
  }
  if (prev.flat || cur.flat) {
    e.quality.status = GmcStatus::Textureless;
    return e;
  }
  try {
    switch (o.method) {
      case GmcMethod::Ecc: e = ecc(o, prev, cur); break;
      case GmcMethod::SparseOpticalFlow: e = sparse_flow(o, prev, cur); break;
      default: e = features(o, prev, cur); break;
    }
  } catch (const cv::Exception&) {
    e = PairEstimate();
    e.quality.status = GmcStatus::Failed;
  }
  if (e.quality.status == GmcStatus::Ok && !plausible(e.warp, o.max_scale_change, cur.gray.cols, cur.gray.rows)) {
    e.warp = cv::Matx33d::eye();
    e.quality.status = GmcStatus::Failed;
  }
  return e;
}

} // namespace trackkit::detail::gmc
