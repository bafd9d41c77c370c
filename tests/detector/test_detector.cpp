// The Detector on small TorchScript models written here whose outputs are known constants, so decoding, NMS,
// box mapping, layouts and errors are checked against hand-computed answers; and its bad-input handling.
#include <ATen/ATen.h>
#include <torch/script.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "catch.hpp"
#include "trackkit/detector.hpp"
#include "trackkit/error.hpp"

namespace fs = std::filesystem;

namespace {

/// Saves a TorchScript module whose forward is `body` (TorchScript source using x [B,3,H,W]).
std::string save_model(const std::string& name, const std::string& body, const std::string& metadata = "") {
  torch::jit::Module m("Model");
  m.define("def forward(self, x):\n" + body);
  const std::string path = (fs::temp_directory_path() / ("tk_test_" + name + ".torchscript")).string();
  torch::jit::ExtraFilesMap extra;
  if (!metadata.empty()) extra["config.txt"] = metadata;
  m.save(path, extra);
  return path;
}

// A v8-layout model, 2 classes, 8 anchors (the last 4 empty), fixed outputs in 640x640 input pixels (cx, cy, w, h,
// cls0, cls1):
//  anchor 0: box (100,240)-(200,400) (cx 150, cy 320, 100 x 160), class 0 score 0.9
//  anchor 1: nearly the same box (IoU 0.905 with anchor 0), class 0 score 0.8 -> suppressed
//  anchor 2: the same box as anchor 1 but class 1 score 0.7 -> kept (class-aware)
//  anchor 3: elsewhere, class 1 score 0.2 -> below conf 0.25
const char* kV8Body = R"(
    b = x.size(0)
    out = torch.zeros([b, 6, 8], dtype=x.dtype, device=x.device)
    out[:, 0, 0] = 150.0
    out[:, 1, 0] = 320.0
    out[:, 2, 0] = 100.0
    out[:, 3, 0] = 160.0
    out[:, 4, 0] = 0.9
    out[:, 0, 1] = 155.0
    out[:, 1, 1] = 320.0
    out[:, 2, 1] = 100.0
    out[:, 3, 1] = 160.0
    out[:, 4, 1] = 0.8
    out[:, 0, 2] = 155.0
    out[:, 1, 2] = 320.0
    out[:, 2, 2] = 100.0
    out[:, 3, 2] = 160.0
    out[:, 5, 2] = 0.7
    out[:, 0, 3] = 500.0
    out[:, 1, 3] = 500.0
    out[:, 2, 3] = 10.0
    out[:, 3, 3] = 10.0
    out[:, 5, 3] = 0.2
    return out
)";

// The same detections as the classic YOLOv5 layout [B, A, 5+nc] (objectness 1 for anchor 0..2, 0.5 x 0.4
// for anchor 3; 8 anchors) and as an NMS-free [B, K, 6] output. Layouts are told apart by shape: [B,6,8] has
// fewer rows than anchors (v8), [B,8,7] more anchors than columns (v5), [B,5,6] six columns (end-to-end).
const char* kV5Body = R"(
    v8 = torch.zeros([x.size(0), 8, 7], dtype=x.dtype, device=x.device)
    v8[:, 0, :] = torch.tensor([150.0, 320.0, 100.0, 160.0, 1.0, 0.9, 0.0], dtype=x.dtype, device=x.device)
    v8[:, 1, :] = torch.tensor([155.0, 320.0, 100.0, 160.0, 1.0, 0.8, 0.0], dtype=x.dtype, device=x.device)
    v8[:, 2, :] = torch.tensor([155.0, 320.0, 100.0, 160.0, 1.0, 0.0, 0.7], dtype=x.dtype, device=x.device)
    v8[:, 3, :] = torch.tensor([500.0, 500.0, 10.0, 10.0, 0.5, 0.0, 0.4], dtype=x.dtype, device=x.device)
    return (v8, [x])
)";
const char* kEndToEndBody = R"(
    out = torch.zeros([x.size(0), 5, 6], dtype=x.dtype, device=x.device)
    out[:, 0, :] = torch.tensor([100.0, 240.0, 200.0, 400.0, 0.9, 0.0], dtype=x.dtype, device=x.device)
    out[:, 1, :] = torch.tensor([105.0, 240.0, 205.0, 400.0, 0.7, 1.0], dtype=x.dtype, device=x.device)
    out[:, 2, :] = torch.tensor([495.0, 495.0, 505.0, 505.0, 0.2, 1.0], dtype=x.dtype, device=x.device)
    return out
)";

