// Embedder throughput: crops per second for N boxes spread over 8 uint8 1080p frames already on the device, one
// embed() call (all crops in one batched sampling kernel, one forward pass), by model, precision and N; against the
// two loops it replaces, over the same TorchScript model (Embedder::embed_crops):
//   loop8: BoT-SORT's way: frames on the host, each box cut and resized on the CPU (cv::resize, BGR -> RGB,
//          normalise), crops stacked 8 at a time, each batch copied to the device and embedded;
//   loop1: the face pipeline's way: the same CPU crop, one crop at a time through the model.
//   TRACKKIT_EMBEDDER_MODELS=build/embedder-models TRACKKIT_BENCH_DEVICE=cuda bench_embedder [--benchmark_filter=...]
// Counters: items_per_second = crops/s (embeddings copied back to the host, so the GPU work is finished).
#include <ATen/ATen.h>
#include <benchmark/benchmark.h>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include "bench_main.hpp"

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "trackkit/embedder.hpp"

namespace {

struct Model {
  const char* name;
  const char* file;
};
const Model kModels[] = {{"mobilefacenet", "mobilefacenet.torchscript"},
                         {"osnet_x0_25", "osnet_x0_25_msmt17.torchscript"},
                         {"inception_resnet_v1", "inception_resnet_v1.torchscript"}};

std::string model_path(const char* file) {
  const char* dir = std::getenv("TRACKKIT_EMBEDDER_MODELS");
  const std::filesystem::path p = std::filesystem::path(dir ? dir : "build/embedder-models") / file;
  return std::filesystem::exists(p) ? p.string() : std::string();
}

std::string bench_device() {
  const char* d = std::getenv("TRACKKIT_BENCH_DEVICE");
  return d != nullptr ? d : (trackkit::cuda_available() ? "cuda" : "cpu");
}

/// 8 random 1080p frames and 1000 boxes of person / face sizes over them (fixed seed), made once.
struct Scene {
  at::Tensor frames, boxes;
  static const Scene& get() {
    static const Scene scene(1000);
    return scene;
  }
  explicit Scene(int64_t n) {
    at::manual_seed(0);
    frames = at::randint(0, 256, {8, 1080, 1920, 3}, at::kByte);
    const at::Tensor w = at::rand({n}, at::kDouble) * 150 + 30, h = w * (at::rand({n}, at::kDouble) + 1.2);
    const at::Tensor x = at::rand({n}, at::kDouble) * (1920 - 200), y = at::rand({n}, at::kDouble) * (1080 - 400);
    boxes = at::stack({at::randint(0, 8, {n}, at::kDouble), x, y, x + w, y + h}, 1);
  }
};

std::unique_ptr<trackkit::Embedder> make(benchmark::State& state, const Model& m, trackkit::Precision precision,
                                         int64_t batch) {
  const std::string path = model_path(m.file);
  if (path.empty()) {
    state.SkipWithError("model not found: set TRACKKIT_EMBEDDER_MODELS (scripts/embedder-models.sh)");
    return nullptr;
  }
  trackkit::EmbedderOptions o;
  o.device = bench_device();
  o.precision = precision;
  o.batch_size = batch;
  try {
    return std::make_unique<trackkit::Embedder>(path, o); // no warmup(): each benchmark warms its own shape
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());
    return nullptr;
  }
}

void BM_batched(benchmark::State& state, Model m, trackkit::Precision precision) {
  const int64_t n = state.range(0);
  const auto embedder = make(state, m, precision, 1024);
  if (!embedder) return;
  const Scene& scene = Scene::get();
  const at::Tensor frames = scene.frames.to(embedder->device());
  const at::Tensor boxes = scene.boxes.narrow(0, 0, n).to(embedder->device());
  embedder->embed(frames, boxes).cpu(); // this shape's first call (algorithm choice) outside the timing
  for (auto _ : state) benchmark::DoNotOptimize(embedder->embed(frames, boxes).cpu());
  state.SetItemsProcessed(state.iterations() * n);
  state.counters["batch"] = static_cast<double>(embedder->batch_size());
}

