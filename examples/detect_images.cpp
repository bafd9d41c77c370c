// detect_images: runs a YOLO TorchScript export over images and prints the detections (class name, score, box).
//
//   detect_images MODEL.torchscript IMAGE... [--device auto|cpu|cuda] [--fp16] [--conf 0.25] [--rect]
//
// Needs OpenCV's imgcodecs to read the images.
#include <ATen/ATen.h>

#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli.hpp"
#include "trackkit/detector.hpp"

#ifdef TRACKKIT_HAVE_IMGCODECS
#include <opencv2/imgcodecs.hpp>
#endif

int main(int argc, char** argv) {
#ifndef TRACKKIT_HAVE_IMGCODECS
  std::fprintf(stderr, "detect_images: this build has no OpenCV imgcodecs to read images\n");
  return 2;
#else
  try {
    trackkit::DetectorOptions options;
    std::vector<std::string> positional;
    for (int i = 1; i < argc; ++i) {
      const std::string a = argv[i];
      if (a == "--device") {
        options.device = examples::option_value("detect_images", argc, argv, i);
      } else if (a == "--fp16") {
        options.precision = trackkit::Precision::FP16;
      } else if (a == "--conf") {
        options.conf_threshold = std::stod(examples::option_value("detect_images", argc, argv, i));
      } else if (a == "--rect") {
        options.stride_multiple = true;
      } else if (a.rfind("--", 0) == 0) {
        throw std::runtime_error("detect_images: unknown option " + a);
      } else {
        positional.push_back(a);
      }
    }
    if (positional.size() < 2) {
      std::fprintf(stderr, "usage: detect_images MODEL IMAGE... [--device D] [--fp16] [--conf C] [--rect]\n");
      return 2;
    }
    trackkit::Detector detector(positional[0], options);
    std::vector<at::Tensor> frames;
    for (size_t i = 1; i < positional.size(); ++i) {
      cv::Mat image = cv::imread(positional[i], cv::IMREAD_COLOR); // BGR, as the detector expects by default
      if (image.empty()) throw std::runtime_error("detect_images: cannot read " + positional[i]);
      frames.push_back(at::from_blob(image.data, {image.rows, image.cols, 3}, at::kByte).clone());
    }
    const std::vector<at::Tensor> found = detector.detect(frames);
    const auto& names = detector.class_names();
    for (size_t i = 0; i < found.size(); ++i) {
      const at::Tensor d = found[i].cpu();
      std::printf("%s: %lld detections\n", positional[i + 1].c_str(), static_cast<long long>(d.size(0)));
      for (int64_t k = 0; k < d.size(0); ++k) {
        const auto c = static_cast<size_t>(d[k][5].item<float>());
        std::printf("  %-12s %.3f  %7.1f %7.1f %7.1f %7.1f\n", c < names.size() ? names[c].c_str() : "?",
                    d[k][4].item<float>(), d[k][0].item<float>(), d[k][1].item<float>(), d[k][2].item<float>(),
                    d[k][3].item<float>());
      }
    }
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
#endif
}
