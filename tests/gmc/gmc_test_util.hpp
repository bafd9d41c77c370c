#pragma once
// Test material for GMC: real frames from $TRACKKIT_DATA, frame pairs related by a known warp, and the
// corner error of an estimated warp. Frames are read with imgcodecs/videoio where this OpenCV has them,
// else from .npy copies (uint8 [H,W,C]) under $TRACKKIT_DATA/gmc_frames/ (the GPU machine's bundle has
// neither; tools/compare/gmc_reference.py --export-npy writes them).
#include <ATen/ATen.h>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#ifdef TRACKKIT_HAVE_IMGCODECS
#include <opencv2/imgcodecs.hpp>
#endif
#ifdef TRACKKIT_HAVE_VIDEOIO
#include <opencv2/videoio.hpp>
#endif

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "../npy.hpp" // tests/npy.hpp, also for bench_gmc which sees only tests/gmc

namespace gmc_test {

inline std::string npy_name(const std::string& relative) {
  std::string n = relative;
  for (char& c : n) c = (c == '/' || c == '.') ? '_' : c;
  return "gmc_frames/" + n + ".npy";
}

/// A uint8 .npy array [H,W] or [H,W,C], C-order (what numpy.save writes for such arrays); empty when unreadable.
inline cv::Mat read_npy(const std::string& path) {
  const at::Tensor t = test_npy::read_npy(path);
  if (!t.defined() || t.scalar_type() != at::kByte || t.dim() < 2 || t.dim() > 3) return {};
  cv::Mat m(static_cast<int>(t.size(0)), static_cast<int>(t.size(1)),
            CV_8UC(t.dim() == 3 ? static_cast<int>(t.size(2)) : 1));
  std::memcpy(m.data, t.data_ptr(), static_cast<size_t>(t.numel()));
  return m;
}

/// A BGR image under the data folder (`relative` such as "mot/MOT17/train/MOT17-10-FRCNN/img1/000001.jpg"),
/// or an empty Mat when neither the file nor its .npy copy can be read here.
inline cv::Mat load_image(const std::string& data, const std::string& relative) {
#ifdef TRACKKIT_HAVE_IMGCODECS
  cv::Mat m = cv::imread(data + "/" + relative, cv::IMREAD_COLOR);
  if (!m.empty()) return m;
#endif
  return read_npy(data + "/" + npy_name(relative));
}

/// Frame `index` (0-based) of a video under the data folder, or empty.
inline cv::Mat load_video_frame(const std::string& data, const std::string& relative, int index) {
#ifdef TRACKKIT_HAVE_VIDEOIO
  cv::VideoCapture cap(data + "/" + relative);
  cv::Mat m;
  for (int i = 0; i <= index && cap.read(m); ++i) {
  }
  if (!m.empty()) return m.clone();
#endif
  return read_npy(data + "/" + npy_name(relative + "_" + std::to_string(index)));
}

inline cv::Matx33d about_centre(double angle_deg, double scale, double tx, double ty, double cx, double cy) {
  const double a = angle_deg * M_PI / 180, c = scale * std::cos(a), s = scale * std::sin(a);
  // x' = R (x - centre) + centre + t
  return {c, -s, cx - c * cx + s * cy + tx, s, c, cy - s * cx - c * cy + ty, 0, 0, 1};
}

/// Continuous (half-pixel) warp -> OpenCV's index-coordinate matrix.
inline cv::Matx33d to_index(const cv::Matx33d& w) {
  const cv::Matx33d a(1, 0, -0.5, 0, 1, -0.5, 0, 0, 1), b(1, 0, 0.5, 0, 1, 0.5, 0, 0, 1);
  return a * w * b;
}

struct Pair {
  cv::Mat previous, current;
  cv::Matx33d truth; ///< previous -> current, continuous full-resolution pixels
};

/// Both frames are views of `source` zoomed in by `zoom` (so no border shows); the current one is moved by
/// `motion` (previous-frame pixels -> current-frame pixels) on top. Output size = source size.
inline Pair make_pair(const cv::Mat& source, const cv::Matx33d& motion, double zoom = 1.1) {
  const double cx = source.cols / 2.0, cy = source.rows / 2.0;
  const cv::Matx33d view = about_centre(0, zoom, 0, 0, cx, cy); // source -> previous frame
  const cv::Matx33d second = motion * view;                     // source -> current frame
  Pair p;
  const cv::Matx33d iv = to_index(view), is = to_index(second);
  cv::warpPerspective(source, p.previous, cv::Mat(iv), source.size(), cv::INTER_LINEAR, cv::BORDER_REFLECT_101);
  cv::warpPerspective(source, p.current, cv::Mat(is), source.size(), cv::INTER_LINEAR, cv::BORDER_REFLECT_101);
  p.truth = motion;
  return p;
}

/// The four rigid motions (a pan and a roll of the camera; no zoom, so that euclidean ECC, the reference's
/// model, can represent them) that bench_gmc and tools/compare/gmc_reference.py apply to every source frame.
inline std::vector<cv::Matx33d> benchmark_motions(int width, int height) {
  const double table[4][4] = {
      {0.0, 1.0, 6.3, -3.1}, {0.5, 1.0, -12.4, 4.7}, {-1.0, 1.0, 3.2, 9.8}, {0.3, 1.0, 17.6, -8.2}};
  std::vector<cv::Matx33d> out;
  for (const auto& r : table) out.push_back(about_centre(r[0], r[1], r[2], r[3], width / 2.0, height / 2.0));
  return out;
}

inline cv::Matx33d to_matx(const at::Tensor& warp) {
  const at::Tensor w = warp.to(at::kDouble).cpu().contiguous();
  cv::Matx33d m = cv::Matx33d::eye();
  for (int r = 0; r < w.size(0); ++r) {
    for (int c = 0; c < 3; ++c) m(r, c) = w[r][c].item<double>();
  }
  return m;
}

/// Mean distance (pixels) between where the two warps send the frame's four corners.
inline double corner_error(const cv::Matx33d& estimate, const cv::Matx33d& truth, int width, int height) {
  double sum = 0;
  for (const cv::Vec3d p :
       {cv::Vec3d(0, 0, 1), cv::Vec3d(width, 0, 1), cv::Vec3d(0, height, 1), cv::Vec3d(width, height, 1)}) {
    const cv::Vec3d a = estimate * p, b = truth * p;
    sum += std::hypot(a[0] / a[2] - b[0] / b[2], a[1] / a[2] - b[1] / b[2]);
  }
  return sum / 4;
}

inline at::Tensor to_tensor(const cv::Mat& m) {
  return at::from_blob(m.data, {m.rows, m.cols, m.channels()}, at::kByte).clone();
}

} // namespace gmc_test
