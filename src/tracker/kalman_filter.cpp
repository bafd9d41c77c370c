#include "tracker/kalman_filter.hpp"

#include <Eigen/Cholesky>

namespace trackkit::detail {

Vec4 KalmanFilter::scales(const Vec4& m) const {
  // XYAH: the aspect ratio has fixed noise, set by the callers below; its scale here is unused.
  return model_ == MotionModel::XYAH ? Vec4(m[3], m[3], 0, m[3]) : Vec4(m[2], m[3], m[2], m[3]);
}

void KalmanFilter::initiate(const Vec4& z, Vec8& mean, Mat8& covariance) const {
  mean << z, 0, 0, 0, 0;
  const Vec4 s = scales(z);
  Vec8 std;
  std << 2 * kWeightPosition * s, 10 * kWeightVelocity * s;
  if (model_ == MotionModel::XYAH) std[2] = 1e-2, std[6] = 1e-5;
  covariance = std.cwiseProduct(std).asDiagonal();
}

void KalmanFilter::predict(Vec8& mean, Mat8& covariance) const {
  const Vec4 s = scales(mean.head<4>());
  Vec8 std;
  std << kWeightPosition * s, kWeightVelocity * s;
  if (model_ == MotionModel::XYAH) std[2] = 1e-2, std[6] = 1e-5;
  // x' = F x with F = [I I; 0 I]: position += velocity. Written out, not as 8x8 products.
  mean.head<4>() += mean.tail<4>();
  Mat8 fp = covariance; // F P
  fp.topRows<4>() += covariance.bottomRows<4>();
  Mat8 fpf = fp; // (F P) F^T
  fpf.leftCols<4>() += fp.rightCols<4>();
  covariance = fpf;
  covariance.diagonal() += std.cwiseProduct(std);
}

void KalmanFilter::update(Vec8& mean, Mat8& covariance, const Vec4& z) const {
  Vec4 std = kWeightPosition * scales(mean.head<4>());
  if (model_ == MotionModel::XYAH) std[2] = 1e-1;
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

void apply_warp(const double warp[6], Vec8& mean, Mat8& covariance) {
  Eigen::Matrix2d r;
  r << warp[0], warp[1], warp[3], warp[4];
  Mat8 big = Mat8::Zero(); // kron(I4, R)
  for (int k = 0; k < 4; ++k) big.block<2, 2>(2 * k, 2 * k) = r;
  mean = (big * mean).eval();
  mean[0] += warp[2];
  mean[1] += warp[5];
  covariance = (big.lazyProduct(covariance)).lazyProduct(big.transpose());
}

} // namespace trackkit::detail
