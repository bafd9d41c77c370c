// Segmenter speed on 1080p frames already on the device (exports of tools/segmenter/export_sam.py; "aoti": the
// AOTInductor packages of tools/segmenter/compile_aoti.py, <model>.<precision>.<role>.pt2):
//   encoder: frames/s by model, precision and batch size (resize + normalise + pad + image encoder);
//   decoder: N boxes of one frame in one decode() call against the per-box loop (N calls of the same decoder, as a
//            Python loop over SamPredictor.predict would; at least 10 loops up to 50 boxes), low-res logits only and
//            with 1080p masks;
//   segment: encoder + decoder, a batch of frames with 10 boxes each, frames/s, with 1080p masks or logits only.
//   TRACKKIT_SEGMENTER_MODELS=build/segmenter-models bench_segmenter [--benchmark_filter=...]
// Counters: frames_per_second / boxes_per_second, peak_MB (GPU allocator peak during the run).
#include <ATen/ATen.h>
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "bench_gpu.hpp"
#include "trackkit/segmenter.hpp"

namespace {

constexpr int64_t kHeight = 1080, kWidth = 1920;

/// name: a TorchScript export's stem ("mobile_sam"), or a package's stem with ".pt2" ("mobile_sam.fp16.pt2").
std::string model_file(const std::string& name, const char* role) {
  const char* dir = std::getenv("TRACKKIT_SEGMENTER_MODELS");
  const std::string pt2 = ".pt2";
  const bool compiled = name.size() > pt2.size() && name.compare(name.size() - pt2.size(), pt2.size(), pt2) == 0;
  const std::string file =
      compiled ? name.substr(0, name.size() - pt2.size()) + "." + role + pt2 : name + "." + role + ".pt";
  const std::filesystem::path p = std::filesystem::path(dir ? dir : "build/segmenter-models") / file;
  return std::filesystem::exists(p) ? p.string() : std::string();
}

using bench_gpu::peak_bytes;
using bench_gpu::sync;

/// The segmenter, or nullptr after telling the state why it is skipped.
std::unique_ptr<trackkit::Segmenter> make(benchmark::State& state, const std::string& model, const char* device,
                                          trackkit::SegmenterOptions o) {
  const std::string enc = model_file(model, "encoder"), dec = model_file(model, "decoder");
  if (enc.empty() || dec.empty()) {
    state.SkipWithError("model not found: set TRACKKIT_SEGMENTER_MODELS (tools/segmenter)");
    return nullptr;
  }
  if (std::string(device) == "cuda" && !trackkit::cuda_available()) {
    state.SkipWithError("no CUDA GPU");
    return nullptr;
  }
  o.device = device;
  try {
    return std::make_unique<trackkit::Segmenter>(enc, dec, o);
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());
    return nullptr;
  }
}

at::Tensor frames_on(const c10::Device& device, int64_t batch) {
  at::manual_seed(0);
  return at::randint(0, 256, {batch, kHeight, kWidth, 3}, at::kByte).to(device);
}

/// n boxes spread over frame `frame` (people-sized, 80x200 px, on a grid).
at::Tensor boxes_for(int64_t n, int64_t frames) {
  at::Tensor b = at::empty({n, 5});
  for (int64_t i = 0; i < n; ++i) {
    const float x = static_cast<float>((i * 97) % (kWidth - 100)), y = static_cast<float>((i * 53) % (kHeight - 220));
    b[i][0] = static_cast<float>(i % frames), b[i][1] = x, b[i][2] = y, b[i][3] = x + 80, b[i][4] = y + 200;
  }
  return b;
}

void BM_encoder(benchmark::State& state, std::string model, const char* device, trackkit::Precision precision) {
  const int64_t batch = state.range(0);
  trackkit::SegmenterOptions o;
  o.precision = precision, o.encoder_batch_size = batch;
  auto seg = make(state, model, device, o);
  if (!seg) return;
  const at::Tensor frames = frames_on(seg->device(), batch);
  seg->warmup(kHeight, kWidth, 1);
  peak_bytes(seg->device(), true);
  for (auto _ : state) {
    benchmark::DoNotOptimize(seg->encode(frames));
    sync(seg->device());
  }
  state.counters["peak_MB"] = static_cast<double>(peak_bytes(seg->device(), false)) / (1 << 20);
  state.counters["frames_per_second"] =
      benchmark::Counter(static_cast<double>(state.iterations() * batch), benchmark::Counter::kIsRate);
}

