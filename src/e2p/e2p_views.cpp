// EquirectToPinhole's camera arithmetic (host, double precision): validation of the views, focal lengths,
// rotation and the per-view ray coefficients the kernels take; presets; interpolation names.
#include <cmath>
#include <string>
#include <vector>

#include "e2p_views.hpp"
#include "trackkit/error.hpp"

namespace trackkit {

const char* e2p_interpolation_name(E2PInterpolation interpolation) noexcept {
  switch (interpolation) {
    case E2PInterpolation::Nearest: return "nearest";
    case E2PInterpolation::Bilinear: return "bilinear";
    case E2PInterpolation::Bicubic: return "bicubic";
  }
  return "unknown";
}

E2PInterpolation parse_e2p_interpolation(const std::string& text, const std::string& argument) {
  if (text == "nearest") return E2PInterpolation::Nearest;
  if (text == "bilinear" || text == "linear") return E2PInterpolation::Bilinear;
  if (text == "bicubic" || text == "cubic") return E2PInterpolation::Bicubic;
  fail_argument("parse_e2p_interpolation", argument, "must be nearest, bilinear or bicubic, got '" + text + "'");
}

std::vector<PinholeView> EquirectToPinhole::horizon(int n, int64_t width, int64_t height, double hfov, double pitch,
                                                    double first_yaw) {
  constexpr const char* fn = "EquirectToPinhole::horizon";
  if (n <= 0) fail_argument(fn, "n", "must be > 0, got " + std::to_string(n));
  // The views are checked here, where the caller's argument names are known, not only when a converter is built.
  if (width <= 0) fail_argument(fn, "width", "must be > 0, got " + std::to_string(width));
  if (height <= 0) fail_argument(fn, "height", "must be > 0, got " + std::to_string(height));
  if (!(hfov > 0 && hfov < 180)) fail_argument(fn, "hfov", "must be in (0,180) degrees, got " + std::to_string(hfov));
  if (!std::isfinite(pitch)) fail_argument(fn, "pitch", "must be finite, got " + std::to_string(pitch));
  if (!std::isfinite(first_yaw)) fail_argument(fn, "first_yaw", "must be finite, got " + std::to_string(first_yaw));
  std::vector<PinholeView> views(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    PinholeView& v = views[static_cast<size_t>(i)];
    v.yaw = first_yaw + 360.0 * i / n, v.pitch = pitch, v.width = width, v.height = height, v.hfov = hfov;
  }
  return views;
}

std::vector<PinholeView> EquirectToPinhole::cube_faces(int64_t size) {
  if (size <= 0) fail_argument("EquirectToPinhole::cube_faces", "size", "must be > 0, got " + std::to_string(size));
  const double yaw[6] = {0, 90, 180, -90, 0, 0}, pitch[6] = {0, 0, 0, 0, 90, -90};
  std::vector<PinholeView> views(6);
  for (int i = 0; i < 6; ++i) {
    PinholeView& v = views[static_cast<size_t>(i)];
    v.yaw = yaw[i], v.pitch = pitch[i], v.width = size, v.height = size, v.hfov = 90;
  }
  return views;
}

namespace detail::e2p {
namespace {

constexpr double kPi = 3.14159265358979323846;
double radians(double degrees) { return degrees * kPi / 180.0; }

void check_view(const PinholeView& v, size_t index) {
  const std::string name = "views[" + std::to_string(index) + "]";
  auto fail = [&](const std::string& field, const std::string& problem) {
    fail_argument("EquirectToPinhole", name + "." + field, problem);
  };
  if (v.width <= 0 || v.height <= 0) {
    fail(v.width <= 0 ? "width" : "height", "must be > 0, got " + std::to_string(v.width <= 0 ? v.width : v.height));
  }
  const double angles[3] = {v.yaw, v.pitch, v.roll};
  const char* angle_names[3] = {"yaw", "pitch", "roll"};
  for (int k = 0; k < 3; ++k) {
    if (!std::isfinite(angles[k])) fail(angle_names[k], "must be finite, got " + std::to_string(angles[k]));
  }
  auto check_focal = [&](double focal, double fov, const char* focal_name, const char* fov_name, bool fov_optional) {
    if (std::isnan(focal) || focal < 0 || std::isinf(focal)) fail(focal_name, "must be >= 0 and finite");
    if (focal > 0) return;
    if (fov_optional && fov == 0) return;
    if (!(fov > 0 && fov < 180)) fail(fov_name, "must be in (0,180) degrees, got " + std::to_string(fov));
  };
  check_focal(v.fx, v.hfov, "fx", "hfov", false);
  check_focal(v.fy, v.vfov, "fy", "vfov", true);
}

/// Rotation camera -> equirect frame, R = R_yaw(y) * R_pitch(x) * R_roll(z), in the y-down frame.
void rotation(const PinholeView& v, double r[9]) {
  const double cy = std::cos(radians(v.yaw)), sy = std::sin(radians(v.yaw));
  const double cp = std::cos(radians(v.pitch)), sp = std::sin(radians(v.pitch));
  const double cr = std::cos(radians(v.roll)), sr = std::sin(radians(v.roll));
  const double yaw[9] = {cy, 0, sy, 0, 1, 0, -sy, 0, cy};
  const double pitch[9] = {1, 0, 0, 0, cp, -sp, 0, sp, cp};
  const double roll[9] = {cr, -sr, 0, sr, cr, 0, 0, 0, 1};
  double yp[9];
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 3; ++j) {
      yp[3 * i + j] = yaw[3 * i] * pitch[j] + yaw[3 * i + 1] * pitch[3 + j] + yaw[3 * i + 2] * pitch[6 + j];
    }
  }
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 3; ++j) {
      r[3 * i + j] = yp[3 * i] * roll[j] + yp[3 * i + 1] * roll[3 + j] + yp[3 * i + 2] * roll[6 + j];
    }
  }
}

} // namespace

