#pragma once
// CUDA error handling for trackkit kernels: every failure becomes trackkit::Error with code Cuda
// (or OutOfMemory), naming the operation.
#include <cuda_runtime_api.h>

#include <string>

#include "trackkit/error.hpp"

namespace trackkit::detail {

[[noreturn]] inline void throw_cuda_error(cudaError_t status, const char* operation) {
  const ErrorCode code = status == cudaErrorMemoryAllocation ? ErrorCode::OutOfMemory : ErrorCode::Cuda;
  throw Error(code, std::string(operation) + ": CUDA error " + cudaGetErrorName(status) + " (" +
                        cudaGetErrorString(status) + ")");
}

} // namespace trackkit::detail

/// Checks the status of the last kernel launch (configuration errors; asynchronous faults surface later).
#define TK_CUDA_CHECK_LAUNCH(operation)                                                         \
  do {                                                                                          \
    const cudaError_t tk_status_ = cudaGetLastError();                                          \
    if (tk_status_ != cudaSuccess) ::trackkit::detail::throw_cuda_error(tk_status_, operation); \
  } while (0)
