#pragma once
// Where the segmenter tests find their models and references (tools/segmenter, scripts/segmenter-models.sh), and
// the device/precision the parity test runs at (TRACKKIT_SEGMENTER_DEVICE / _PRECISION, for the GPU machine).
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "npy.hpp"
#include "trackkit/error.hpp"
#include "trackkit/segmenter.hpp"

namespace segmenter_test {

inline std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::string(v) : fallback;
}

/// The message of the trackkit::Error f throws, prefixed by its code ("[1] ..."), or "no error".
inline std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const trackkit::Error& e) {
    return "[" + std::to_string(static_cast<int>(e.code())) + "] " + e.what();
  }
  return "no error";
}
inline bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

inline std::string models_dir() { return env_or("TRACKKIT_SEGMENTER_MODELS", TK_SEGMENTER_MODELS); }
inline std::string reference_dir() { return env_or("TRACKKIT_SEGMENTER_REFERENCE", TK_SEGMENTER_REFERENCE); }
/// A model's TorchScript export (tools/segmenter/export_sam.py), or with TRACKKIT_SEGMENTER_BACKEND=aoti its
/// AOTInductor packages at TRACKKIT_SEGMENTER_PRECISION (tools/segmenter/compile_aoti.py): the parity test then
/// checks the compiled pair against the Python predictor.
inline bool use_compiled() { return env_or("TRACKKIT_SEGMENTER_BACKEND", "torchscript") == "aoti"; }
inline std::string compiled_path(const std::string& name, const std::string& precision, const char* role) {
  return models_dir() + "/" + name + "." + precision + "." + role + ".pt2";
}
inline std::string model_path(const std::string& name, const char* role) {
  if (use_compiled()) return compiled_path(name, env_or("TRACKKIT_SEGMENTER_PRECISION", "fp32"), role);
  return models_dir() + "/" + name + "." + role + ".pt";
}
inline std::string encoder_path(const std::string& name) { return model_path(name, "encoder"); }
inline std::string decoder_path(const std::string& name) { return model_path(name, "decoder"); }
inline bool have_model(const std::string& name) {
  return std::filesystem::exists(encoder_path(name)) && std::filesystem::exists(decoder_path(name));
}

inline trackkit::SegmenterOptions test_options() {
  trackkit::SegmenterOptions o;
  o.device = env_or("TRACKKIT_SEGMENTER_DEVICE", "cpu");
  o.precision = trackkit::parse_precision(env_or("TRACKKIT_SEGMENTER_PRECISION", "fp32"));
  return o;
}

/// Two real frames (MOT17-05 #1 and #2, BGR as OpenCV decodes) as [2,H,W,3], or undefined.
inline at::Tensor two_frames() {
  const at::Tensor a = test_npy::read_npy(reference_dir() + "/frames/MOT17-05-FRCNN_1.rgb.npy");
  const at::Tensor b = test_npy::read_npy(reference_dir() + "/frames/MOT17-05-FRCNN_2.rgb.npy");
  if (!a.defined() || !b.defined()) return {};
  return at::stack({a, b}).flip({3}).contiguous();
}

/// Boxes of both frames, interleaved: [frame, x1, y1, x2, y2].
inline at::Tensor some_boxes() {
  return at::tensor({1.f,   100.f, 120.f, 180.f, 400.f, 0.f,   20.f,  150.f, 80.f, 340.f, 0.f,   300.f, 100.f,
                     420.f, 300.f, 1.f,   500.f, 200.f, 600.f, 470.f, 0.f,   0.f,  0.f,   640.f, 480.f})
      .view({5, 5});
}

/// A line of the reference index: model, sequence, frame number, frame size, boxes.
struct ReferenceFrame {
  std::string model, sequence;
  int64_t frame = 0, height = 0, width = 0, boxes = 0;
  std::string stem() const { return sequence + "_" + std::to_string(frame); }
};

inline std::vector<ReferenceFrame> read_index() {
  std::ifstream in(reference_dir() + "/index.txt");
  std::vector<ReferenceFrame> frames;
  ReferenceFrame f;
  while (in >> f.model >> f.sequence >> f.frame >> f.height >> f.width >> f.boxes) frames.push_back(f);
  return frames;
}

} // namespace segmenter_test
