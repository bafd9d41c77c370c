// CUDA kernels against the CPU ones (runs on the GPU machine; skips where no GPU is visible).
#include <ATen/ATen.h>

#include <limits>
#include <string>

#include "box_reference.hpp"
#include "catch.hpp"
#include "trackkit/boxes.hpp"
#include "trackkit/check.hpp"
#include "trackkit/device.hpp"
#include "trackkit/error.hpp"
#include "trackkit/version.hpp"

namespace {

double max_abs_diff(const at::Tensor& a, const at::Tensor& b) {
  return a.numel() == 0 ? 0.0 : (a.to(at::kDouble).cpu() - b.to(at::kDouble).cpu()).abs().max().item<double>();
}

} // namespace

TEST_CASE("CUDA box_iou equals CPU box_iou") {
  if (!trackkit::cuda_available()) TK_SKIP("no CUDA GPU visible to trackkit (" << trackkit::build_info() << ")");
  at::manual_seed(42);
  const c10::Device gpu(c10::kCUDA, 0);
  // Sizes off the 32x64 tile grid, a single box, and a large matrix.
  const std::vector<std::pair<int64_t, int64_t>> sizes{{1, 1}, {31, 65}, {100, 7}, {513, 1000}, {2000, 2000}};
  for (auto [n, m] : sizes) {
    const at::Tensor a = random_boxes(n), b = random_boxes(m);
    const at::Tensor cpu = trackkit::box_iou(a, b);
    const at::Tensor gpu_iou = trackkit::box_iou(a.to(gpu), b.to(gpu));
    CHECK(gpu_iou.device() == gpu);
    CHECK(max_abs_diff(gpu_iou, cpu) <= 1e-6);
    const at::Tensor cpu64 = trackkit::box_iou(a.to(at::kDouble), b.to(at::kDouble));
    const at::Tensor gpu64 = trackkit::box_iou(a.to(gpu, at::kDouble), b.to(gpu, at::kDouble));
    CHECK(max_abs_diff(gpu64, cpu64) <= 1e-12);
  }
  // Batched, and fp16 in.
  const at::Tensor a = random_boxes(16 * 300).view({16, 300, 4}), b = random_boxes(16 * 200).view({16, 200, 4});
  CHECK(max_abs_diff(trackkit::box_iou(a.to(gpu), b.to(gpu)), trackkit::box_iou(a, b)) <= 1e-6);
  CHECK(max_abs_diff(trackkit::box_iou(a.to(gpu, at::kHalf), b.to(gpu, at::kHalf)),
                     trackkit::box_iou(a.to(at::kHalf), b.to(at::kHalf))) <= 1e-6);
  // Non-finite coordinates are caught by the kernel and named.
  at::Tensor bad = b[0].to(gpu);
  bad[7][2] = std::numeric_limits<float>::infinity();
  for (int which : {1, 2}) {
    try {
      which == 1 ? trackkit::box_iou(bad, a[0].to(gpu)) : trackkit::box_iou(a[0].to(gpu), bad);
      FAIL("no error");
    } catch (const trackkit::Error& e) {
      CHECK(std::string(e.what()) == "box_iou: boxes" + std::to_string(which) + " contains NaN or infinite values");
    }
  }
  // Empty on the GPU.
  CHECK(trackkit::box_iou(at::empty({0, 4}, gpu), b[0].to(gpu)).sizes() == at::IntArrayRef({0, 200}));
}

TEST_CASE("CUDA tensors where CPU is required, and mixed devices, give errors naming the argument") {
  if (!trackkit::cuda_available()) TK_SKIP("no CUDA GPU visible to trackkit");
  const at::Tensor cpu = random_boxes(4), gpu = cpu.cuda();
  try {
    trackkit::TensorCheck("decode_cpu", "boxes", gpu).device_type(c10::kCPU);
    FAIL("no error");
  } catch (const trackkit::Error& e) {
    CHECK(e.code() == trackkit::ErrorCode::Device);
    CHECK(std::string(e.what()) == "decode_cpu: boxes must be on cpu, got a tensor on cuda:0");
  }
  try {
    trackkit::box_iou(cpu, gpu);
    FAIL("no error");
  } catch (const trackkit::Error& e) {
    CHECK(std::string(e.what()) ==
          "box_iou: boxes2 is on cuda:0 but boxes1 is on cpu; both must be on the same device");
  }
}