/// One crop the CPU way: cut, cv::resize (INTER_LINEAR), BGR -> RGB, normalised by the embedder's preset -> [3,h,w].
at::Tensor cpu_crop(const cv::Mat& frame, const at::Tensor& box, const trackkit::CropOptions& c) {
  const int x1 = std::max(0, box[1].item<int>()), y1 = std::max(0, box[2].item<int>());
  const int x2 = std::min(frame.cols, box[3].item<int>()), y2 = std::min(frame.rows, box[4].item<int>());
  cv::Mat resized, rgb, value;
  cv::resize(frame(cv::Rect(x1, y1, x2 - x1, y2 - y1)), resized,
             cv::Size(static_cast<int>(c.width), static_cast<int>(c.height)), 0, 0, cv::INTER_LINEAR);
  cv::cvtColor(resized, rgb, cv::COLOR_BGR2RGB);
  rgb.convertTo(value, CV_32F);
  const at::Tensor t = at::from_blob(value.data, {c.height, c.width, 3}, at::kFloat).permute({2, 0, 1});
  const at::Tensor mean = at::tensor({c.mean[0], c.mean[1], c.mean[2]}).view({3, 1, 1});
  const at::Tensor std = at::tensor({c.std[0], c.std[1], c.std[2]}).view({3, 1, 1});
  return ((t - mean) / std).contiguous();
}

void BM_loop(benchmark::State& state, Model m, trackkit::Precision precision, int64_t group) {
  const int64_t n = state.range(0);
  const auto embedder = make(state, m, precision, group);
  if (!embedder) return;
  const Scene& scene = Scene::get();
  std::vector<cv::Mat> frames;
  for (int64_t f = 0; f < 8; ++f) frames.emplace_back(1080, 1920, CV_8UC3, scene.frames[f].data_ptr<uint8_t>());
  const at::Tensor boxes = scene.boxes.narrow(0, 0, n).to(at::kInt);
  auto pass = [&](int64_t count) {
    for (int64_t first = 0; first < count; first += group) {
      std::vector<at::Tensor> crops;
      for (int64_t i = first; i < std::min(count, first + group); ++i)
        crops.push_back(cpu_crop(frames[boxes[i][0].item<int64_t>()], boxes[i], embedder->crop_options()));
      benchmark::DoNotOptimize(embedder->embed_crops(at::stack(crops).to(embedder->device())).cpu());
    }
  };
  pass(group); // the group shape's first call outside the timing
  for (auto _ : state) pass(n);
  state.SetItemsProcessed(state.iterations() * n);
}

void register_all() {
  for (const Model& m : kModels) {
    for (auto p : {trackkit::Precision::FP32, trackkit::Precision::FP16}) {
      const std::string suffix = std::string(m.name) + "/" + trackkit::precision_name(p);
      benchmark::RegisterBenchmark(("embed_batched/" + suffix).c_str(), BM_batched, m, p)
          ->Arg(10)
          ->Arg(30)
          ->Arg(100)
          ->Arg(300)
          ->Arg(1000)
          ->Unit(benchmark::kMillisecond)
          ->UseRealTime();
      benchmark::RegisterBenchmark(("loop8_cpu_crops/" + suffix).c_str(), BM_loop, m, p, 8)
          ->Arg(64)
          ->Unit(benchmark::kMillisecond)
          ->UseRealTime();
      benchmark::RegisterBenchmark(("loop1_cpu_crops/" + suffix).c_str(), BM_loop, m, p, 1)
          ->Arg(64)
          ->Unit(benchmark::kMillisecond)
          ->UseRealTime();
    }
  }
}

} // namespace

int main(int argc, char** argv) { return run_registered_benchmarks(argc, argv, register_all); }