/// The frame is 1280x1280 (gain 0.5, no padding): frame boxes are the input boxes x 2.
void check_two_detections(const at::Tensor& d) {
  REQUIRE(d.size(0) == 2);
  CHECK(at::allclose(d[0], at::tensor({200.f, 480.f, 400.f, 800.f, 0.9f, 0.f}), 1e-5, 1e-4));
  CHECK(at::allclose(d[1], at::tensor({210.f, 480.f, 410.f, 800.f, 0.7f, 1.f}), 1e-5, 1e-4));
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const trackkit::Error& e) {
    return e.what();
  }
  return "no error";
}

trackkit::DetectorOptions cpu_options() {
  trackkit::DetectorOptions o;
  o.device = "cpu";
  return o;
}

} // namespace

TEST_CASE("the three layouts decode to the same detections", "[detector]") {
  const at::Tensor frames = at::zeros({2, 1280, 1280, 3}, at::kByte);
  const std::pair<std::string, trackkit::YoloLayout> models[] = {
      {save_model("v8", kV8Body), trackkit::YoloLayout::V8},
      {save_model("v5", kV5Body), trackkit::YoloLayout::V5},
      {save_model("e2e", kEndToEndBody), trackkit::YoloLayout::EndToEnd}};
  for (const auto& [path, layout] : models) {
    trackkit::Detector detector(path, cpu_options());
    CHECK(detector.layout() == layout); // recognised from the output's shape
    const auto found = detector.detect(frames);
    REQUIRE(found.size() == 2);
    for (const at::Tensor& d : found) check_two_detections(d);
    const trackkit::DetectionBatch batch = detector.detect_batch(frames);
    CHECK(batch.detections.sizes() == at::IntArrayRef({2, 300, 6}));
    CHECK(batch.counts.equal(at::tensor({int64_t{2}, int64_t{2}})));
    CHECK(batch.detections.narrow(1, 2, 298).abs().sum().item<float>() == 0);
  }
}

TEST_CASE("detector options act on the detections", "[detector]") {
  const std::string v8 = save_model("v8_options", kV8Body);
  const at::Tensor frame = at::zeros({1, 1280, 1280, 3}, at::kByte);
  trackkit::DetectorOptions o = cpu_options();
  o.agnostic = true; // anchor 2 (IoU 0.905 with anchor 0) now suppressed across classes
  CHECK(trackkit::Detector(v8, o).detect(frame)[0].size(0) == 1);
  o = cpu_options();
  o.conf_threshold = 0.1; // anchor 3 (0.2) comes in
  CHECK(trackkit::Detector(v8, o).detect(frame)[0].size(0) == 3);
  o.classes = {1};
  const at::Tensor only1 = trackkit::Detector(v8, o).detect(frame)[0];
  CHECK(only1.size(0) == 2);
  CHECK(only1.select(1, 5).eq(1).all().item<bool>());
  o = cpu_options();
  o.max_detections = 1;
  CHECK(trackkit::Detector(v8, o).detect(frame)[0].size(0) == 1);
  o = cpu_options();
  o.iou_threshold = 0.95; // IoU 0.905 no longer suppresses
  CHECK(trackkit::Detector(v8, o).detect(frame)[0].size(0) == 3);
}

TEST_CASE("frames of different sizes map back to their own pixels", "[detector]") {
  trackkit::Detector detector(save_model("v8_sizes", kV8Body), cpu_options());
  // 640x1280 (h x w): gain 0.5, resized 320x640, padded 160 above: input y 320 -> frame (320 - 160) * 2 = 320.
  const std::vector<at::Tensor> frames = {at::zeros({640, 1280, 3}, at::kByte), at::zeros({1280, 1280, 3}, at::kByte),
                                          at::zeros({640, 1280, 3}, at::kByte)};
  const auto found = detector.detect(frames);
  REQUIRE(found.size() == 3);
  check_two_detections(found[1]);
  for (int i : {0, 2}) {
    REQUIRE(found[i].size(0) == 2);
    CHECK(at::allclose(found[i][0].narrow(0, 0, 4), at::tensor({200.f, 160.f, 400.f, 480.f}), 1e-5, 1e-4));
  }
}

