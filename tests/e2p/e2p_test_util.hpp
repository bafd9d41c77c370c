#pragma once
// Test material for EquirectToPinhole: the py360convert references written by tools/compare/e2p_reference.py
// (scripts/e2p-references.sh, into <build>/e2p-ref), PSNR, and an analytic sphere function whose value at any
// direction is known, to check sampling through the seam and the poles without any reference program.
#include <ATen/ATen.h>

#include <cmath>
#include <cstdint>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "trackkit/e2p.hpp"

// The E2P names every test file of the component uses.
using trackkit::E2PInterpolation;
using trackkit::E2PLayout;
using trackkit::E2POptions;
using trackkit::EquirectToPinhole;
using trackkit::PinholeView;

namespace e2p_test {

struct Case {
  std::string name, image, mode, file, sampler;
  double yaw = 0, pitch = 0, roll = 0, fx = 0, fy = 0;
  int64_t height = 0, width = 0;
};

struct References {
  std::string dir;
  std::map<std::string, at::Tensor> images; // uint8 [H,W,3]
  std::vector<Case> cases;
  bool empty() const { return cases.empty(); }
};

/// uint8 [H,W,3] from a raw file, or an undefined tensor.
inline at::Tensor read_raw(const std::string& path, int64_t height, int64_t width) {
  at::Tensor t = at::empty({height, width, 3}, at::kByte);
  std::ifstream in(path, std::ios::binary);
  in.read(reinterpret_cast<char*>(t.mutable_data_ptr<uint8_t>()), static_cast<std::streamsize>(t.numel()));
  return in ? t : at::Tensor();
}

/// The references in TK_E2P_REFERENCE (compile-time build path) or $TRACKKIT_E2P_REFERENCE; empty when absent.
inline References load_references() {
  References r;
  const char* env = std::getenv("TRACKKIT_E2P_REFERENCE");
  r.dir = env != nullptr ? env : TK_E2P_REFERENCE;
  std::ifstream manifest(r.dir + "/manifest.txt");
  std::string line;
  while (std::getline(manifest, line)) {
    std::istringstream fields(line);
    std::string kind;
    fields >> kind;
    if (kind == "image") {
      std::string name, file;
      int64_t h = 0, w = 0;
      fields >> name >> h >> w >> file;
      r.images[name] = read_raw(r.dir + "/" + file, h, w);
    } else if (kind == "case") {
      Case c;
      fields >> c.name >> c.image >> c.mode >> c.yaw >> c.pitch >> c.roll >> c.fx >> c.fy >> c.height >> c.width >>
          c.file >> c.sampler;
      r.cases.push_back(c);
    }
  }
  return r;
}

inline trackkit::PinholeView view_of(const Case& c) {
  trackkit::PinholeView v;
  v.yaw = c.yaw, v.pitch = c.pitch, v.roll = c.roll, v.fx = c.fx, v.fy = c.fy, v.width = c.width, v.height = c.height;
  return v;
}

/// PSNR in dB of two uint8 tensors of one shape (infinity when equal).
inline double psnr(const at::Tensor& a, const at::Tensor& b) {
  const double mse = (a.to(at::kDouble) - b.to(at::kDouble)).pow(2).mean().item<double>();
  return mse == 0 ? INFINITY : 10 * std::log10(255.0 * 255.0 / mse);
}

/// A smooth function on the sphere of a unit direction (x right, y down, z forward).
inline double sphere_value(double x, double y, double z) { return std::sin(3 * x + 1) + std::cos(2 * z - y) + 0.5 * y; }

/// An H x W float32 equirect [1,H,W,1] of sphere_value at pixel centres (docs/e2p.md's longitude / latitude).
inline at::Tensor sphere_equirect(int64_t height, int64_t width) {
  at::Tensor t = at::empty({1, height, width, 1}, at::kFloat);
  float* p = t.mutable_data_ptr<float>();
  for (int64_t j = 0; j < height; ++j) {
    const double lat = M_PI * (0.5 - (j + 0.5) / height);
    for (int64_t i = 0; i < width; ++i) {
      const double lon = 2 * M_PI * ((i + 0.5) / width - 0.5);
      p[j * width + i] = static_cast<float>(
          sphere_value(std::cos(lat) * std::sin(lon), -std::sin(lat), std::cos(lat) * std::cos(lon)));
    }
  }
  return t;
}

/// Direction of view pixel (i, j), built as docs/e2p.md states the convention, by rotating the camera's axes
/// about axes in turn (Rodrigues), independently of the library's matrix product: roll about the forward axis,
/// then pitch about the camera's right axis (up for positive), then yaw about the vertical (right for positive).
inline void pixel_direction(const trackkit::PinholeView& v, double fx, double fy, double i, double j, double d[3]) {
  auto rotate = [](double p[3], const double axis[3], double angle) {
    const double c = std::cos(angle), s = std::sin(angle);
    const double dot = axis[0] * p[0] + axis[1] * p[1] + axis[2] * p[2];
    const double cross[3] = {axis[1] * p[2] - axis[2] * p[1], axis[2] * p[0] - axis[0] * p[2],
                             axis[0] * p[1] - axis[1] * p[0]};
    for (int k = 0; k < 3; ++k) p[k] = p[k] * c + cross[k] * s + axis[k] * dot * (1 - c);
  };
  const double deg = M_PI / 180;
  double right[3] = {1, 0, 0}, down[3] = {0, 1, 0}, forward[3] = {0, 0, 1};
  // Roll: clockwise seen from behind turns right towards down (+z in x-right / y-down); pitch: up lifts forward
  // towards -y (+x); yaw: right turns forward towards +x (+y). Each about a fixed world axis, in this order.
  const double axes[3][3] = {{0, 0, 1}, {1, 0, 0}, {0, 1, 0}};
  const double angles[3] = {v.roll * deg, v.pitch * deg, v.yaw * deg};
  for (int r = 0; r < 3; ++r) {
    for (double* a : {right, down, forward}) rotate(a, axes[r], angles[r]);
  }
  const double cx = (i + 0.5 - 0.5 * v.width) / fx, cy = (j + 0.5 - 0.5 * v.height) / fy;
  for (int k = 0; k < 3; ++k) d[k] = right[k] * cx + down[k] * cy + forward[k];
}

} // namespace e2p_test
