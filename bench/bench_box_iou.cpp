// IoU matrix: [N,4] x [N,4] -> [N,N] and batched [B,N,4] x [B,N,4], on the CPU and (when present) on CUDA.
// Counters: pairs/s (items_per_second) and output bytes/s (bytes_per_second, the kernel's floor).
#include <ATen/ATen.h>
#include <ATen/detail/CUDAHooksInterface.h>
#include <benchmark/benchmark.h>

#include "trackkit/boxes.hpp"
#include "trackkit/device.hpp"

namespace {

at::Tensor random_boxes(int64_t batch, int64_t n, const c10::Device& device) {
  const at::Tensor xy = at::rand({batch, n, 2}) * at::tensor({1920.f, 1080.f});
  const at::Tensor wh = 2 + at::rand({batch, n, 2}) * 300;
  return at::cat({xy, xy + wh}, -1).to(device);
}

void run(benchmark::State& state, const c10::Device& device) {
  const int64_t batch = state.range(0), n = state.range(1);
  const at::Tensor a = random_boxes(batch, n, device), b = random_boxes(batch, n, device);
  const at::Tensor a_in = batch == 1 ? a[0] : a, b_in = batch == 1 ? b[0] : b;
  auto sync = [&] {
    if (device.is_cuda()) at::detail::getCUDAHooks().deviceSynchronize(device.index());
  };
  for (int i = 0; i < 3; ++i) trackkit::box_iou(a_in, b_in); // warm-up
  sync();
  for (auto _ : state) {
    benchmark::DoNotOptimize(trackkit::box_iou(a_in, b_in));
    sync();
  }
  state.SetItemsProcessed(state.iterations() * batch * n * n);
  state.SetBytesProcessed(state.iterations() * batch * n * n * static_cast<int64_t>(sizeof(float)));
}

void BM_box_iou_cpu(benchmark::State& state) { run(state, c10::Device(c10::kCPU)); }

void BM_box_iou_cuda(benchmark::State& state) {
  if (!trackkit::cuda_available()) {
    state.SkipWithError("no CUDA GPU visible");
    return;
  }
  run(state, c10::Device(c10::kCUDA, 0));
}

// Args: {batch, boxes per side}. 1x100 is a typical frame; 1x1000 a crowded one; 16x200 a batch of frames.
BENCHMARK(BM_box_iou_cpu)->Args({1, 100})->Args({1, 1000})->Args({16, 200})->Args({1, 4000})->UseRealTime();
BENCHMARK(BM_box_iou_cuda)
    ->Args({1, 100})
    ->Args({1, 1000})
    ->Args({16, 200})
    ->Args({1, 4000})
    ->Args({64, 1000})
    ->UseRealTime();

} // namespace

BENCHMARK_MAIN();
