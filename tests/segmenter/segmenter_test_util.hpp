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
inline std::string encoder_path(const std::string& name) { return models_dir() + "/" + name + ".encoder.pt"; }
inline std::string decoder_path(const std::string& name) { return models_dir() + "/" + name + ".decoder.pt"; }
inline bool have_model(const std::string& name) {
  return std::filesystem::exists(encoder_path(name)) && std::filesystem::exists(decoder_path(name));
}

inline trackkit::SegmenterOptions test_options() {
  trackkit::SegmenterOptions o;
  o.device = env_or("TRACKKIT_SEGMENTER_DEVICE", "cpu");
  o.precision = trackkit::parse_precision(env_or("TRACKKIT_SEGMENTER_PRECISION", "fp32"));
  return o;
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
