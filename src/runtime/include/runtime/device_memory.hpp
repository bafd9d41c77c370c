#pragma once
// GPU memory and batching helpers shared by the model components (detector, segmenter, embedder): free memory,
// peak allocation, and running work in batches that shrink on CUDA out-of-memory.
#include <c10/core/Device.h>

#include <algorithm>
#include <cstdint>
#include <functional>

namespace trackkit::detail {

/// Free bytes on a CUDA device (cudaMemGetInfo) plus what PyTorch's caching allocator holds unused; 0 on CPU.
int64_t free_device_bytes(c10::Device device);
/// Starts a peak-allocation measurement on a CUDA device (no-op on CPU) ...
void reset_peak_memory(c10::Device device);
/// ... and reads it: the allocator's peak allocated bytes since the reset (0 on CPU).
int64_t peak_memory_bytes(c10::Device device);
/// Returns cached, unused blocks to the driver (after an out-of-memory error).
void release_cached_memory(c10::Device device);
/// Waits for the device's work (stage timing); no-op on CPU.
void synchronize(c10::Device device);

/// Calls run(first, count) over [0, n) in chunks of `batch` items. On CUDA out-of-memory the chunk is retried
/// at half the size (down to 1, then the error propagates) and `batch` keeps the smaller size.
void for_each_batch(int64_t n, int64_t& batch, c10::Device device, const std::function<void(int64_t, int64_t)>& run);

/// The batch size that fits on a CUDA device: runs run(1) and run(4) under peak-allocation measurement; the memory
/// an item needs is the difference over 3 (the fixed cost cancels out; at least 1 MiB), and the batch is
/// `fraction` of the free memory over that, clamped to [1, max_batch].
struct BatchFit {
  int64_t batch = 1;
  int64_t bytes_per_item = 0;
};
BatchFit fit_batch(c10::Device device, double fraction, int64_t max_batch, const std::function<void(int64_t)>& run);

} // namespace trackkit::detail
