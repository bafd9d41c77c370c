// TrackingPipeline on a video with a known camera motion (a pan across a real MOT17 frame): the warps it reports
// against the pan, identities held across the pan, and equality with the same components called one frame at a
// time (the batching and look-ahead must change nothing); its bad input; CPU vs CUDA on the GPU machine.
#include <ATen/ATen.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "catch.hpp"
#include "gmc/gmc_test_util.hpp"
#include "trackkit/boxes.hpp"
#include "trackkit/device.hpp"
#include "trackkit/error.hpp"
#include "trackkit/pipeline.hpp"

namespace fs = std::filesystem;

namespace {

constexpr int64_t kFrames = 12, kWidth = 1280, kHeight = 720;
constexpr int kStepX = 6, kStepY = 3; // the camera pans right and down: the scene moves by (-6, -3) a frame

std::string model_path() {
  const char* dir = std::getenv("TRACKKIT_DETECTOR_MODELS");
  return std::string(dir != nullptr ? dir : TK_DETECTOR_MODELS) + "/yolov5n.torchscript";
}

/// kFrames crops of MOT17-04's first frame (a crowd, static camera), each kStep further: uint8 [T,H,W,3].
at::Tensor panning_video() {
  const char* data = std::getenv("TRACKKIT_DATA");
  if (data == nullptr) return {};
  const cv::Mat source = gmc_test::load_image(data, "mot/MOT17/train/MOT17-04-FRCNN/img1/000001.jpg");
  if (source.empty()) return {};
  at::Tensor frames = at::empty({kFrames, kHeight, kWidth, 3}, at::kByte);
  for (int64_t t = 0; t < kFrames; ++t) {
    const cv::Rect window(200 + kStepX * static_cast<int>(t), 300 + kStepY * static_cast<int>(t), kWidth, kHeight);
    cv::Mat into(kHeight, kWidth, CV_8UC3, frames[t].data_ptr<uint8_t>());
    source(window).copyTo(into);
  }
  return frames;
}

trackkit::PipelineOptions options(const std::string& device) {
  trackkit::PipelineOptions o;
  o.model_path = model_path();
  o.detector.device = device;
  o.detector.batch_size = 4;
  o.detector.classes = {0};
  return o;
}

#define REQUIRE_MATERIAL(frames)                      \
  if (!frames.defined() || !fs::exists(model_path())) \
  TK_SKIP("needs TRACKKIT_DATA (MOT17-04 frame) and the yolov5n export (scripts/detector-models.sh)")

} // namespace

TEST_CASE("pipeline: warps follow the pan and identities hold") {
  const at::Tensor frames = panning_video();
  REQUIRE_MATERIAL(frames);
  trackkit::TrackingPipeline pipeline(options("cpu"));
  std::vector<trackkit::FrameTracks> out;
  for (int64_t first = 0; first < kFrames; first += 5) { // batches of 5, 5, 2
    auto done = pipeline.push(frames.narrow(0, first, std::min<int64_t>(5, kFrames - first)));
    out.insert(out.end(), done.begin(), done.end());
  }
  auto rest = pipeline.finish();
  out.insert(out.end(), rest.begin(), rest.end());
  REQUIRE(out.size() == static_cast<size_t>(kFrames));
  CHECK(out[0].gmc_status == trackkit::GmcStatus::FirstFrame);
  for (int64_t t = 1; t < kFrames; ++t) {
    INFO("frame " << t << " warp " << out[t].warp);
    CHECK(out[t].frame == t);
    CHECK(out[t].gmc_status == trackkit::GmcStatus::Ok);
    CHECK(std::abs(out[t].warp[0][2].item<double>() + kStepX) < 0.3);
    CHECK(std::abs(out[t].warp[1][2].item<double>() + kStepY) < 0.3);
    CHECK(std::abs(out[t].warp[0][0].item<double>() - 1) < 2e-3);
  }
  // A static crowd seen through a panning camera: a box of frame t-1 moved by the pan lands on a box of frame t.
  // Where two boxes are each other's best overlap (IoU > 0.5) they are one person and must carry one id.
  int64_t pairs = 0, switches = 0;
  const at::Tensor pan = at::tensor({double{kStepX}, double{kStepY}, double{kStepX}, double{kStepY}});
  for (int64_t t = 1; t < kFrames; ++t) {
    const at::Tensor iou = trackkit::box_iou(out[t - 1].tracks.boxes - pan, out[t].tracks.boxes);
    if (iou.numel() == 0) continue;
    const at::Tensor best_j = iou.argmax(1), best_i = iou.argmax(0);
    for (int64_t i = 0; i < iou.size(0); ++i) {
      const int64_t j = best_j[i].item<int64_t>();
      if (iou[i][j].item<double>() <= 0.5 || best_i[j].item<int64_t>() != i) continue;
      ++pairs;
      switches += out[t - 1].tracks.ids[i].item<int64_t>() != out[t].tracks.ids[j].item<int64_t>();
    }
  }
  INFO("track pairs across frames: " << pairs);
  CHECK(pairs >= 5 * (kFrames - 3));
  CHECK(switches == 0);
}

