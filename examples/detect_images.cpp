// detect_images: runs a YOLO TorchScript export over images and prints the detections (class name, score, box).
//
//   detect_images [--model M.torchscript] IMAGE... [--device auto|cpu|cuda] [--fp16] [--conf 0.25] [--rect]
//
// The model defaults to $TRACKKIT_MODEL, else yolov5n.torchscript in the current folder; the older form
// `detect_images MODEL.torchscript IMAGE...` still works. Needs OpenCV's imgcodecs to read the images. --help lists
// every option with its default.
#include <ATen/ATen.h>

#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli.hpp"
#include "trackkit/detector.hpp"

#ifdef TRACKKIT_HAVE_IMGCODECS
#include <opencv2/imgcodecs.hpp>
#endif

namespace {

int detect(const std::string& model, const trackkit::DetectorOptions& options, const std::vector<std::string>& images) {
#ifndef TRACKKIT_HAVE_IMGCODECS
  (void)model, (void)options, (void)images;
  throw std::runtime_error("this build has no OpenCV imgcodecs to read images");
#else
  examples::require_detector_model(model);
  trackkit::Detector detector(model, options);
  std::vector<at::Tensor> frames;
  for (const std::string& path : images) {
    cv::Mat image = cv::imread(path, cv::IMREAD_COLOR); // BGR, as the detector expects by default
    if (image.empty()) throw std::runtime_error("cannot read " + path);
    frames.push_back(at::from_blob(image.data, {image.rows, image.cols, 3}, at::kByte).clone());
  }
  const std::vector<at::Tensor> found = detector.detect(frames);
  const auto& names = detector.class_names();
  for (size_t i = 0; i < found.size(); ++i) {
    const at::Tensor d = found[i].cpu();
    std::printf("%s: %lld detections\n", images[i].c_str(), static_cast<long long>(d.size(0)));
    for (int64_t k = 0; k < d.size(0); ++k) {
      const auto c = static_cast<size_t>(d[k][5].item<float>());
      std::printf("  %-12s %.3f  %7.1f %7.1f %7.1f %7.1f\n", c < names.size() ? names[c].c_str() : "?",
                  d[k][4].item<float>(), d[k][0].item<float>(), d[k][1].item<float>(), d[k][2].item<float>(),
                  d[k][3].item<float>());
    }
  }
  return 0;
#endif
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app("detect_images: YOLO detections (class, score, box) of image files", "detect_images");
  std::string model;
  trackkit::DetectorOptions options;
  std::vector<std::string> images;
  examples::add_detector_options(app, model, options);
  app.add_flag("--rect", options.stride_multiple, "pad only to a multiple of the stride (yolov5's rect inference)");
  app.add_option("IMAGE", images, "image files")->required()->check(CLI::ExistingFile);
  app.footer("The older form, the model first (detect_images MODEL.torchscript IMAGE...), still works.");
  return examples::run(app, argc, argv, [&] {
    // The older form: the model first among the files.
    const std::string ext = std::filesystem::path(images.front()).extension().string();
    if (app.count("--model") == 0 && (ext == ".torchscript" || ext == ".pt" || ext == ".ts")) {
      model = images.front();
      images.erase(images.begin());
      if (images.empty()) throw std::runtime_error("no IMAGE after the model " + model);
    }
    return detect(model, options, images);
  });
}
