#pragma once
// The CUDA stream of a handle (tk_*_set_cuda_stream): stored as given, made LibTorch's current stream around each
// call of the handle (trackkit::CudaStreamScope). NULL leaves the current stream.
#include <ATen/core/Tensor.h>

#include <string>

#include "guard.hpp"
#include "trackkit/cuda_stream.hpp"
#include "trackkit/device.hpp"

namespace trackkit::capi {

/// Checks that `cuda_stream` (may be NULL) belongs to `device` (a CUDA device, or the CPU: then any stream is
/// accepted and ignored, frames may be on a GPU) and returns it for the handle to keep.
inline void* checked_stream(const char* function, void* cuda_stream, c10::Device device) {
  if (cuda_stream == nullptr) return nullptr;
  const int stream_device = cuda_stream_device(cuda_stream);
  if (device.is_cuda() && stream_device != device.index()) {
    fail_argument(function, "cuda_stream",
                  "belongs to cuda:" + std::to_string(stream_device) + " but the handle runs on " + device.str(),
                  ErrorCode::Device);
  }
  return cuda_stream;
}

} // namespace trackkit::capi

namespace trackkit::capi {

/// A per-call stream of a function without a handle: it must belong to the device of the CUDA input `tensor`
/// (ignored for CPU inputs). Returns the stream to scope the call with.
inline void* stream_for(const char* function, void* cuda_stream, const at::Tensor& tensor) {
  return tensor.is_cuda() ? checked_stream(function, cuda_stream, tensor.device()) : nullptr;
}

} // namespace trackkit::capi