TEST_CASE("pipeline: equals the components called one frame at a time") {
  const at::Tensor frames = panning_video();
  REQUIRE_MATERIAL(frames);
  const trackkit::PipelineOptions o = options("cpu");
  trackkit::TrackingPipeline pipeline(o);
  const auto out = pipeline.process(frames);
  trackkit::Detector detector(o.model_path, o.detector);
  trackkit::GMC gmc(o.gmc);
  trackkit::Tracker tracker(o.tracker);
  for (int64_t t = 0; t < kFrames; ++t) {
    const at::Tensor dets = detector.detect(frames.narrow(0, t, 1))[0];
    const trackkit::GmcResult motion = gmc.apply(frames[t], dets);
    trackkit::TrackerInput input;
    input.detections = dets, input.warp = motion.warp;
    const trackkit::TrackerOutput expected = tracker.update(input);
    INFO("frame " << t << " pipeline warp " << out[t].warp << " apply " << motion.warp);
    // The CPU's convolution algorithms may differ with the batch size (4 there, 1 here), moving boxes by ~1e-5 px.
    REQUIRE(out[t].detections.sizes() == dets.sizes());
    CHECK(at::allclose(out[t].detections, dets, 0, 1e-3));
    CHECK(at::allclose(out[t].warp, motion.warp, 0, 1e-6));
    CHECK(at::equal(out[t].tracks.ids, expected.ids));
    CHECK(at::allclose(out[t].tracks.boxes, expected.boxes, 0, 1e-3));
  }
}

TEST_CASE("pipeline: bad input names the argument") {
  trackkit::PipelineOptions o;
  CHECK(tk_error_of([&] { trackkit::TrackingPipeline p(o); }) ==
        "TrackingPipeline: options.model_path must name a model file");
  o.model_path = "/nonexistent/model.torchscript";
  CHECK(tk_error_of([&] { trackkit::TrackingPipeline p(o); }) ==
        "Detector: model_path \"/nonexistent/model.torchscript\" does not exist or is not a file");
  o.gmc.method = trackkit::GmcMethod::Ecc, o.gmc.ecc_motion = trackkit::EccMotion::Homography;
  CHECK(tk_error_of([&] {
          trackkit::TrackingPipeline p(o);
        }).rfind("TrackingPipeline: options.gmc.ecc_motion must not be", 0) == 0);
  if (!fs::exists(model_path())) TK_SKIP("needs the yolov5n export (scripts/detector-models.sh)");
  trackkit::TrackingPipeline pipeline(options("cpu"));
  const std::string prefix = "TrackingPipeline::push: frames ";
  CHECK(tk_error_of([&] {
          pipeline.push(at::zeros({2, 64, 64, 3}, at::kFloat));
        }).rfind(prefix + "must have dtype", 0) == 0);
  CHECK(tk_error_of([&] { pipeline.push(at::zeros({64, 64, 3}, at::kByte)); }).rfind(prefix, 0) == 0);
  CHECK(tk_error_of([&] {
          pipeline.push(at::zeros({2, 64, 64, 4}, at::kByte));
        }) == prefix + "must have shape [B,H,W,3], got [2,64,64,4]");
  CHECK(tk_error_of([&] { pipeline.push(at::zeros({0, 64, 64, 3}, at::kByte)); }).rfind(prefix, 0) == 0);
  // Blank frames: no detections, no tracks, and GMC says why it has no warp instead of failing.
  const auto blank = pipeline.process(at::full({2, 64, 64, 3}, 128, at::kByte));
  REQUIRE(blank.size() == 2);
  CHECK(blank[1].tracks.ids.size(0) == 0);
  CHECK(blank[1].gmc_status == trackkit::GmcStatus::Textureless);
}

TEST_CASE("pipeline: CUDA agrees with the CPU") {
  if (!trackkit::cuda_available()) TK_SKIP("no GPU visible");
  const at::Tensor frames = panning_video();
  REQUIRE_MATERIAL(frames);
  // cuDNN runs float32 convolutions in TF32 by default: comparing FP32 with FP32 needs it off (process-wide).
  at::globalContext().setAllowTF32CuDNN(false);
  at::globalContext().setAllowTF32CuBLAS(false);
  trackkit::TrackingPipeline cpu(options("cpu")), gpu(options("cuda"));
  const auto a = cpu.process(frames);
  std::vector<trackkit::FrameTracks> b;
  for (int64_t first = 0; first < kFrames; first += 4) { // pinned batches, detection overlapping tracking
    auto done = gpu.push(frames.narrow(0, first, 4).pin_memory());
    b.insert(b.end(), done.begin(), done.end());
  }
  auto rest = gpu.finish();
  b.insert(b.end(), rest.begin(), rest.end());
  REQUIRE(b.size() == a.size());
  for (size_t t = 0; t < a.size(); ++t) {
    INFO("frame " << t);
    // GMC runs on the host in both; its detection masks come from boxes that differ by ~1e-4 px.
    CHECK(at::allclose(a[t].warp, b[t].warp, 0, 1e-3));
    REQUIRE(a[t].tracks.ids.size(0) == b[t].tracks.ids.size(0));
    CHECK(at::equal(a[t].tracks.ids, b[t].tracks.ids));
    // cuDNN's FP32 convolutions differ from the CPU's in rounding: the detector's CUDA-vs-CPU parity is within
    // 0.36 px on real images (docs/performance.md); measured here on an H100: at most 0.077 px.
    CHECK((a[t].tracks.boxes - b[t].tracks.boxes).abs().max().item<double>() < 0.5);
  }
  CHECK(gpu.times().detect > 0);
  CHECK(gpu.peak_memory_bytes() > 0);
}
