#include "tracker/kalman_filter.hpp"

#include <Eigen/Cholesky>

namespace trackkit::detail {
namespace {

Vec8 square(const Vec8& v) { return v.cwiseProduct(v); }

} // namespace

void KalmanXYAH::initiate(const Vec4& z, Vec8& mean, Mat8& covariance) const {
  mean << z, 0, 0, 0, 0;
  const double h = z[3];
  Vec8 std;
  std << 2 * kWeightPosition * h, 2 * kWeightPosition * h, 1e-2, 2 * kWeightPosition * h, 10 * kWeightVelocity * h,
      10 * kWeightVelocity * h, 1e-5, 10 * kWeightVelocity * h;
  covariance = square(std).asDiagonal();
}

void KalmanXYAH::predict(Vec8& mean, Mat8& covariance) const {
  const double h = mean[3];
  Vec8 std;
  std << kWeightPosition * h, kWeightPosition * h, 1e-2, kWeightPosition * h, kWeightVelocity * h, kWeightVelocity * h,
      1e-5, kWeightVelocity * h;
  // x' = F x with F = [I I; 0 I]: position += velocity. Written out, not as 8x8 products.
  mean.head<4>() += mean.tail<4>();
  Mat8 fp = covariance; // F P
  fp.topRows<4>() += covariance.bottomRows<4>();
  Mat8 fpf = fp; // (F P) F^T
  fpf.leftCols<4>() += fp.rightCols<4>();
  covariance = fpf;
  covariance.diagonal() += square(std);
}

void KalmanXYAH::update(Vec8& mean, Mat8& covariance, const Vec4& z) const {
  const double h = mean[3];
  Vec4 std(kWeightPosition * h, kWeightPosition * h, 1e-1, kWeightPosition * h);
  // Projection H = [I 0]: the measured part of the state.
  Eigen::Matrix4d s = covariance.topLeftCorner<4, 4>();
  s.diagonal() += std.cwiseProduct(std);
  const Eigen::Matrix<double, 8, 4> ph = covariance.leftCols<4>(); // P H^T
  const Eigen::Matrix<double, 8, 4> gain = s.llt().solve(ph.transpose()).transpose();
  mean += gain * (z - mean.head<4>());
  // Coefficient-wise products: at these fixed sizes Eigen would otherwise call its general GEMM.
  const Eigen::Matrix<double, 8, 4> gs = gain.lazyProduct(s);
  covariance -= gs.lazyProduct(gain.transpose());
}

} // namespace trackkit::detail
