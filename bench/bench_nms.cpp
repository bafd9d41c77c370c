// Batched NMS of YOLOv8-shaped outputs: 640x640 input, A = 8400 anchors (strides 8, 16, 32), C = 80 classes,
// read through the transposed view of the model's [B,84,A] output, as the Detector passes it. Args: {B, mode}
// with mode 0 = prediction settings (conf 0.25, IoU 0.7), 1 = validation settings (conf 0.001, IoU 0.7:
// thousands of candidates an image). Counter: images/s (items_per_second); "kept" = detections an image.
#include <ATen/ATen.h>
#include <ATen/detail/CUDAHooksInterface.h>
#include <benchmark/benchmark.h>

#include <vector>

#include "trackkit/device.hpp"
#include "trackkit/nms.hpp"

namespace {

// Model-like output [B,84,A]: anchor-centred xywh boxes; sigmoid scores low on background (mostly < 0.01)
// and, near each of ~12 objects an image, high on the object's class and fading with distance, with box
// estimates scattered around the object's box. About 76 detections an image survive at conf 0.25, IoU 0.7.
at::Tensor yolo_output(int64_t batch) {
  std::vector<at::Tensor> centres;
  std::vector<at::Tensor> strides;
  for (int64_t stride : {8, 16, 32}) {
    const int64_t n = 640 / stride;
    const at::Tensor g = (at::arange(n, at::kFloat) + 0.5) * stride;
    const std::vector<at::Tensor> yx = at::meshgrid({g, g}, "ij");
    centres.push_back(at::stack({yx[1].flatten(), yx[0].flatten()}, 1));
    strides.push_back(at::full({n * n}, static_cast<float>(stride)));
  }
  const at::Tensor anchor = at::cat(centres).unsqueeze(0);  // [1,A,2]
  const at::Tensor stride = at::cat(strides).view({1, -1}); // [1,A]
  const int64_t a = anchor.size(1), objects = 12;
  const at::Tensor obj_c = at::rand({batch, objects, 2}) * 560 + 40;
  const at::Tensor obj_wh = at::rand({batch, objects, 2}) * 200 + 16;
  const at::Tensor obj_cls = at::randint(80, {batch, objects});
  // Each anchor looks at its nearest object; its confidence falls with distance relative to the object's size.
  const at::Tensor dist = at::cdist(anchor.expand({batch, a, 2}), obj_c); // [B,A,objects]
  const auto [d, nearest] = (dist / obj_wh.norm(2, -1).unsqueeze(1)).min(-1);
  auto pick = [&](const at::Tensor& t) { return at::gather(t, 1, nearest.unsqueeze(-1).expand({-1, -1, t.size(2)})); };
  const at::Tensor near_scale = (stride.unsqueeze(-1) / 32).clamp_max(1); // coarse levels see big objects
  const at::Tensor logit_obj = 6 - 18 * d.unsqueeze(-1) + at::randn({batch, a, 1}) - 2 * (1 - near_scale);
  at::Tensor logits = at::randn({batch, a, 80}) * 1.2 - 7;
  logits.scatter_(2, pick(obj_cls.unsqueeze(-1)), logit_obj);
  const at::Tensor wh = pick(obj_wh) * (1 + 0.1 * at::randn({batch, a, 2}));
  const at::Tensor xy = pick(obj_c) + 0.05 * wh * at::randn({batch, a, 2});
  return at::cat({xy, wh, logits.sigmoid()}, -1).transpose(1, 2).contiguous(); // [B,84,A]
}

void run(benchmark::State& state, const c10::Device& device) {
  const int64_t batch = state.range(0);
  at::manual_seed(1);
  const at::Tensor out = yolo_output(batch).to(device);
  const at::Tensor view = out.transpose(1, 2);  // [B,A,84], anchor stride 1
  const at::Tensor xywh = view.narrow(2, 0, 4); // xywh -> xyxy is the Detector's step, done once here
  const at::Tensor boxes =
      at::cat({xywh.narrow(2, 0, 2) - xywh.narrow(2, 2, 2) / 2, xywh.narrow(2, 0, 2) + xywh.narrow(2, 2, 2) / 2}, 2);
  const at::Tensor scores = view.narrow(2, 4, 80);
  trackkit::NmsOptions options;
  options.iou_threshold = 0.7;
  if (state.range(1) == 1) options.conf_threshold = 0.001;
  auto sync = [&] {
    if (device.is_cuda()) at::detail::getCUDAHooks().deviceSynchronize(device.index());
  };
  trackkit::NmsResult result;
  for (int i = 0; i < 3; ++i) result = trackkit::batched_nms(boxes, scores, options); // warm-up
  sync();
  for (auto _ : state) {
    result = trackkit::batched_nms(boxes, scores, options);
    sync();
  }
  state.SetItemsProcessed(state.iterations() * batch);
  state.counters["kept"] = result.counts.to(at::kDouble).mean().item<double>();
}

void BM_nms_cpu(benchmark::State& state) { run(state, c10::Device(c10::kCPU)); }

void BM_nms_cuda(benchmark::State& state) {
  if (!trackkit::cuda_available()) {
    state.SkipWithError("no CUDA GPU visible");
    return;
  }
  run(state, c10::Device(c10::kCUDA, 0));
}

BENCHMARK(BM_nms_cpu)->ArgsProduct({{1, 16, 64}, {0, 1}})->UseRealTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_nms_cuda)->ArgsProduct({{1, 16, 64}, {0, 1}})->UseRealTime()->Unit(benchmark::kMicrosecond);

} // namespace

BENCHMARK_MAIN();
