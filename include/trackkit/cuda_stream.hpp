#pragma once
// CUDA streams made outside LibTorch (a C caller's cudaStream_t) as LibTorch's current stream, and the caching
// allocator's release: what the C ABI's tk_*_set_cuda_stream and tk_release_cached_memory are built on.
#include <c10/core/Stream.h>

#include <optional>

#include "trackkit/export.hpp"

namespace trackkit {

/// The device index of a cudaStream_t (cudaStreamGetDevice); throws Error (Cuda) for an invalid stream and
/// (Unsupported) in a build without CUDA. -1 for nullptr.
TRACKKIT_API int cuda_stream_device(void* cuda_stream);

/// Runs a scope's CUDA work on an external stream: makes it the current stream of its device, and that device the
/// current one, until destruction, when both are restored. nullptr changes nothing (the work stays on LibTorch's
/// current stream). Throws as cuda_stream_device().
class TRACKKIT_API CudaStreamScope {
 public:
  explicit CudaStreamScope(void* cuda_stream);
  ~CudaStreamScope();
  CudaStreamScope(const CudaStreamScope&) = delete;
  CudaStreamScope& operator=(const CudaStreamScope&) = delete;

 private:
  std::optional<c10::Stream> previous_stream_;
  c10::DeviceIndex previous_device_ = -1;
};

/// Hands the memory LibTorch's CUDA caching allocator holds but no tensor uses back to the driver, on every device
/// (torch.cuda.empty_cache()); a no-op without CUDA.
TRACKKIT_API void release_cached_device_memory();

} // namespace trackkit
