#pragma once
// Test material for the face detector: TorchScript models written here with known outputs and a config.txt, the
// exports and Python references of scripts/face-models.sh (TRACKKIT_FACE_MODELS / TRACKKIT_FACE_REFERENCE override
// the build-tree folders), the reference JSON, the images it names, and IoU.
#include <ATen/ATen.h>
#include <torch/script.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "../npy.hpp"

#ifdef TRACKKIT_HAVE_IMGCODECS
#include <opencv2/imgcodecs.hpp>
#endif

namespace face_test {

namespace fs = std::filesystem;

inline std::string env_or(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::string(v) : std::string(fallback);
}
inline std::string models_dir() { return env_or("TRACKKIT_FACE_MODELS", TK_FACE_MODELS); }
inline std::string reference_dir() { return env_or("TRACKKIT_FACE_REFERENCE", TK_FACE_REFERENCE); }

/// Saves a TorchScript module whose forward is `body` (TorchScript source using x [B,3,H,W]) with config.txt.
inline std::string save_model(const std::string& name, const std::string& body, const std::string& config) {
  torch::jit::Module m("Model");
  m.define("def forward(self, x):\n" + body);
  const std::string path = (fs::temp_directory_path() / ("tk_face_" + name + ".torchscript")).string();
  torch::jit::ExtraFilesMap extra;
  if (!config.empty()) extra["config.txt"] = config;
  m.save(path, extra);
  return path;
}

/// An image under the data folder as uint8 [H,W,3] BGR: decoded by OpenCV, or the .npy copy
/// <reference>/frames/<relative path with '/' and '.' as '_'>.npy (machines whose OpenCV has no imgcodecs);
/// undefined when neither is readable.
inline at::Tensor load_image(const std::string& data, const std::string& relative) {
#ifdef TRACKKIT_HAVE_IMGCODECS
  if (fs::exists(data + "/" + relative)) {
    const cv::Mat m = cv::imread(data + "/" + relative, cv::IMREAD_COLOR);
    if (!m.empty()) return at::from_blob(m.data, {m.rows, m.cols, 3}, at::kByte).clone();
  }
#endif
  std::string name = relative;
  std::replace(name.begin(), name.end(), '/', '_');
  std::replace(name.begin(), name.end(), '.', '_');
  return test_npy::read_npy(reference_dir() + "/frames/" + name + ".npy");
}

/// IoU of two x1,y1,x2,y2 boxes; `plus_one` adds 1 to widths and heights (RetinaFace's py_cpu_nms).
inline double iou(const double* a, const double* b, bool plus_one = false) {
  const double e = plus_one ? 1 : 0;
  const double w = std::max(0.0, std::min(a[2], b[2]) - std::max(a[0], b[0]) + e);
  const double h = std::max(0.0, std::min(a[3], b[3]) - std::max(a[1], b[1]) + e);
  const double inter = w * h;
  const double area_a = (a[2] - a[0] + e) * (a[3] - a[1] + e), area_b = (b[2] - b[0] + e) * (b[3] - b[1] + e);
  return inter > 0 ? inter / (area_a + area_b - inter) : 0;
}

} // namespace face_test
