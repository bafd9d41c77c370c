#pragma once
// The constant-velocity Kalman filter of SORT/DeepSORT/ByteTrack over box state (cx, cy, a, h) and its
// velocities, with noise proportional to the box height. Same arithmetic as ByteTrack's kalman_filter.py.
#include <Eigen/Core>

namespace trackkit::detail {

using Vec4 = Eigen::Matrix<double, 4, 1>;
using Vec8 = Eigen::Matrix<double, 8, 1>;
using Mat8 = Eigen::Matrix<double, 8, 8>;

class KalmanXYAH {
 public:
  /// A new track from a measurement (cx, cy, a, h): zero velocity, large velocity uncertainty.
  void initiate(const Vec4& measurement, Vec8& mean, Mat8& covariance) const;
  /// One frame ahead.
  void predict(Vec8& mean, Mat8& covariance) const;
  /// Corrects with a measurement (cx, cy, a, h).
  void update(Vec8& mean, Mat8& covariance, const Vec4& measurement) const;

 private:
  static constexpr double kWeightPosition = 1.0 / 20;
  static constexpr double kWeightVelocity = 1.0 / 160;
};

} // namespace trackkit::detail