/// range(0): boxes; range(1): 1 = one decode() call for all, 0 = one call per box; full: 1080p masks too.
void BM_decoder(benchmark::State& state, std::string model, const char* device, trackkit::Precision precision,
                bool full) {
  const int64_t n = state.range(0);
  const bool batched = state.range(1) == 1;
  trackkit::SegmenterOptions o;
  o.precision = precision, o.full_resolution = full;
  auto seg = make(state, model, device, o);
  if (!seg) return;
  const trackkit::SegmenterEmbeddings e = seg->encode(frames_on(seg->device(), 1));
  const at::Tensor boxes = boxes_for(n, 1);
  seg->decode(e, boxes); // warm-up at this size
  seg->decode(e, boxes.narrow(0, 0, 1));
  sync(seg->device());
  peak_bytes(seg->device(), true);
  for (auto _ : state) {
    if (batched) {
      benchmark::DoNotOptimize(seg->decode(e, boxes));
    } else {
      for (int64_t i = 0; i < n; ++i) benchmark::DoNotOptimize(seg->decode(e, boxes.narrow(0, i, 1)));
    }
    sync(seg->device());
  }
  state.counters["peak_MB"] = static_cast<double>(peak_bytes(seg->device(), false)) / (1 << 20);
  state.counters["boxes_per_second"] =
      benchmark::Counter(static_cast<double>(state.iterations() * n), benchmark::Counter::kIsRate);
}

/// range(0) frames with 10 boxes each: encode + one decode, with 1080p masks (full) or low-res logits only.
void BM_segment(benchmark::State& state, std::string model, const char* device, trackkit::Precision precision,
                bool full) {
  const int64_t batch = state.range(0);
  trackkit::SegmenterOptions o;
  o.precision = precision, o.encoder_batch_size = batch, o.full_resolution = full;
  auto seg = make(state, model, device, o);
  if (!seg) return;
  const at::Tensor frames = frames_on(seg->device(), batch), boxes = boxes_for(10 * batch, batch);
  seg->warmup(kHeight, kWidth, 10 * batch);
  peak_bytes(seg->device(), true);
  for (auto _ : state) {
    benchmark::DoNotOptimize(seg->segment(frames, boxes));
    sync(seg->device());
  }
  state.counters["peak_MB"] = static_cast<double>(peak_bytes(seg->device(), false)) / (1 << 20);
  state.counters["frames_per_second"] =
      benchmark::Counter(static_cast<double>(state.iterations() * batch), benchmark::Counter::kIsRate);
}

constexpr auto kFP32 = trackkit::Precision::FP32;
constexpr auto kFP16 = trackkit::Precision::FP16;
constexpr auto kBF16 = trackkit::Precision::BF16;

#define ENCODER(name, model, device, precision, ...)            \
  BENCHMARK_CAPTURE(BM_encoder, name, model, device, precision) \
      ->ArgsProduct({{__VA_ARGS__}})                            \
      ->UseRealTime()                                           \
      ->Unit(benchmark::kMillisecond)
ENCODER(mobile_sam_cuda_fp32, "mobile_sam", "cuda", kFP32, 1, 8, 32);
ENCODER(mobile_sam_cuda_fp16, "mobile_sam", "cuda", kFP16, 1, 8, 32, 64);
ENCODER(mobile_sam_aoti_cuda_fp16, "mobile_sam.fp16.pt2", "cuda", kFP16, 1, 8, 32, 64);
ENCODER(mobile_sam_cuda_bf16, "mobile_sam", "cuda", kBF16, 1, 8, 32);
ENCODER(sam_vit_b_cuda_fp32, "sam_vit_b", "cuda", kFP32, 1, 8);
ENCODER(sam_vit_b_cuda_fp16, "sam_vit_b", "cuda", kFP16, 1, 8, 16);
ENCODER(mobile_sam_cpu_fp32, "mobile_sam", "cpu", kFP32, 1);
ENCODER(sam2_1_hiera_t_cuda_fp16, "sam2.1_hiera_t", "cuda", kFP16, 1, 8, 32);
ENCODER(efficientvit_sam_l0_cuda_fp16, "efficientvit_sam_l0", "cuda", kFP16, 1, 8, 32, 64);

