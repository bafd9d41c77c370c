#include "kalman_filter.hpp"

#include <Eigen/Cholesky>

namespace trackkit::detail {

Vec4 KalmanFilter::scales(const Vec4& m) const {
  // XYAH: the aspect ratio has fixed noise, set by the callers below; its scale here is unused.
  return model_ == MotionModel::XYAH ? Vec4(m[3], m[3], 0, m[3]) : Vec4(m[2], m[3], m[2], m[3]);
}

void KalmanFilter::initiate(const Vec4& measurement, Vec8& mean, Mat8& covariance) const {
  mean << measurement, 0, 0, 0, 0;
  const Vec4 s = scales(measurement);
  Vec8 std;
  std << 2 * kWeightPosition * s, 10 * kWeightVelocity * s;
  if (model_ == MotionModel::XYAH) std[2] = 1e-2, std[6] = 1e-5;
  covariance = std.cwiseProduct(std).asDiagonal();
}

void KalmanFilter::predict(Means& means, Covariances& covariances) const {
  const Eigen::Index n = means.cols();
  if (n == 0) return; // Eigen's row views of an empty matrix offset its NULL data (undefined behaviour)
  // Process noise std per state, from the size before the step: rows (x, y, a|w, h) of position, then velocity.
  Means std(8, n);
  if (model_ == MotionModel::XYAH) {
    const auto h = means.row(3);
    std.row(0) = std.row(1) = std.row(3) = kWeightPosition * h;
    std.row(4) = std.row(5) = std.row(7) = kWeightVelocity * h;
    std.row(2).setConstant(1e-2);
    std.row(6).setConstant(1e-5);
  } else {
    std.row(0) = std.row(2) = kWeightPosition * means.row(2);
    std.row(1) = std.row(3) = kWeightPosition * means.row(3);
    std.row(4) = std.row(6) = kWeightVelocity * means.row(2);
    std.row(5) = std.row(7) = kWeightVelocity * means.row(3);
  }
  // x' = F x with F = [I I; 0 I]: position += velocity, for every state in one operation.
  means.topRows<4>() += means.bottomRows<4>();
  for (Eigen::Index i = 0; i < n; ++i) {
    Mat8& p = covariances[i];
    Mat8 fp = p; // F P, written out rather than as 8x8 products
    fp.topRows<4>() += p.bottomRows<4>();
    p = fp; // (F P) F^T
    p.leftCols<4>() += fp.rightCols<4>();
    p.diagonal() += std.col(i).cwiseProduct(std.col(i));
  }
}

void KalmanFilter::update(Means& means, Covariances& covariances,
                          const Eigen::Matrix<double, 4, Eigen::Dynamic>& measurements) const {
  if (means.cols() == 0) return; // as in predict()
  // Measurement noise std per state (from its predicted size) and innovations, for all states at once.
  Eigen::Matrix<double, 4, Eigen::Dynamic> std(4, means.cols());
  if (model_ == MotionModel::XYAH) {
    std.row(0) = std.row(1) = std.row(3) = kWeightPosition * means.row(3);
    std.row(2).setConstant(1e-1);
  } else {
    std.row(0) = std.row(2) = kWeightPosition * means.row(2);
    std.row(1) = std.row(3) = kWeightPosition * means.row(3);
  }
  const Eigen::Matrix<double, 4, Eigen::Dynamic> innovation = measurements - means.topRows<4>();
  for (Eigen::Index i = 0; i < means.cols(); ++i) {
    Mat8& p = covariances[i];
    // Projection H = [I 0]: the measured part of the state.
    Eigen::Matrix4d s = p.topLeftCorner<4, 4>();
    s.diagonal() += std.col(i).cwiseProduct(std.col(i));
    const Eigen::Matrix<double, 8, 4> ph = p.leftCols<4>(); // P H^T
    const Eigen::Matrix<double, 8, 4> gain = s.llt().solve(ph.transpose()).transpose();
    means.col(i) += gain * innovation.col(i);
    // Coefficient-wise products: at these fixed sizes Eigen would otherwise call its general GEMM.
    const Eigen::Matrix<double, 8, 4> gs = gain.lazyProduct(s);
    p -= gs.lazyProduct(gain.transpose());
  }
}

void apply_warp(const double warp[6], bool sizes_by_abs, Means& means, Covariances& covariances) {
  if (means.cols() == 0) return; // as in KalmanFilter::predict()
  Eigen::Matrix2d r;
  r << warp[0], warp[1], warp[3], warp[4];
  Mat8 big = Mat8::Zero(); // kron(I4, R)
  for (int k = 0; k < 4; ++k) big.block<2, 2>(2 * k, 2 * k) = r;
  if (sizes_by_abs) big.block<2, 2>(2, 2) = big.block<2, 2>(6, 6) = r.cwiseAbs();
  for (int k = 0; k < 4; ++k) { // the 2x2 blocks of kron(I4, R) x means, for every state at once
    const Eigen::Matrix<double, 2, Eigen::Dynamic> pair = means.middleRows<2>(2 * k);
    means.middleRows<2>(2 * k) = big.block<2, 2>(2 * k, 2 * k) * pair;
  }
  means.row(0).array() += warp[2];
  means.row(1).array() += warp[5];
  for (Mat8& p : covariances) p = big.lazyProduct(p).lazyProduct(big.transpose());
}

} // namespace trackkit::detail
