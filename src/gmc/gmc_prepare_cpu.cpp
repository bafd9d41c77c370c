// Per-frame work of the CPU methods: grey, downscale, contrast check, mask, and the method's features.
// Each frame is prepared once; a stream's apply() and a batch's pairs then reuse it.
#include <opencv2/features2d.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/video/tracking.hpp>

#include <algorithm>
#include <cmath>

#include "gmc/gmc_internal.hpp"

namespace trackkit::detail::gmc {
namespace {

cv::Mat grey_downscaled(const GmcOptions& o, const cv::Mat& frame) {
  const cv::Size size = processing_size(frame.cols, frame.rows, o.downscale);
  cv::Mat small = frame;
  // Area averaging first: at 2x and 4x it is OpenCV's fast integer path, and the colour conversion then
  // touches downscale^2 times fewer pixels.
  if (size != frame.size()) cv::resize(frame, small, size, 0, 0, cv::INTER_AREA);
  if (small.channels() == 1) return small.data == frame.data ? small.clone() : small;
  cv::Mat gray;
  cv::cvtColor(small, gray, o.rgb ? cv::COLOR_RGB2GRAY : cv::COLOR_BGR2GRAY);
  return gray;
}

// 255 inside the kept border, 0 on the border strip and inside detection boxes (moving objects).
cv::Mat feature_mask(const GmcOptions& o, const cv::Mat& gray, int full_width, int full_height, BoxList boxes) {
  const bool use_boxes = o.mask_detections && boxes.count > 0;
  if (o.border <= 0 && !use_boxes) return {};
  cv::Mat mask(gray.size(), CV_8U, cv::Scalar(0));
  const int bx = static_cast<int>(o.border * gray.cols), by = static_cast<int>(o.border * gray.rows);
  mask(cv::Rect(bx, by, std::max(1, gray.cols - 2 * bx), std::max(1, gray.rows - 2 * by))).setTo(255);
  if (use_boxes) {
    const double sx = static_cast<double>(gray.cols) / full_width, sy = static_cast<double>(gray.rows) / full_height;
    for (int64_t i = 0; i < boxes.count; ++i) {
      const double* b = boxes.data + 4 * i;
      const int x1 = std::clamp(static_cast<int>(std::floor(b[0] * sx)), 0, gray.cols);
      const int y1 = std::clamp(static_cast<int>(std::floor(b[1] * sy)), 0, gray.rows);
      const int x2 = std::clamp(static_cast<int>(std::ceil(b[2] * sx)), 0, gray.cols);
      const int y2 = std::clamp(static_cast<int>(std::ceil(b[3] * sy)), 0, gray.rows);
      if (x2 > x1 && y2 > y1) mask(cv::Rect(x1, y1, x2 - x1, y2 - y1)).setTo(0);
    }
  }
  return mask;
}

void prepare_flow(const GmcOptions& o, Prepared& p) {
  // minDistance 1 would reject nothing yet send goodFeaturesToTrack through its per-pixel grid; below 2
  // it is 0 here (docs/gmc.md).
  const double min_distance = o.corner_min_distance < 2 ? 0 : o.corner_min_distance;
  cv::goodFeaturesToTrack(p.gray, p.corners, o.max_corners, o.corner_quality, min_distance, p.mask, 3, false);
  cv::buildOpticalFlowPyramid(p.gray, p.flow_pyramid, cv::Size(o.flow_window, o.flow_window), o.flow_levels, false);
}

void prepare_features(const GmcOptions& o, Prepared& p) {
  cv::Ptr<cv::Feature2D> f;
  if (o.method == GmcMethod::Orb) {
    f = cv::ORB::create(o.max_corners * 2, 1.2f, 4, 15, 0, 2, cv::ORB::HARRIS_SCORE, 15, 20);
  } else {
    f = cv::SIFT::create(o.max_corners, 3, 0.02, 20);
  }
  f->detectAndCompute(p.gray, p.mask, p.keypoints, p.descriptors);
  if (o.method == GmcMethod::Orb && !p.keypoints.empty()) {
    // ORB places keypoints on its pyramid's pixel grid (up to 1.2^7 px apart at the top level): refined to
    // sub-pixel, the warp's error falls several-fold (docs/gmc.md).
    std::vector<cv::Point2f> pts;
    cv::KeyPoint::convert(p.keypoints, pts);
    cv::cornerSubPix(p.gray, pts, cv::Size(3, 3), cv::Size(-1, -1),
                     cv::TermCriteria(cv::TermCriteria::COUNT + cv::TermCriteria::EPS, 10, 0.01));
    for (size_t i = 0; i < pts.size(); ++i) p.keypoints[i].pt = pts[i];
  }
}

void prepare_ecc(const GmcOptions& o, Prepared& p) {
  cv::Mat level;
  p.gray.convertTo(level, CV_32F);
  if (o.ecc_blur_sigma > 0) cv::GaussianBlur(level, level, cv::Size(), o.ecc_blur_sigma);
  p.ecc_levels.push_back(level);
  for (int l = 1; l < o.ecc_levels; ++l) {
    const cv::Mat& fine = p.ecc_levels.back();
    if (fine.cols < 32 || fine.rows < 32) break; // too small to constrain a warp
    cv::Mat coarse;
    cv::resize(fine, coarse, cv::Size(fine.cols / 2, fine.rows / 2), 0, 0, cv::INTER_AREA);
    p.ecc_levels.push_back(coarse);
  }
}

} // namespace

Prepared prepare_cpu(const GmcOptions& o, const cv::Mat& frame, BoxList boxes) {
  Prepared p;
  p.full_width = frame.cols;
  p.full_height = frame.rows;
  if (o.method == GmcMethod::None) return p;
  try {
    p.gray = grey_downscaled(o, frame);
    cv::Scalar mean, stddev;
    cv::meanStdDev(p.gray, mean, stddev);
    p.flat = stddev[0] < o.min_contrast;
    if (p.flat) return p;
    if (o.method == GmcMethod::Ecc) {
      // ECC masks only detections (its own warp handles the border).
      GmcOptions no_border = o;
      no_border.border = 0;
      p.mask = feature_mask(no_border, p.gray, frame.cols, frame.rows, boxes);
      prepare_ecc(o, p);
    } else {
      p.mask = feature_mask(o, p.gray, frame.cols, frame.rows, boxes);
      if (o.method == GmcMethod::SparseOpticalFlow) {
        prepare_flow(o, p);
      } else {
        prepare_features(o, p);
      }
    }
  } catch (const cv::Exception&) {
    // Treated as a frame without usable content; the pair reports it.
    p.flat = true;
  }
  return p;
}

} // namespace trackkit::detail::gmc
