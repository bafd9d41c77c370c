#include "runtime/device_memory.hpp"

#include <c10/util/Exception.h>

#include <string>

#include "core/log.hpp"

#ifdef TRACKKIT_WITH_CUDA
#include <c10/cuda/CUDACachingAllocator.h>
#include <c10/cuda/CUDAFunctions.h>
#include <c10/cuda/CUDAGuard.h>
#include <cuda_runtime_api.h>
#endif

namespace trackkit::detail {

#ifdef TRACKKIT_WITH_CUDA
namespace allocator = c10::cuda::CUDACachingAllocator;

int64_t free_device_bytes(c10::Device device) {
  if (!device.is_cuda()) return 0;
  const c10::cuda::CUDAGuard guard(device);
  size_t free = 0, total = 0;
  if (cudaMemGetInfo(&free, &total) != cudaSuccess) return 0;
  const auto stats = allocator::getDeviceStats(device.index());
  const auto& reserved = stats.reserved_bytes[static_cast<size_t>(c10::CachingAllocator::StatType::AGGREGATE)];
  const auto& allocated = stats.allocated_bytes[static_cast<size_t>(c10::CachingAllocator::StatType::AGGREGATE)];
  return static_cast<int64_t>(free) + std::max<int64_t>(0, reserved.current - allocated.current);
}

void reset_peak_memory(c10::Device device) {
  if (device.is_cuda()) allocator::resetPeakStats(device.index());
}

int64_t peak_memory_bytes(c10::Device device) {
  if (!device.is_cuda()) return 0;
  const auto stats = allocator::getDeviceStats(device.index());
  return stats.allocated_bytes[static_cast<size_t>(c10::CachingAllocator::StatType::AGGREGATE)].peak;
}

void release_cached_memory(c10::Device device) {
  if (device.is_cuda()) allocator::emptyCache();
}

void synchronize(c10::Device device) {
  if (device.is_cuda()) c10::cuda::device_synchronize();
}
#else
int64_t free_device_bytes(c10::Device) { return 0; }
void reset_peak_memory(c10::Device) {}
int64_t peak_memory_bytes(c10::Device) { return 0; }
void release_cached_memory(c10::Device) {}
void synchronize(c10::Device) {}
#endif

void for_each_batch(int64_t n, int64_t& batch, c10::Device device, const std::function<void(int64_t, int64_t)>& run) {
  batch = std::max<int64_t>(batch, 1);
  for (int64_t first = 0; first < n;) {
    const int64_t count = std::min(batch, n - first);
    try {
      run(first, count);
      first += count;
    } catch (const c10::OutOfMemoryError&) {
      if (count == 1) throw;
      release_cached_memory(device);
      batch = std::max<int64_t>(count / 2, 1);
      log_warn("out of GPU memory at a batch of {}; retrying with {}", count, batch);
    }
  }
}

BatchFit fit_batch(c10::Device device, double fraction, int64_t max_batch, const std::function<void(int64_t)>& run) {
  reset_peak_memory(device);
  const int64_t base = peak_memory_bytes(device);
  run(1);
  const int64_t one = peak_memory_bytes(device) - base;
  reset_peak_memory(device);
  run(4);
  BatchFit fit;
  fit.bytes_per_item = std::max<int64_t>((peak_memory_bytes(device) - base - one) / 3, 1 << 20);
  const auto fits =
      static_cast<int64_t>(static_cast<double>(free_device_bytes(device)) * fraction) / fit.bytes_per_item;
  fit.batch = std::clamp<int64_t>(fits, 1, max_batch);
  return fit;
}

} // namespace trackkit::detail