void check_views(const std::vector<PinholeView>& views) {
  if (views.empty()) fail_argument("EquirectToPinhole", "views", "must hold at least one view");
  for (size_t i = 0; i < views.size(); ++i) {
    check_view(views[i], i);
    if (views[i].width != views[0].width || views[i].height != views[0].height) {
      fail_argument("EquirectToPinhole", "views[" + std::to_string(i) + "]",
                    "must have the size of views[0] (" + std::to_string(views[0].width) + "x" +
                        std::to_string(views[0].height) + "), got " + std::to_string(views[i].width) + "x" +
                        std::to_string(views[i].height));
    }
  }
}

Focal focal_lengths(const PinholeView& v) {
  Focal f;
  f.fx = v.fx > 0 ? v.fx : 0.5 * static_cast<double>(v.width) / std::tan(radians(v.hfov) / 2);
  if (v.fy > 0) {
    f.fy = v.fy;
  } else if (v.vfov > 0) {
    f.fy = 0.5 * static_cast<double>(v.height) / std::tan(radians(v.vfov) / 2);
  } else {
    f.fy = f.fx;
  }
  return f;
}

ViewRays view_rays(const PinholeView& v) {
  double r[9];
  rotation(v, r);
  const Focal f = focal_lengths(v);
  // Pixel index i has its centre at continuous x = i + 0.5; the principal point is the image centre.
  const double x0 = (0.5 - 0.5 * static_cast<double>(v.width)) / f.fx;
  const double y0 = (0.5 - 0.5 * static_cast<double>(v.height)) / f.fy;
  ViewRays rays;
  rays.ax = static_cast<float>(r[0] / f.fx), rays.ay = static_cast<float>(r[3] / f.fx);
  rays.az = static_cast<float>(r[6] / f.fx);
  rays.bx = static_cast<float>(r[1] / f.fy), rays.by = static_cast<float>(r[4] / f.fy);
  rays.bz = static_cast<float>(r[7] / f.fy);
  rays.cx = static_cast<float>(r[0] * x0 + r[1] * y0 + r[2]);
  rays.cy = static_cast<float>(r[3] * x0 + r[4] * y0 + r[5]);
  rays.cz = static_cast<float>(r[6] * x0 + r[7] * y0 + r[8]);
  return rays;
}

Equirect equirect_of(int64_t height, int64_t width) {
  return {static_cast<int32_t>(width), static_cast<int32_t>(height),
          static_cast<float>(static_cast<double>(width) / (2 * kPi)),
          static_cast<float>(static_cast<double>(height) / kPi)};
}

} // namespace detail::e2p
} // namespace trackkit
