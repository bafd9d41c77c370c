#pragma once
// The batched GPU path of GMC: dense ECC (translation, euclidean, affine) over a batch of frame pairs. Two
// kernels with CPU twins do the per-pixel work (grey + downscale: gmc_downscale.cu; an iteration's sums:
// gmc_ecc_gram.cu); ATen does the pyramid and the small per-pair algebra. The same code runs on CPU tensors,
// which is how CI tests it.
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

/// One ECC iteration's inputs for N pairs at one pyramid level (all float32, contiguous, one device).
struct EccGramInput {
  at::Tensor templ;   ///< [N,h,w] previous frames
  at::Tensor sources; ///< [N,3,h,w] current frames, their x and y gradients
  at::Tensor params;  ///< [N,8] centred warps m00 m01 m02 m10 m11 m12, cos and sin of the rotation
  at::Tensor offsets; ///< [N,2] means of the template and of the current frame (subtracted before summing)
};
/// float64 [N,E]: the upper triangle (row by row) of sum r r^T, r = [J (p values), T - t_ref, I(W) - i_ref, 1],
/// over the pixels warped inside the image (gmc_ecc_formula.hpp); p = 2, 3 or 6.
at::Tensor ecc_gram_cpu(const EccGramInput& input, int p);
#ifdef TRACKKIT_WITH_CUDA
at::Tensor ecc_gram_cuda(const EccGramInput& input, int p);
#endif

/// uint8 [B,H,W,C] -> float32 [B,H/f,W/f] grey block means (the kernels behind prepare_torch).
at::Tensor grey_downscale_cpu(const at::Tensor& frames, int factor, bool rgb);
#ifdef TRACKKIT_WITH_CUDA
at::Tensor grey_downscale_cuda(const at::Tensor& frames, int factor, bool rgb);
#endif

} // namespace trackkit::detail::gmc
