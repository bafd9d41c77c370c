// Frames across CUDA streams: events rather than stream or device synchronisation, so that a decoder's stream
// keeps decoding ahead while its earlier frames are handed out.
#include "video/frame_copy.hpp"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <algorithm>
#include <cstring>
#include <string>

#include "trackkit/error.hpp"

#ifdef TRACKKIT_WITH_CUDA
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#include <cuda_runtime_api.h>

#include "core/cuda_check.hpp"
#endif

namespace trackkit::detail::video {

#ifdef TRACKKIT_WITH_CUDA
namespace {

void check(cudaError_t status, const char* operation) {
  if (status != cudaSuccess) throw_cuda_error(status, operation);
}

/// A timing-free event, destroyed with its scope.
struct Event {
  cudaEvent_t event = nullptr;
  Event() { check(cudaEventCreateWithFlags(&event, cudaEventDisableTiming), "cudaEventCreateWithFlags"); }
  ~Event() { (void)cudaEventDestroy(event); }
  Event(const Event&) = delete;
  Event& operator=(const Event&) = delete;
};

} // namespace

bool is_current_stream(void* stream, int device) {
  return c10::cuda::getCurrentCUDAStream(static_cast<c10::DeviceIndex>(device)).stream() ==
         static_cast<cudaStream_t>(stream);
}

void stream_waits_for_current(void* stream, int device) {
  if (is_current_stream(stream, device)) return;
  const c10::cuda::CUDAGuard guard(static_cast<c10::DeviceIndex>(device));
  const Event done;
  check(cudaEventRecord(done.event, c10::cuda::getCurrentCUDAStream(static_cast<c10::DeviceIndex>(device)).stream()),
        "cudaEventRecord");
  check(cudaStreamWaitEvent(static_cast<cudaStream_t>(stream), done.event, 0), "cudaStreamWaitEvent");
}

void wait_for_stream(void* stream) {
  const Event done;
  check(cudaEventRecord(done.event, static_cast<cudaStream_t>(stream)), "cudaEventRecord");
  check(cudaEventSynchronize(done.event), "cudaEventSynchronize (waiting for decoded frames)");
}
#else
bool is_current_stream(void*, int) { return false; }
void stream_waits_for_current(void*, int) {}
void wait_for_stream(void*) {}
#endif

void copy_ring_frames(const at::Tensor& ring, int64_t first, int64_t count, at::Tensor& out, void* stream) {
  const int64_t slots = ring.size(0);
  const size_t frame_bytes = static_cast<size_t>(ring[0].numel());
  const uint8_t* src = ring.data_ptr<uint8_t>();
  uint8_t* dst = out.data_ptr<uint8_t>();
  if (!ring.is_cuda()) {
    at::parallel_for(0, count, 1, [&](int64_t b, int64_t e) {
      for (int64_t k = b; k < e; ++k)
        std::memcpy(dst + k * frame_bytes, src + ((first + k) % slots) * frame_bytes, frame_bytes);
    });
    return;
  }
#ifdef TRACKKIT_WITH_CUDA
  const int device = ring.device().index();
  const c10::cuda::CUDAGuard guard(static_cast<c10::DeviceIndex>(device));
  stream_waits_for_current(stream, device);
  // At most two runs of slots: up to the ring's end, then from its start.
  for (int64_t done = 0; done < count;) {
    const int64_t slot = (first + done) % slots, run = std::min(count - done, slots - slot);
    check(cudaMemcpyAsync(dst + done * frame_bytes, src + slot * frame_bytes, static_cast<size_t>(run) * frame_bytes,
                          cudaMemcpyDeviceToDevice, static_cast<cudaStream_t>(stream)),
          "cudaMemcpyAsync (frames out of the decoder's ring)");
    done += run;
  }
  wait_for_stream(stream);
#else
  (void)stream;
  throw Error(ErrorCode::Unsupported, "copy_ring_frames: CUDA frames, but trackkit was built without CUDA kernels");
#endif
}

} // namespace trackkit::detail::video
