#pragma once
// The batched GPU path of GMC: dense ECC (translation, euclidean, affine) written with ATen operations, so
// one batch of frame pairs runs as a few dozen kernels per iteration on whatever device holds the frames.
// The grey conversion and area downscale is one kernel (gmc_downscale.cu) on CUDA and its CPU twin
// (gmc_downscale_cpu.cpp) elsewhere. The same code runs on CPU tensors, which is how CI tests it.
#include <ATen/core/Tensor.h>

#include <vector>

#include "trackkit/gmc.hpp"

namespace trackkit::detail::gmc {

/// Frames reduced for ECC: float32 [B,h,w] levels, finest first, and a flat (textureless) flag per frame.
struct TorchFrames {
  std::vector<at::Tensor> levels;
  at::Tensor flat; ///< bool [B]
  int64_t full_width = 0, full_height = 0;

  TorchFrames slice(int64_t begin, int64_t end) const;
};

/// frames: uint8 [B,H,W,C] (C = 1 or 3), contiguous. The grey image is the mean of each downscale x
/// downscale block of BT.601 luma (OpenCV's INTER_AREA at integer ratios, then cvtColor).
TorchFrames prepare_torch(const GmcOptions& options, const at::Tensor& frames);

/// Warps of pairs previous[i] -> current[i], in full-resolution continuous pixels.
struct TorchPairs {
  at::Tensor warps;  ///< float64 [N,2,3]
  at::Tensor status; ///< int32 [N]
  at::Tensor points; ///< int32 [N]
  at::Tensor score;  ///< float64 [N] correlation coefficient
};
TorchPairs ecc_torch(const GmcOptions& options, const TorchFrames& previous, const TorchFrames& current);

/// uint8 [B,H,W,C] -> float32 [B,H/f,W/f] grey block means (the kernels behind prepare_torch).
at::Tensor grey_downscale_cpu(const at::Tensor& frames, int factor, bool rgb);
#ifdef TRACKKIT_WITH_CUDA
at::Tensor grey_downscale_cuda(const at::Tensor& frames, int factor, bool rgb);
#endif

} // namespace trackkit::detail::gmc
