// The Detector against the Python references' own detect paths (yolov5's detect.py, ultralytics' predict) on
// real images: the same letterbox geometry, the same detections (boxes within 0.5 px, scores within 1e-3 in
// FP32). Models and reference files come from tools/detector (export_yolo.py, reference_detect.py); the test
// skips, saying why, where they or the images are missing.
#include <ATen/ATen.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "catch.hpp"
#include "trackkit/detector.hpp"

#ifdef TRACKKIT_HAVE_IMGCODECS
#include <opencv2/imgcodecs.hpp>
#endif

namespace fs = std::filesystem;

namespace {

struct ReferenceImage {
  std::string name;
  int64_t height = 0, width = 0, input_height = 0, input_width = 0, pad_top = 0, pad_left = 0;
  std::vector<std::array<double, 6>> detections;
};

std::vector<ReferenceImage> read_reference(const fs::path& file) {
  std::ifstream in(file);
  std::vector<ReferenceImage> images;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream s(line);
    if (line.rfind("image ", 0) == 0) {
      ReferenceImage im;
      std::string word;
      int64_t bottom, right, count;
      double ratio;
      s >> word >> im.name >> word >> im.height >> im.width >> word >> im.input_height >> im.input_width >> word >>
          ratio >> ratio >> word >> word >> word >> word >> im.pad_top >> bottom >> im.pad_left >> right >> word >>
          count;
      images.push_back(im);
    } else {
      std::array<double, 6> d{};
      for (double& v : d) s >> v;
      images.back().detections.push_back(d);
    }
  }
  return images;
}

/// The image as uint8 [H,W,3] BGR: decoded by OpenCV, or a raw dump `<name>.bgr` next to the references.
at::Tensor load_image(const std::string& data, const fs::path& reference_dir, const ReferenceImage& im) {
  const fs::path raw = reference_dir / "frames" / (im.name + ".bgr");
  if (fs::exists(raw)) {
    at::Tensor t = at::empty({im.height, im.width, 3}, at::kByte);
    std::ifstream(raw, std::ios::binary).read(reinterpret_cast<char*>(t.data_ptr<uint8_t>()), t.numel());
    return t;
  }
#ifdef TRACKKIT_HAVE_IMGCODECS
  const size_t slash = im.name.find('/');
  const fs::path path = slash == std::string::npos ? fs::path(data) / "images" / im.name
                                                   : fs::path(data) / "mot/MOT17/train" / im.name.substr(0, slash) /
                                                         "img1" / im.name.substr(slash + 1);
  const cv::Mat m = cv::imread(path.string(), cv::IMREAD_COLOR);
  if (!m.empty()) return at::from_blob(m.data, {m.rows, m.cols, 3}, at::kByte).clone();
#endif
  return {};
}

struct Agreement {
  int64_t reference = 0, ours = 0, matched = 0;
  double max_box = 0, max_score = 0;
};

/// Pairs each reference detection with our detection of the same class and the closest box.
Agreement compare(const std::vector<std::array<double, 6>>& ref, const at::Tensor& ours_tensor) {
  const at::Tensor ours = ours_tensor.cpu().to(at::kDouble).contiguous();
  Agreement a;
  a.reference = static_cast<int64_t>(ref.size()), a.ours = ours.size(0);
  std::vector<char> used(ours.size(0), 0);
  const double* o = ours.const_data_ptr<double>();
  for (const auto& r : ref) {
    int64_t best = -1;
    double best_distance = 1e300;
    for (int64_t k = 0; k < ours.size(0); ++k) {
      if (used[k] || o[6 * k + 5] != r[5]) continue;
      double d = 0;
      for (int c = 0; c < 4; ++c) d = std::max(d, std::abs(o[6 * k + c] - r[c]));
      if (d < best_distance) best_distance = d, best = k;
    }
    if (best < 0 || best_distance > 2) continue;
    used[best] = 1;
    ++a.matched;
    a.max_box = std::max(a.max_box, best_distance);
    a.max_score = std::max(a.max_score, std::abs(o[6 * best + 4] - r[4]));
  }
  return a;
}

} // namespace

