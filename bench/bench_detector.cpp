// Detector throughput: uint8 1080p frames already on the device -> boxes, by model, precision and batch size,
// with the stage split (letterbox / inference / decode + NMS) and the peak GPU memory.
//   TRACKKIT_DETECTOR_MODELS=build/detector-models bench_detector [--benchmark_filter=...]
// Counters: frames_per_second (end to end), pre_ms / infer_ms / post_ms (per frame, from a separate timed
// pass whose stages are synchronised), peak_MB (GPU allocator peak during the run).
#include <ATen/ATen.h>
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "bench_gpu.hpp"
#include "trackkit/detector.hpp"

namespace {

std::string model_file(const char* name) {
  const char* dir = std::getenv("TRACKKIT_DETECTOR_MODELS");
  const std::filesystem::path p = std::filesystem::path(dir ? dir : "build/detector-models") / name;
  return std::filesystem::exists(p) ? p.string() : std::string();
}

using bench_gpu::peak_bytes;
using bench_gpu::sync;

void BM_detector(benchmark::State& state, const char* model, const char* device, trackkit::Precision precision) {
  const std::string path = model_file(model);
  if (path.empty()) return state.SkipWithError("model not found: set TRACKKIT_DETECTOR_MODELS (tools/detector)");
  if (std::string(device) == "cuda" && !trackkit::cuda_available()) return state.SkipWithError("no CUDA GPU");
  const int64_t batch = state.range(0);
  trackkit::DetectorOptions o;
  o.device = device;
  o.precision = precision;
  o.batch_size = batch;
  std::unique_ptr<trackkit::Detector> made;
  try {
    made = std::make_unique<trackkit::Detector>(path, o);
  } catch (const std::exception& e) {
    return state.SkipWithError(e.what());
  }
  trackkit::Detector& detector = *made;
  const c10::Device dev = detector.device();
  const at::Tensor frames = at::randint(0, 256, {batch, 1080, 1920, 3}, at::kByte).to(dev);
  detector.warmup(1080, 1920);
  peak_bytes(dev, true);
  for (auto _ : state) {
    benchmark::DoNotOptimize(detector.detect_batch(frames));
    sync(dev);
  }
  const double peak_mb = static_cast<double>(peak_bytes(dev, false)) / (1 << 20);
  detector.set_stage_timing(true); // one more pass, each stage synchronised
  detector.detect_batch(frames);
  const auto t = detector.last_stage_times();
  state.counters["frames_per_second"] =
      benchmark::Counter(static_cast<double>(state.iterations() * batch), benchmark::Counter::kIsRate);
  state.counters["pre_ms"] = 1e3 * t.preprocess / batch;
  state.counters["infer_ms"] = 1e3 * t.inference / batch;
  state.counters["post_ms"] = 1e3 * t.postprocess / batch;
  state.counters["peak_MB"] = peak_mb;
}

constexpr auto kFP32 = trackkit::Precision::FP32;
constexpr auto kFP16 = trackkit::Precision::FP16;

BENCHMARK_CAPTURE(BM_detector, yolov5n_cuda_fp16, "yolov5n.torchscript", "cuda", kFP16)
    ->RangeMultiplier(2)
    ->Range(1, 64)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_detector, yolov5n_cuda_fp32, "yolov5n.torchscript", "cuda", kFP32)
    ->RangeMultiplier(2)
    ->Range(1, 64)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_detector, yolov8n_cuda_fp16, "yolov8n.torchscript", "cuda", kFP16)
    ->RangeMultiplier(2)
    ->Range(1, 64)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_detector, yolov8n_cuda_fp32, "yolov8n.torchscript", "cuda", kFP32)
    ->RangeMultiplier(4)
    ->Range(1, 64)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_detector, yolo26n_cuda_fp16, "yolo26n.torchscript", "cuda", kFP16)
    ->Arg(64)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_detector, yolov5n_cpu_fp32, "yolov5n.torchscript", "cpu", kFP32)
    ->Arg(1)
    ->Arg(4)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_detector, yolov8n_cpu_fp32, "yolov8n.torchscript", "cpu", kFP32)
    ->Arg(1)
    ->Arg(4)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

} // namespace

BENCHMARK_MAIN();
