// External CUDA streams (a C caller's cudaStream_t) as LibTorch's current stream, and the caching allocator's
// release. Without CUDA only nullptr is accepted.
#include <c10/core/impl/VirtualGuardImpl.h>

#include <string>

#include "trackkit/cuda_stream.hpp"
#include "trackkit/device.hpp"
#include "trackkit/error.hpp"

#ifdef TRACKKIT_WITH_CUDA
#include <c10/cuda/CUDACachingAllocator.h>
#include <c10/cuda/CUDAStream.h>
#include <cuda_runtime_api.h>
#endif

namespace trackkit {

int cuda_stream_device(void* cuda_stream) {
  if (cuda_stream == nullptr) return -1;
#ifdef TRACKKIT_WITH_CUDA
  int device = -1;
  const cudaError_t status = cudaStreamGetDevice(static_cast<cudaStream_t>(cuda_stream), &device);
  if (status != cudaSuccess) {
    (void)cudaGetLastError(); // not sticky: clear it so later calls do not see it
    throw Error(ErrorCode::Cuda, std::string("cuda_stream is not a valid CUDA stream: ") + cudaGetErrorName(status) +
                                     " (" + cudaGetErrorString(status) + ")");
  }
  return device;
#else
  throw Error(ErrorCode::Unsupported, "cuda_stream is set but trackkit was built without CUDA");
#endif
}

CudaStreamScope::CudaStreamScope(void* cuda_stream) {
  if (cuda_stream == nullptr) return;
#ifdef TRACKKIT_WITH_CUDA
  const int device = cuda_stream_device(cuda_stream);
  const c10::Stream stream =
      c10::cuda::getStreamFromExternal(static_cast<cudaStream_t>(cuda_stream), static_cast<c10::DeviceIndex>(device))
          .unwrap();
  const c10::impl::VirtualGuardImpl guard(c10::kCUDA);
  previous_device_ = guard.getDevice().index();
  guard.setDevice(stream.device());
  previous_stream_ = guard.exchangeStream(stream);
#else
  (void)cuda_stream_device(cuda_stream);
#endif
}

CudaStreamScope::~CudaStreamScope() {
  if (!previous_stream_) return;
  const c10::impl::VirtualGuardImpl guard(c10::kCUDA);
  guard.exchangeStream(*previous_stream_);
  guard.uncheckedSetDevice(c10::Device(c10::kCUDA, previous_device_));
}

void release_cached_device_memory() {
#ifdef TRACKKIT_WITH_CUDA
  if (cuda_device_count() > 0) c10::cuda::CUDACachingAllocator::emptyCache();
#endif
}

} // namespace trackkit
