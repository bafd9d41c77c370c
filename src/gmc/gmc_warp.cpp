// Warp bookkeeping shared by every method: coordinate conventions, scaling and plausibility.
#include <cmath>

#include "gmc_internal.hpp"

namespace trackkit::detail::gmc {
namespace {

cv::Matx33d translation(double dx, double dy) { return {1, 0, dx, 0, 1, dy, 0, 0, 1}; }

} // namespace

// OpenCV's feature, flow and ECC functions put pixel centres at integer coordinates; trackkit's convention
// puts them at +0.5. With u = x - 0.5: W_continuous = T(+0.5) * W_index * T(-0.5). The two differ by
// (I - M) * 0.5 in translation, which matters once scaled up by the downscale factor.
cv::Matx33d index_to_continuous(const cv::Matx33d& index_warp) {
  return translation(0.5, 0.5) * index_warp * translation(-0.5, -0.5);
}

cv::Matx33d continuous_to_index(const cv::Matx33d& warp) {
  return translation(-0.5, -0.5) * warp * translation(0.5, 0.5);
}

// x_full = S x_small, so W_full = S W S^-1: translations scale per axis, and the off-diagonal terms by
// sx/sy when the two axes were reduced by different ratios (e.g. 1080 / 270 = 4 but 1082 / 270 != 4).
cv::Matx33d rescale(const cv::Matx33d& warp, double sx, double sy) {
  const cv::Matx33d s(sx, 0, 0, 0, sy, 0, 0, 0, 1);
  const cv::Matx33d s_inv(1 / sx, 0, 0, 0, 1 / sy, 0, 0, 0, 1);
  return s * warp * s_inv;
}

bool plausible(const cv::Matx33d& warp, double max_scale_change, int width, int height) {
  for (const double v : warp.val) {
    if (!std::isfinite(v)) return false;
  }
  if (std::abs(warp(2, 2)) < 1e-12) return false;
  const cv::Matx33d w = warp * (1.0 / warp(2, 2));
  // Perspective terms: over the frame they may change the scale by at most max_scale_change.
  if ((std::abs(w(2, 0)) * width + std::abs(w(2, 1)) * height) > max_scale_change) return false;
  const double det = w(0, 0) * w(1, 1) - w(0, 1) * w(1, 0);
  if (det <= 0) return false; // a mirror image is no camera motion
  const double scale = std::sqrt(det);
  return std::abs(scale - 1) <= max_scale_change;
}

cv::Size processing_size(int width, int height, int downscale) {
  return {std::max(1, width / downscale), std::max(1, height / downscale)};
}

} // namespace trackkit::detail::gmc