TEST_CASE("the detector rejects bad models and bad frames with clear errors", "[detector]") {
  CHECK(error_of([] { trackkit::Detector("/nonexistent/model.torchscript", cpu_options()); }) ==
        "Detector: model_path \"/nonexistent/model.torchscript\" does not exist or is not a file");
  const std::string corrupt = (fs::temp_directory_path() / "tk_test_corrupt.torchscript").string();
  std::ofstream(corrupt) << "this is not a zip archive";
  CHECK(error_of([&] {
          trackkit::Detector(corrupt, cpu_options());
        }).rfind("Detector: model_path \"" + corrupt + "\" is not a loadable TorchScript archive", 0) == 0);
  const std::string identity = save_model("identity", "    return x\n");
  CHECK(error_of([&] { trackkit::Detector(identity, cpu_options()); }) ==
        "Detector: model_path \"" + identity +
            "\" gives an output of shape [1,3,640,640], not [B,X,Y]: no YOLO layout fits");
  trackkit::DetectorOptions forced = cpu_options();
  forced.layout = trackkit::YoloLayout::EndToEnd; // [B,6,4] is not [B,K,6]
  const std::string v8 = save_model("v8_errors", kV8Body);
  CHECK(error_of([&] { trackkit::Detector(v8, forced); }).find("not [B,K,6] (end-to-end)") != std::string::npos);
  trackkit::DetectorOptions bad = cpu_options();
  bad.conf_threshold = 1.5;
  CHECK(error_of([&] { trackkit::Detector(v8, bad); }) == "Detector: options.conf_threshold must be in [0,1)");

  trackkit::Detector detector(v8, cpu_options());
  CHECK(error_of([&] { detector.detect(at::zeros({1, 64, 64, 3})); }).rfind("Detector::detect: frames", 0) == 0);
  CHECK(error_of([&] {
          detector.detect(at::zeros({1, 64, 64, 4}, at::kByte));
        }) == "Detector::detect: frames must be [B,H,W,3] (3 channels), got [1,64,64,4]");
  CHECK(error_of([&] {
          detector.detect(at::zeros({1, 0, 64, 3}, at::kByte));
        }) == "Detector::detect: frames has zero-size frames: [1,0,64,3]");
  CHECK(detector.detect(at::zeros({0, 64, 64, 3}, at::kByte)).empty()); // an empty batch is fine
  CHECK(error_of([&] {
          detector.detect(std::vector<at::Tensor>{at::zeros({64, 64}, at::kByte)});
        }).rfind("Detector::detect: frames[0]", 0) == 0);
}

TEST_CASE("metadata gives class names, input size and layout", "[detector]") {
  const std::string path =
      save_model("meta", kV8Body, R"({"stride": 32, "imgsz": [320, 480], "names": {"0": "person", "1": "car"}})");
  trackkit::Detector detector(path, cpu_options());
  CHECK(detector.class_names() == std::vector<std::string>{"person", "car"});
  const trackkit::LetterboxGeometry g = detector.geometry(1080, 1920);
  CHECK(g.input_height == 320);
  CHECK(g.input_width == 480);
}

#ifdef TRACKKIT_WITH_CUDA
TEST_CASE("the detector on CUDA gives the CPU path's detections, and warmup picks a batch size", "[detector][cuda]") {
  if (!trackkit::cuda_available()) TK_SKIP("no CUDA device");
  const std::string path = save_model("v8_cuda", kV8Body);
  const at::Tensor frames = at::randint(0, 256, {5, 720, 1280, 3}, at::kByte);
  trackkit::DetectorOptions cuda = cpu_options();
  cuda.device = "cuda";
  trackkit::Detector gpu(path, cuda), cpu(path, cpu_options());
  CHECK(gpu.batch_size() == 16); // until warmup() measures
  gpu.warmup(720, 1280);
  CHECK(gpu.batch_size() >= 1);
  CHECK(gpu.batch_size() <= 64);
  const trackkit::DetectionBatch a = gpu.detect_batch(frames.cuda()), b = cpu.detect_batch(frames);
  CHECK(a.detections.is_cuda());
  CHECK(at::equal(a.counts.cpu(), b.counts));
  CHECK(at::allclose(a.detections.cpu(), b.detections, 0, 1e-4));
  const auto listed = gpu.detect(frames); // CPU frames are moved to the model's device
  REQUIRE(listed.size() == 5);
  CHECK(listed[0].is_cuda());
  // 720x1280 at gain 0.5: resized 360x640, padded 140 above -> frame y = (input y - 140) * 2.
  for (const at::Tensor& d : listed) {
    REQUIRE(d.size(0) == 2);
    CHECK(at::allclose(d[0].cpu(), at::tensor({200.f, 200.f, 400.f, 520.f, 0.9f, 0.f}), 1e-5, 1e-4));
  }
}
#endif