TEST_CASE("detections equal the Python references' on real images", "[detector][parity]") {
  const std::string data = tk_test_data_dir();
  // The folders tools/detector writes into the build tree, unless the environment names others.
  const char* models_env = std::getenv("TRACKKIT_DETECTOR_MODELS");
  const char* refs_env = std::getenv("TRACKKIT_DETECTOR_REFERENCE");
  if (!models_env) models_env = TK_DETECTOR_MODELS;
  if (!refs_env) refs_env = TK_DETECTOR_REFERENCE;
  if (!fs::is_directory(models_env) || !fs::is_directory(refs_env)) {
    TK_SKIP("no " << models_env << " or " << refs_env
                  << ": run tools/detector/export_yolo.py and reference_detect.py (scripts/test.sh does)");
  }
  const std::string device = std::getenv("TRACKKIT_DETECTOR_DEVICE") ? std::getenv("TRACKKIT_DETECTOR_DEVICE") : "cpu";
  // cuDNN runs float32 convolutions in TF32 by default: exact FP32 needs it off (a process-wide ATen setting).
  at::globalContext().setAllowTF32CuDNN(false);
  at::globalContext().setAllowTF32CuBLAS(false);
  int files = 0;
  for (const auto& entry : fs::directory_iterator(refs_env)) {
    const std::string file = entry.path().filename().string(); // <model>.<variant>.<fp32|fp16>.txt
    if (entry.path().extension() != ".txt") continue;
    const std::string model = file.substr(0, file.find('.'));
    const bool fp16 = file.find(".fp16.") != std::string::npos;
    const bool rect = file.find("rect") != std::string::npos;
    const fs::path model_path = fs::path(models_env) / (model + ".torchscript");
    if (!fs::exists(model_path)) continue;
    trackkit::DetectorOptions o;
    o.device = device;
    o.precision = fp16 ? trackkit::Precision::FP16 : trackkit::Precision::FP32;
    o.stride_multiple = rect;
    const bool yolov5 = model == "yolov5n"; // detect.py: iou 0.45, max_det 1000; ultralytics: 0.7, 300
    o.iou_threshold = yolov5 ? 0.45 : 0.7;
    o.max_detections = yolov5 ? 1000 : 300;
    trackkit::Detector detector(model_path.string(), o);
    for (const ReferenceImage& im : read_reference(entry.path())) {
      const at::Tensor frame = load_image(data, refs_env, im);
      if (!frame.defined()) continue;
      const trackkit::LetterboxGeometry g = detector.geometry(im.height, im.width);
      INFO(file << " " << im.name);
      CHECK(g.input_height == im.input_height);
      CHECK(g.input_width == im.input_width);
      CHECK(g.pad_top == im.pad_top);
      CHECK(g.pad_left == im.pad_left);
      const Agreement a = compare(im.detections, detector.detect(frame.unsqueeze(0))[0]);
      std::printf("parity %-32s %-28s ref %4lld ours %4lld matched %4lld  max |box| %.4f px  max |score| %.2e\n",
                  file.c_str(), im.name.c_str(), (long long)a.reference, (long long)a.ours, (long long)a.matched,
                  a.max_box, a.max_score);
      // The references ran in FP32 on the CPU. Same device and precision: the same detections. On a GPU or in
      // FP16 the arithmetic differs; the real COCO weights (yolov5n) keep every detection within the stated
      // tolerance, while the calibrated random-weight models amplify any rounding difference (their scaled
      // class heads: even batch 1 vs batch 3 on the CPU moves boxes by 0.2 px), so for them it is reported.
      const bool same_arithmetic = !fp16 && device == "cpu";
      if (same_arithmetic || model == "yolov5n") {
        CHECK(a.matched == a.reference);
        CHECK(a.ours == a.reference);
        CHECK(a.max_box <= (same_arithmetic ? 0.5 : fp16 ? 1.5 : 0.75));
        CHECK(a.max_score <= (same_arithmetic ? 1e-3 : fp16 ? 1e-2 : 3e-3));
      }
      ++files;
    }
  }
  if (files == 0) TK_SKIP("no reference file had both its model and its images");
}
