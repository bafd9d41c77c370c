// EquirectToPinhole: B equirect frames x V views (the 360 pipeline: 8 views of 1920x1080 around the horizon,
// 90° wide), 2K / 4K / 8K inputs, on CUDA and the CPU; and a device-to-device copy as the memory roofline.
// Counters: views_per_s (output images per second), GBps (bytes of the frames read once plus the views written,
// per second; the least any implementation must move), copy_GBps (the copy's GB/s measured in the same process,
// counting bytes read plus written), ms_per_call (wall time), gpu_ms_per_call (CUDA events around the calls) and
// host_ms_per_call (the calls' host side, before the synchronisation). scripts/gpu-e2p.sh runs it with
// tools/compare/e2p_gpu_baseline.py (torch grid_sample, py360convert) in the same call.
//   build/bench/bench_e2p --benchmark_filter=cuda/ --benchmark_min_time=0.3s
#include <ATen/ATen.h>
#include <benchmark/benchmark.h>

#include "bench_main.hpp"

#include <chrono>
#include <string>
#include <vector>

#include "trackkit/device.hpp"
#include "trackkit/e2p.hpp"

#ifdef TRACKKIT_WITH_CUDA
#include <c10/cuda/CUDAFunctions.h>
#include <c10/cuda/CUDAStream.h>
#include <cuda_runtime_api.h>
#endif

