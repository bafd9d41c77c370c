#pragma once
// The constant-velocity Kalman filter of SORT/DeepSORT/ByteTrack/BoT-SORT over a box state and its velocities,
// with noise proportional to the box size. XYAH (cx, cy, w/h, h; noise from h) is ByteTrack's, XYWH (cx, cy, w, h;
// noise from w and h) BoT-SORT's. Same arithmetic as their kalman_filter.py.
#include <Eigen/Core>

#include <vector>

#include "trackkit/tracker.hpp"

namespace trackkit::detail {

using Vec4 = Eigen::Matrix<double, 4, 1>;
using Vec8 = Eigen::Matrix<double, 8, 1>;
using Mat8 = Eigen::Matrix<double, 8, 8>;
/// Many states at once: means as columns, covariances alongside.
using Means = Eigen::Matrix<double, 8, Eigen::Dynamic>;
using Covariances = std::vector<Mat8>;

class KalmanFilter {
 public:
  explicit KalmanFilter(MotionModel model = MotionModel::XYAH) : model_(model) {}
  MotionModel model() const { return model_; }
  /// A new track from a measurement in the model's box form: zero velocity, large velocity uncertainty.
  void initiate(const Vec4& measurement, Vec8& mean, Mat8& covariance) const;
  /// Every state one frame ahead: means in one matrix operation, covariances as fixed-size 8x8 products.
  void predict(Means& means, Covariances& covariances) const;
  /// Corrects every state with its measurement (a column of `measurements`, the model's box form): the
  /// innovations and noise in matrix form over all states, the gain per state (a 4x4 Cholesky solve).
  void update(Means& means, Covariances& covariances,
              const Eigen::Matrix<double, 4, Eigen::Dynamic>& measurements) const;

 private:
  /// Position noise scales (std / weight) for a state or measurement m: (h,h,·,h) or (w,h,w,h).
  Vec4 scales(const Vec4& m) const;
  MotionModel model_;
  static constexpr double kWeightPosition = 1.0 / 20;
  static constexpr double kWeightVelocity = 1.0 / 160;
};

/// Applies a 2x3 camera warp (previous frame -> current frame, row-major) to every state in place, as
/// BoT-SORT's multi_gmc: positions and velocities rotated/scaled by its 2x2 part R, centre moved by its
/// translation, covariance transformed alike. sizes_by_abs: the size pairs use |R| (ultralytics' variant).
void apply_warp(const double warp[6], bool sizes_by_abs, Means& means, Covariances& covariances);

} // namespace trackkit::detail