// One call for all boxes, then the per-box loop with fixed iterations (a loop of 50 boxes takes ~0.1-0.2 s on a
// GPU, so a time-based minimum would run it only once or twice): 10 loops up to 50 boxes, 3 at 200.
#define DECODER(name, model, device, precision, full, ...)            \
  BENCHMARK_CAPTURE(BM_decoder, name, model, device, precision, full) \
      ->ArgsProduct({{__VA_ARGS__}, {1}})                             \
      ->ArgNames({"boxes", "one_call"})                               \
      ->UseRealTime()                                                 \
      ->Unit(benchmark::kMillisecond);                                \
  BENCHMARK_CAPTURE(BM_decoder, name, model, device, precision, full) \
      ->Apply([](benchmark::internal::Benchmark* b) {                 \
        for (int64_t n : {__VA_ARGS__}) b->Args({n, 0});              \
      })                                                              \
      ->ArgNames({"boxes", "one_call"})                               \
      ->Iterations(10)                                                \
      ->UseRealTime()                                                 \
      ->Unit(benchmark::kMillisecond)
DECODER(mobile_sam_cuda_fp32_lowres, "mobile_sam", "cuda", kFP32, false, 1, 10, 50);
DECODER(mobile_sam_cuda_fp16_lowres, "mobile_sam", "cuda", kFP16, false, 1, 10, 50);
DECODER(mobile_sam_cuda_fp16_1080p, "mobile_sam", "cuda", kFP16, true, 1, 10, 50);
DECODER(mobile_sam_aoti_cuda_fp16_lowres, "mobile_sam.fp16.pt2", "cuda", kFP16, false, 1, 10, 50);
DECODER(mobile_sam_cpu_fp32_lowres, "mobile_sam", "cpu", kFP32, false, 1, 10);
DECODER(sam2_1_hiera_t_cuda_fp16_lowres, "sam2.1_hiera_t", "cuda", kFP16, false, 1, 10, 50);
DECODER(efficientvit_sam_l0_cuda_fp16_lowres, "efficientvit_sam_l0", "cuda", kFP16, false, 1, 10, 50);
// 200 boxes: the loop takes ~1 s, so 3 loops.
BENCHMARK_CAPTURE(BM_decoder, mobile_sam_cuda_fp16_lowres, "mobile_sam", "cuda", kFP16, false)
    ->Args({200, 1})
    ->ArgNames({"boxes", "one_call"})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_decoder, mobile_sam_cuda_fp16_lowres, "mobile_sam", "cuda", kFP16, false)
    ->Args({200, 0})
    ->ArgNames({"boxes", "one_call"})
    ->Iterations(3)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

#define SEGMENT(name, model, device, precision, full, ...)            \
  BENCHMARK_CAPTURE(BM_segment, name, model, device, precision, full) \
      ->ArgsProduct({{__VA_ARGS__}})                                  \
      ->ArgNames({"frames"})                                          \
      ->UseRealTime()                                                 \
      ->Unit(benchmark::kMillisecond)
SEGMENT(mobile_sam_cuda_fp16_1080p, "mobile_sam", "cuda", kFP16, true, 8, 32, 64);
SEGMENT(mobile_sam_cuda_fp16_lowres, "mobile_sam", "cuda", kFP16, false, 8, 32, 64);
SEGMENT(mobile_sam_aoti_cuda_fp16_1080p, "mobile_sam.fp16.pt2", "cuda", kFP16, true, 8, 32, 64);
SEGMENT(mobile_sam_aoti_cuda_fp16_lowres, "mobile_sam.fp16.pt2", "cuda", kFP16, false, 8, 32, 64);
SEGMENT(mobile_sam_cuda_bf16_1080p, "mobile_sam", "cuda", kBF16, true, 32);
SEGMENT(sam2_1_hiera_t_cuda_fp16_lowres, "sam2.1_hiera_t", "cuda", kFP16, false, 32);
SEGMENT(efficientvit_sam_l0_cuda_fp16_lowres, "efficientvit_sam_l0", "cuda", kFP16, false, 8, 32, 64);

} // namespace

BENCHMARK_MAIN();
