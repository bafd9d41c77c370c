#pragma once
// The kernels behind EquirectToPinhole (src/e2p/e2p.cpp): one description of a projection, a CPU and a CUDA
// implementation.
#include <ATen/core/Tensor.h>

#include <vector>

#include "e2p_formula.hpp"

namespace trackkit::detail::e2p {

/// Views a CUDA launch takes (their rays travel as kernel parameters); more views take several launches.
constexpr int kMaxViewsPerLaunch = 64;

/// One projection of B frames onto V views, in element strides (layout-independent).
struct Projection {
  std::vector<ViewRays> rays; // V
  Equirect equirect;
  FrameStrides in;  // within a frame
  int64_t in_frame; // between frames
  int channels;
  int64_t out_width, out_height;
  int64_t out_pixel, out_row, out_channel; // within an output image
  int64_t out_image, out_frame;            // between views, between frames
  int mode;                                // 0 nearest, 1 bilinear, 3 bicubic
  int pixels_per_thread;                   // CUDA: output pixels a thread computes along a row (1, 2 or 4)
  bool tiles;                              // CUDA: uint8 3-channel bilinear by 64 x 64 tiles (e2p_u8_tiled.cu)
  bool wide_loads;                         // CUDA: uint8 3-channel bilinear taps by aligned word loads
};

/// Source positions (index coordinates sx, sy) of every view pixel: float32 [V,h,w,2], on the CPU.
at::Tensor source_table(const Projection& p);
/// frames (any dtype the class takes) -> out, sampling through `table` (source_table of p).
void project_cpu(const at::Tensor& frames, const at::Tensor& table, const Projection& p, at::Tensor& out);
#ifdef TRACKKIT_WITH_CUDA
void project_cuda(const at::Tensor& frames, const Projection& p, at::Tensor& out);
#endif

} // namespace trackkit::detail::e2p
