// YUV -> BGR on CUDA: one thread a pixel, reading the planes where the decoder left them (their own pitches), the
// formula of yuv_to_bgr_formula.hpp (compiled with --fmad=false: the same bytes as the CPU path), writing packed
// bytes into the output frame.
#include <cuda_runtime_api.h>

#include "core/cuda_check.hpp"
#include "yuv_to_bgr_kernels.hpp"

namespace trackkit::detail::video {
namespace {

constexpr int kBlockX = 32, kBlockY = 8;

__global__ void __launch_bounds__(kBlockX* kBlockY)
    yuv_to_bgr_kernel(const __grid_constant__ YuvPlanes planes, const __grid_constant__ YuvCoefficients c, bool rgb,
                      uint8_t* __restrict__ out, int64_t out_row_bytes) {
  const int64_t column = static_cast<int64_t>(blockIdx.x) * kBlockX + threadIdx.x;
  const int64_t row = static_cast<int64_t>(blockIdx.y) * kBlockY + threadIdx.y;
  if (column >= planes.width || row >= planes.height) return;
  convert_pixel(planes, c, rgb, row, column, out + row * out_row_bytes + 3 * column);
}

} // namespace

void yuv_to_bgr_cuda(const YuvPlanes& planes, const YuvCoefficients& c, bool rgb, uint8_t* out, int64_t out_row_bytes,
                     void* stream) {
  if (planes.width <= 0 || planes.height <= 0) return;
  const dim3 block(kBlockX, kBlockY);
  const dim3 grid(static_cast<unsigned>((planes.width + kBlockX - 1) / kBlockX),
                  static_cast<unsigned>((planes.height + kBlockY - 1) / kBlockY));
  yuv_to_bgr_kernel<<<grid, block, 0, static_cast<cudaStream_t>(stream)>>>(planes, c, rgb, out, out_row_bytes);
  TK_CUDA_CHECK_LAUNCH("yuv_to_bgr (CUDA kernel)");
}

} // namespace trackkit::detail::video
