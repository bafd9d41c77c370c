// CudaStreamScope (external CUDA streams as LibTorch's current stream) and release_cached_device_memory.
#include <ATen/ATen.h>

#include "catch.hpp"
#include "trackkit/boxes.hpp"
#include "trackkit/cuda_stream.hpp"
#include "trackkit/device.hpp"
#include "trackkit/error.hpp"
#include "trackkit/version.hpp"

#ifdef TRACKKIT_WITH_CUDA
#include <ATen/cuda/Sleep.h>
#include <c10/cuda/CUDAStream.h>
#endif

TEST_CASE("CudaStreamScope with no stream changes nothing") {
  REQUIRE(trackkit::cuda_stream_device(nullptr) == -1);
  const trackkit::CudaStreamScope scope(nullptr); // must not throw, with or without CUDA
  trackkit::release_cached_device_memory();       // a no-op without CUDA, never a throw
}

TEST_CASE("CudaStreamScope rejects a stream where trackkit has no CUDA") {
  if (trackkit::built_with_cuda()) TK_SKIP("trackkit has CUDA kernels: the GPU test below covers streams");
  int not_a_stream = 0;
  try {
    const trackkit::CudaStreamScope scope(&not_a_stream);
    FAIL("no exception");
  } catch (const trackkit::Error& e) {
    CHECK(e.code() == trackkit::ErrorCode::Unsupported);
  }
}

#ifdef TRACKKIT_WITH_CUDA
TEST_CASE("CudaStreamScope makes an external stream current, then restores the previous one") {
  if (!trackkit::cuda_available()) TK_SKIP("no CUDA GPU visible to trackkit (" << trackkit::build_info() << ")");
  const c10::cuda::CUDAStream before = c10::cuda::getCurrentCUDAStream(0);
  const c10::cuda::CUDAStream external = c10::cuda::getStreamFromPool(false, 0);
  REQUIRE(external != before);
  REQUIRE(trackkit::cuda_stream_device(external.stream()) == 0);
  {
    const trackkit::CudaStreamScope scope(external.stream());
    CHECK(c10::cuda::getCurrentCUDAStream(0).stream() == external.stream());
    // Work inside the scope is ordered on the external stream: IoU of boxes written on that stream after a delay
    // is right without any synchronisation of ours.
    const at::Tensor boxes = at::zeros({2, 4}, at::TensorOptions().device(at::kCUDA, 0));
    at::cuda::sleep(50'000'000); // tens of milliseconds on the external stream
    boxes.copy_(at::tensor({0.f, 0.f, 10.f, 10.f, 5.f, 0.f, 15.f, 10.f}).view({2, 4}), /*non_blocking=*/true);
    const at::Tensor iou = trackkit::box_iou(boxes, boxes).cpu();
    CHECK(iou[0][1].item<float>() == Approx(50.0 / 150.0));
  }
  CHECK(c10::cuda::getCurrentCUDAStream(0) == before);
}
#endif
