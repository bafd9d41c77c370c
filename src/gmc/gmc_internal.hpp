#pragma once
// Pieces behind trackkit::GMC (src/gmc/gmc.cpp dispatches). A frame is prepared once (grey, downscaled,
// features); a pair of prepared frames gives one warp. Warps are carried as 3x3 matrices in the processing
// image's continuous pixel coordinates (half-pixel centres) until gmc.cpp scales them to full resolution.
#include <opencv2/core.hpp>

#include <vector>

#include "trackkit/gmc.hpp"

namespace trackkit::detail::gmc {

/// One frame reduced for estimation. Pairs only read it, so a batch prepares each frame once.
struct Prepared {
  int full_width = 0, full_height = 0;
  cv::Mat gray; ///< CV_8U, (full / downscale) pixels
  bool flat = false;
  cv::Mat mask; ///< CV_8U, 0 where features / ECC pixels are excluded (border, detections); empty: none
  std::vector<cv::Point2f> corners;    ///< sparse flow: Shi-Tomasi corners (pixel-index coordinates)
  std::vector<cv::Mat> flow_pyramid;   ///< sparse flow: LK pyramid of gray
  std::vector<cv::KeyPoint> keypoints; ///< ORB / SIFT
  cv::Mat descriptors;
  std::vector<cv::Mat> ecc_levels; ///< ECC: CV_32F blurred pyramid, finest first
};

struct PairEstimate {
  cv::Matx33d warp = cv::Matx33d::eye(); ///< processing pixels, continuous coordinates
  GmcQuality quality;
};

/// Boxes in full-resolution pixels (x1,y1,x2,y2), for masking.
struct BoxList {
  const double* data = nullptr; ///< 4 values a box
  int64_t count = 0;
};

/// frame: CV_8UC1 or CV_8UC3 at full resolution. `recycle`: a prepared frame no longer needed, whose
/// buffers are reused.
Prepared prepare_cpu(const GmcOptions& options, const cv::Mat& frame, BoxList boxes, Prepared&& recycle = {});
/// Never throws on image content (OpenCV errors become GmcStatus::Failed).
PairEstimate estimate_pair_cpu(const GmcOptions& options, const Prepared& previous, const Prepared& current);

// ---- warps (gmc_warp.cpp) ----

/// Index coordinates (OpenCV's: pixel centres at integers) -> continuous (centres at +0.5).
cv::Matx33d index_to_continuous(const cv::Matx33d& index_warp);
cv::Matx33d continuous_to_index(const cv::Matx33d& warp);
/// Conjugates a continuous-coordinate warp by the per-axis scale (sx, sy): warp of images sx, sy times larger.
cv::Matx33d rescale(const cv::Matx33d& warp, double sx, double sy);
/// Finite, scale within 1 +- max_scale_change, perspective terms small.
bool plausible(const cv::Matx33d& warp, double max_scale_change, int width, int height);
/// The processing size of a frame: integer division by downscale, at least 1 pixel.
cv::Size processing_size(int width, int height, int downscale);

} // namespace trackkit::detail::gmc
