#include <ATen/Dispatch.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#include <c10/util/BFloat16.h>
#include <c10/util/Half.h>

#include "core/cuda_check.hpp"
#include "letterbox_kernels.hpp"
#include "ops/letterbox_formula.hpp"

namespace trackkit::detail {
namespace {

struct Placement {
  int64_t h, w, oh, ow, rh, rw, top, left;
  double sx, sy;
  int32_t pad;
  bool bgr;
};

// One thread per output pixel of one frame (z = frame): three channel writes, each coalesced along x.
template <typename T>
__global__ void letterbox_kernel(const uint8_t* __restrict__ src, T* __restrict__ dst, Placement p) {
  const int64_t x = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  const int64_t y = blockIdx.y * static_cast<int64_t>(blockDim.y) + threadIdx.y;
  const int64_t b = blockIdx.z;
  if (x >= p.ow || y >= p.oh) return;
  const int64_t rx = x - p.left, ry = y - p.top;
  const uint8_t* frame = src + b * p.h * p.w * 3;
  const bool inside = rx >= 0 && rx < p.rw && ry >= 0 && ry < p.rh;
  LinearTap tx{}, ty{};
  if (inside) tx = linear_tap(rx, p.sx, p.w), ty = linear_tap(ry, p.sy, p.h);
  for (int c = 0; c < 3; ++c) {
    const int32_t v = inside ? resize_linear_u8(frame + (p.bgr ? 2 - c : c), p.w * 3, 3, tx, ty) : p.pad;
    dst[((b * 3 + c) * p.oh + y) * p.ow + x] = static_cast<T>(static_cast<float>(v) / 255.f);
  }
}

} // namespace

void letterbox_cuda(const at::Tensor& frames, const LetterboxGeometry& g, bool input_bgr, int64_t pad_value,
                    at::Tensor& out) {
  const c10::cuda::CUDAGuard guard(frames.device());
  const int64_t batch = frames.size(0), h = frames.size(1), w = frames.size(2);
  if (batch == 0) return;
  Placement p{h,
              w,
              g.input_height,
              g.input_width,
              g.resized_height,
              g.resized_width,
              g.pad_top,
              g.pad_left,
              1.0 / (static_cast<double>(g.resized_width) / w),
              1.0 / (static_cast<double>(g.resized_height) / h),
              static_cast<int32_t>(pad_value),
              input_bgr};
  const dim3 block(64, 4);
  const dim3 grid(static_cast<unsigned>((p.ow + 63) / 64), static_cast<unsigned>((p.oh + 3) / 4),
                  static_cast<unsigned>(batch));
  const cudaStream_t stream = c10::cuda::getCurrentCUDAStream();
  AT_DISPATCH_FLOATING_TYPES_AND2(at::kHalf, at::kBFloat16, out.scalar_type(), "letterbox_cuda", [&] {
    letterbox_kernel<scalar_t>
        <<<grid, block, 0, stream>>>(frames.const_data_ptr<uint8_t>(), out.mutable_data_ptr<scalar_t>(), p);
  });
  TK_CUDA_CHECK_LAUNCH("letterbox");
}

} // namespace trackkit::detail