namespace {

using trackkit::E2PInterpolation;
using trackkit::E2PLayout;
using trackkit::E2POptions;
using trackkit::EquirectToPinhole;

struct Size {
  const char* name;
  int64_t width, height;
};
constexpr Size kSizes[] = {{"2K", 2048, 1024}, {"4K", 3840, 1920}, {"8K", 7680, 3840}};

void sync(const c10::Device& device) {
#ifdef TRACKKIT_WITH_CUDA
  if (device.is_cuda()) c10::cuda::device_synchronize();
#endif
  (void)device;
}

/// Textured frames (not constant: the gathers read real spread data), [B,H,W,3] or [B,3,H,W].
at::Tensor make_frames(int64_t batch, const Size& s, E2PLayout layout, at::ScalarType dtype,
                       const c10::Device& device) {
  const at::Tensor x =
      at::arange(s.width, at::TensorOptions().dtype(at::kFloat).device(device)).view({1, 1, s.width, 1});
  const at::Tensor y =
      at::arange(s.height, at::TensorOptions().dtype(at::kFloat).device(device)).view({1, s.height, 1, 1});
  const at::Tensor b = at::arange(batch, at::TensorOptions().dtype(at::kFloat).device(device)).view({batch, 1, 1, 1});
  const at::Tensor c = at::arange(3, at::TensorOptions().dtype(at::kFloat).device(device)).view({1, 1, 1, 3});
  at::Tensor f = (127.5 + 127 * at::sin(x * 0.05 + y * 0.031 + b + c)).to(dtype);
  return layout == E2PLayout::NHWC ? f.contiguous() : f.permute({0, 3, 1, 2}).contiguous();
}

/// CUDA-event time of the calls between start() and stop(), summed by add() (after a synchronisation); nothing on the
/// CPU.
struct GpuTimer {
  double total_ms = 0;
#ifdef TRACKKIT_WITH_CUDA
  cudaEvent_t begin = nullptr, end = nullptr;
  explicit GpuTimer(const c10::Device& device) {
    if (device.is_cuda()) cudaEventCreate(&begin), cudaEventCreate(&end);
  }
  ~GpuTimer() {
    if (begin) cudaEventDestroy(begin), cudaEventDestroy(end);
  }
  void start() {
    if (begin) cudaEventRecord(begin, c10::cuda::getCurrentCUDAStream());
  }
  void stop() {
    if (begin) cudaEventRecord(end, c10::cuda::getCurrentCUDAStream());
  }
  void add() {
    float ms = 0;
    if (begin && cudaEventElapsedTime(&ms, begin, end) == cudaSuccess) total_ms += ms;
  }
#else
  explicit GpuTimer(const c10::Device&) {}
  void start() {}
  void stop() {}
  void add() {}
#endif
  GpuTimer(const GpuTimer&) = delete;
  GpuTimer& operator=(const GpuTimer&) = delete;
};

double copy_gbps(const c10::Device& device) {
  static double measured = 0;
  if (measured > 0 || !device.is_cuda()) return measured;
  const int64_t bytes = int64_t{1} << 30;
  const at::Tensor src = at::empty({bytes}, at::TensorOptions().dtype(at::kByte).device(device)).fill_(7);
  at::Tensor dst = at::empty_like(src);
  for (int k = 0; k < 3; ++k) dst.copy_(src);
  sync(device);
  const int reps = 20;
  const auto start = std::chrono::steady_clock::now();
  for (int k = 0; k < reps; ++k) dst.copy_(src);
  sync(device);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() / reps;
  measured = 2.0 * static_cast<double>(bytes) / seconds / 1e9;
  return measured;
}

void run(benchmark::State& state, const c10::Device& device, const Size& size, int64_t batch, E2POptions options,
         at::ScalarType dtype) {
  const std::vector<trackkit::PinholeView> views = EquirectToPinhole::horizon(8, 1920, 1080, 90);
  const EquirectToPinhole e2p(views, options);
  const at::Tensor frames = make_frames(batch, size, options.layout, dtype, device);
  at::Tensor out = e2p.project(frames); // warm-up; the CPU table is built here
  const int reps = device.is_cuda() ? 5 : 1;
  sync(device);
  GpuTimer gpu(device);
  double host_seconds = 0;
  for (auto _ : state) {
    gpu.start();
    const auto enqueue = std::chrono::steady_clock::now();
    for (int k = 0; k < reps; ++k) e2p.project_into(frames, out);
    host_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - enqueue).count();
    gpu.stop();
    sync(device);
    gpu.add();
  }
  const double calls = static_cast<double>(state.iterations()) * reps;
  // GPU time alone (CUDA events around the calls, as tools/compare/e2p_gpu_baseline.py times grid_sample); ms_per_call
  // is wall time and includes the host's share of each iteration (its first launch, the synchronisation).
  if (device.is_cuda()) state.counters["gpu_ms_per_call"] = gpu.total_ms / calls;
  if (device.is_cuda()) state.counters["host_ms_per_call"] = host_seconds * 1e3 / calls; // the calls' host side
  const double bytes = static_cast<double>(frames.nbytes() + out.nbytes());
  state.counters["views_per_s"] = benchmark::Counter(calls * batch * 8, benchmark::Counter::kIsRate);
  state.counters["ms_per_call"] =
      benchmark::Counter(calls / 1e3, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["GBps"] = benchmark::Counter(calls * bytes / 1e9, benchmark::Counter::kIsRate);
  if (device.is_cuda()) state.counters["copy_GBps"] = copy_gbps(device);
}

void register_all() {
  const c10::Device cpu(c10::kCPU);
  for (const Size& s : kSizes) {
    benchmark::RegisterBenchmark((std::string("cpu/u8_nhwc_bilinear/") + s.name + "/B1").c_str(),
                                 [s, cpu](benchmark::State& st) { run(st, cpu, s, 1, E2POptions(), at::kByte); })
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
  }
  if (!trackkit::cuda_available()) return;
  const c10::Device cuda(c10::kCUDA, 0);
  benchmark::RegisterBenchmark("cuda/copy_1GiB", [cuda](benchmark::State& st) {
    for (auto _ : st) st.counters["copy_GBps"] = copy_gbps(cuda);
  })->Iterations(1);
  struct Variant {
    std::string name;
    E2PInterpolation mode;
    E2PLayout layout;
    at::ScalarType dtype;
    int pixels; // 0: tiles
    bool wide;
  };
  const auto bilinear = E2PInterpolation::Bilinear;
  const std::vector<Variant> variants = {
      {"u8_nhwc_bilinear", bilinear, E2PLayout::NHWC, at::kByte, 0, true},
      {"u8_nhwc_bilinear_px4", bilinear, E2PLayout::NHWC, at::kByte, 4, true},
      {"u8_nhwc_bilinear_px2", bilinear, E2PLayout::NHWC, at::kByte, 2, true},
      {"u8_nhwc_bilinear_px1", bilinear, E2PLayout::NHWC, at::kByte, 1, true},
      {"u8_nhwc_bilinear_bytes", bilinear, E2PLayout::NHWC, at::kByte, 0, false},
      {"u8_nhwc_bilinear_px1_bytes", bilinear, E2PLayout::NHWC, at::kByte, 1, false},
      {"u8_nchw_bilinear", bilinear, E2PLayout::NCHW, at::kByte, 4, true},
      {"u8_nhwc_nearest", E2PInterpolation::Nearest, E2PLayout::NHWC, at::kByte, 4, true},
      {"u8_nhwc_bicubic", E2PInterpolation::Bicubic, E2PLayout::NHWC, at::kByte, 4, true},
      {"f16_nchw_bilinear", bilinear, E2PLayout::NCHW, at::kHalf, 4, true},
      {"f16_nhwc_bilinear", bilinear, E2PLayout::NHWC, at::kHalf, 4, true},
      {"f32_nhwc_bilinear", bilinear, E2PLayout::NHWC, at::kFloat, 4, true},
  };
  for (const Size& s : kSizes) {
    for (const Variant& v : variants) {
      // Every variant on the headline (8K, B=8); the main one at every size and batch.
      if (std::string(s.name) != "8K" && v.name != "u8_nhwc_bilinear" && v.name != "f16_nchw_bilinear") continue;
      for (int64_t batch : {int64_t{1}, int64_t{8}}) {
        if (batch == 1 && v.name != "u8_nhwc_bilinear") continue;
        E2POptions o;
        o.interpolation = v.mode, o.layout = v.layout, o.cuda_wide_loads = v.wide;
        o.cuda_tiles = v.pixels == 0;
        if (v.pixels > 0) o.cuda_pixels_per_thread = v.pixels;
        const std::string name = "cuda/" + v.name + "/" + s.name + "/B" + std::to_string(batch);
        const at::ScalarType dtype = v.dtype;
        benchmark::RegisterBenchmark(name.c_str(), [=](benchmark::State& st) { run(st, cuda, s, batch, o, dtype); })
            ->Unit(benchmark::kMillisecond)
            ->UseRealTime();
      }
    }
  }
}

} // namespace

int main(int argc, char** argv) { return run_registered_benchmarks(argc, argv, register_all); }
