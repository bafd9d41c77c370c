// Per-frame work of the CPU methods: grey, downscale, contrast check, mask, and the method's features.
// Each frame is prepared once; a stream's apply() and a batch's pairs then reuse it.
#include <opencv2/features2d.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/video/tracking.hpp>

#include <algorithm>
#include <cmath>

#include "gmc_internal.hpp"

namespace trackkit::detail::gmc {
namespace {

// Writes into `gray` (reusing its buffer when the size matches: fresh 1-2 MB buffers per frame cost page
// faults worth a fifth of the sparse-flow budget).
void grey_downscaled(const GmcOptions& o, const cv::Mat& frame, cv::Mat& gray) {
  const cv::Size size = processing_size(frame.cols, frame.rows, o.downscale);
  // Grey first, then area averaging: OpenCV's one-channel 2x area path is several times faster than its
  // three-channel one, so 1080p BGR -> 960x540 grey takes 0.65 ms on one core against 1.0 ms the other way
  // round (docs/gmc.md). A power-of-two factor goes by halvings; the mean of means equals the 4x mean up to
  // rounding.
  if (frame.channels() == 1) {
    frame.copyTo(gray);
  } else {
    cv::cvtColor(frame, gray, o.rgb ? cv::COLOR_RGB2GRAY : cv::COLOR_BGR2GRAY);
  }
  if (gray.size() == size) return;
  const bool halve = (o.downscale & (o.downscale - 1)) == 0 && size.width * o.downscale == frame.cols &&
                     size.height * o.downscale == frame.rows;
  thread_local cv::Mat half;
  if (!halve) {
    cv::resize(gray, half, size, 0, 0, cv::INTER_AREA);
    half.copyTo(gray);
    return;
  }
  while (gray.size() != size) {
    cv::resize(gray, half, cv::Size(gray.cols / 2, gray.rows / 2), 0, 0, cv::INTER_AREA);
    cv::swap(gray, half);
  }
}

// At `size` (a level of the processing image): 255 inside the kept border, 0 on the border strip and
// inside detection boxes (moving objects). Empty when nothing is masked.
cv::Mat feature_mask(const GmcOptions& o, cv::Size size, int full_width, int full_height, BoxList boxes) {
  const bool use_boxes = o.mask_detections && boxes.count > 0;
  if (o.border <= 0 && !use_boxes) return {};
  cv::Mat mask(size, CV_8U, cv::Scalar(0));
  const int bx = static_cast<int>(o.border * size.width), by = static_cast<int>(o.border * size.height);
  mask(cv::Rect(bx, by, std::max(1, size.width - 2 * bx), std::max(1, size.height - 2 * by))).setTo(255);
  if (use_boxes) {
    const double sx = static_cast<double>(size.width) / full_width, sy = static_cast<double>(size.height) / full_height;
    for (int64_t i = 0; i < boxes.count; ++i) {
      const double* b = boxes.data + 4 * i;
      const int x1 = std::clamp(static_cast<int>(std::floor(b[0] * sx)), 0, size.width);
      const int y1 = std::clamp(static_cast<int>(std::floor(b[1] * sy)), 0, size.height);
      const int x2 = std::clamp(static_cast<int>(std::ceil(b[2] * sx)), 0, size.width);
      const int y2 = std::clamp(static_cast<int>(std::ceil(b[3] * sy)), 0, size.height);
      if (x2 > x1 && y2 > y1) mask(cv::Rect(x1, y1, x2 - x1, y2 - y1)).setTo(0);
    }
  }
  return mask;
}

bool is_flat(const GmcOptions& o, const cv::Mat& grey) {
  cv::Scalar mean, stddev;
  cv::meanStdDev(grey, mean, stddev);
  return stddev[0] < o.min_contrast;
}

/// Corners on the pyramid (already built from p.gray).
void prepare_flow(const GmcOptions& o, Prepared& p, BoxList boxes) {
  // Corners from a coarser pyramid level: a corner there is textured at the finer levels too, and LK
  // tracks the point wherever it starts, so only the search runs at low resolution.
  const int level = std::min<int>(o.corner_level, static_cast<int>(p.flow_pyramid.size()) - 1);
  const cv::Mat& image = p.flow_pyramid[level];
  p.mask = feature_mask(o, image.size(), p.full_width, p.full_height, boxes);
  const double scale = 1 << level;
  // minDistance 1 would reject nothing yet send goodFeaturesToTrack through its per-pixel grid; below 2
  // it is 0 here (docs/gmc.md).
  double min_distance = o.corner_min_distance / scale;
  if (min_distance < 2) min_distance = 0;
  cv::goodFeaturesToTrack(image, p.corners, o.max_corners, o.corner_quality, min_distance, p.mask, 3, false);
  for (cv::Point2f& c : p.corners) c *= static_cast<float>(scale); // pyrDown: pixel i -> 2i
}

void prepare_features(const GmcOptions& o, Prepared& p) {
  cv::Ptr<cv::Feature2D> f;
  if (o.method == GmcMethod::Orb) {
    f = cv::ORB::create(o.max_keypoints, 1.2f, 4, 15, 0, 2, cv::ORB::HARRIS_SCORE, 15, 20);
  } else {
    f = cv::SIFT::create(o.max_keypoints, 3, 0.02, 20);
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

Prepared prepare_cpu(const GmcOptions& o, const cv::Mat& frame, BoxList boxes, Prepared&& recycle) {
  Prepared p;
  p.full_width = frame.cols;
  p.full_height = frame.rows;
  if (o.method == GmcMethod::None) return p;
  p.gray = std::move(recycle.gray);
  p.flow_pyramid = std::move(recycle.flow_pyramid);
  try {
    grey_downscaled(o, frame, p.gray);
    if (o.method == GmcMethod::SparseOpticalFlow) {
      // The contrast check on the corner level (16x fewer pixels at level 2) instead of the full image.
      cv::buildOpticalFlowPyramid(p.gray, p.flow_pyramid, cv::Size(o.flow_window, o.flow_window), o.flow_levels, false);
      p.flat = is_flat(o, p.flow_pyramid[std::min<int>(o.corner_level, static_cast<int>(p.flow_pyramid.size()) - 1)]);
      if (!p.flat) prepare_flow(o, p, boxes);
      return p;
    }
    p.flat = is_flat(o, p.gray);
    if (p.flat) return p;
    if (o.method == GmcMethod::Ecc) {
      // ECC masks only detections (its own warp handles the border).
      GmcOptions no_border = o;
      no_border.border = 0;
      p.mask = feature_mask(no_border, p.gray.size(), frame.cols, frame.rows, boxes);
      prepare_ecc(o, p);
    } else {
      p.mask = feature_mask(o, p.gray.size(), frame.cols, frame.rows, boxes);
      prepare_features(o, p);
    }
  } catch (const cv::Exception&) {
    // Treated as a frame without usable content; the pair reports it.
    p.flat = true;
  }
  return p;
}

} // namespace trackkit::detail::gmc
