#pragma once
// What the model benchmarks share: waiting for the device, and the GPU allocator's peak (0 on the CPU or without
// CUDA; the target defines TRACKKIT_WITH_CUDA for the counters).
#include <ATen/detail/CUDAHooksInterface.h>
#include <c10/core/Device.h>

#include <cstdint>

#ifdef TRACKKIT_WITH_CUDA
#include <c10/cuda/CUDACachingAllocator.h>
#endif

namespace bench_gpu {

inline void sync(const c10::Device& device) {
  if (device.is_cuda()) at::detail::getCUDAHooks().deviceSynchronize(device.index());
}

/// The allocator's peak allocated bytes since the last reset (reset = true starts a new measurement).
inline int64_t peak_bytes(const c10::Device& device, bool reset) {
#ifdef TRACKKIT_WITH_CUDA
  if (device.is_cuda()) {
    namespace allocator = c10::cuda::CUDACachingAllocator;
    if (reset) allocator::resetPeakStats(device.index());
    return allocator::getDeviceStats(device.index())
        .allocated_bytes[static_cast<size_t>(c10::CachingAllocator::StatType::AGGREGATE)]
        .peak;
  }
#endif
  (void)device, (void)reset;
  return 0;
}

} // namespace bench_gpu
