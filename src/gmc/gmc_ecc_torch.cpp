// Batched ECC (Evangelidis & Psarakis, "Parametric image alignment using enhanced correlation coefficient
// maximization", PAMI 2008; the forward-additive scheme of OpenCV's findTransformECC) over N frame pairs at
// once, coarse to fine, on the frames' device: one kernel per iteration (ecc_gram) sums over the pixels,
// ATen does the per-pair algebra. Same conventions as
// the CPU path: template = previous frame, warp maps previous -> current, stop when the correlation
// coefficient changes by less than ecc_eps. Coordinates are centred on the image during the iterations
// (a better-conditioned Hessian in float32) and continuous (half-pixel centres) everywhere.
#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>

#include "gmc_torch.hpp"

namespace trackkit::detail::gmc {

TorchFrames TorchFrames::slice(int64_t begin, int64_t end) const {
  TorchFrames t;
  for (const at::Tensor& l : levels) t.levels.push_back(l.slice(0, begin, end));
  t.flat = flat.slice(0, begin, end);
  t.full_width = full_width;
  t.full_height = full_height;
  return t;
}

namespace {

// Separable Gaussian with OpenCV's kernel size for float images (8 sigma + 1) and its default border
// (BORDER_REFLECT_101, which is ATen's "reflection" padding).
at::Tensor gaussian_blur(const at::Tensor& x, double sigma) {
  const int64_t k = std::max<int64_t>(3, static_cast<int64_t>(std::lround(sigma * 8 + 1)) | 1), r = k / 2;
  if (x.size(1) <= r || x.size(2) <= r) return x;
  const at::Tensor i = at::arange(k, x.options()) - static_cast<double>(r);
  at::Tensor g = at::exp(-(i * i) / (2 * sigma * sigma));
  g = g / g.sum();
  at::Tensor y = at::reflection_pad2d(x.unsqueeze(1), {r, r, 0, 0});
  y = at::conv2d(y, g.view({1, 1, 1, k}));
  y = at::reflection_pad2d(y, {0, 0, r, r});
  return at::conv2d(y, g.view({1, 1, k, 1})).squeeze(1);
}

// [-0.5, 0, 0.5] derivatives with zero at the border (OpenCV's ECC filter under BORDER_REFLECT_101).
std::pair<at::Tensor, at::Tensor> gradients(const at::Tensor& x) {
  using at::indexing::Slice;
  at::Tensor gx = at::zeros_like(x), gy = at::zeros_like(x);
  if (x.size(2) > 2) gx.index_put_({Slice(), Slice(), Slice(1, -1)}, 0.5 * (x.slice(2, 2) - x.slice(2, 0, -2)));
  if (x.size(1) > 2) gy.index_put_({Slice(), Slice(1, -1), Slice()}, 0.5 * (x.slice(1, 2) - x.slice(1, 0, -2)));
  return {gx, gy};
}

at::Tensor translation(const at::Tensor& like, double dx, double dy) {
  at::Tensor t = at::eye(3, like.options()).unsqueeze(0).repeat({like.size(0), 1, 1});
  t.select(2, 2).select(1, 0).fill_(dx);
  t.select(2, 2).select(1, 1).fill_(dy);
  return t;
}

at::Tensor rescale(const at::Tensor& w, double sx, double sy) {
  const at::Tensor s = at::diag(at::tensor({sx, sy, 1.0}, w.options()));
  const at::Tensor s_inv = at::diag(at::tensor({1 / sx, 1 / sy, 1.0}, w.options()));
  return at::matmul(at::matmul(s, w), s_inv);
}

struct LevelState {
  at::Tensor warp;   // float64 [N,3,3], continuous coordinates of this level
  at::Tensor rho;    // float64 [N], correlation at the last iteration
  at::Tensor pixels; // int32 [N], valid pixels at the last iteration
};

at::Tensor ecc_gram(const EccGramInput& in, int p) {
#ifdef TRACKKIT_WITH_CUDA
  if (in.templ.is_cuda()) return ecc_gram_cuda(in, p);
#endif
  return ecc_gram_cpu(in, p);
}

// Packed upper triangle [N,E] -> symmetric [N,K,K].
at::Tensor unpack(const at::Tensor& packed, int64_t k) {
  std::vector<int64_t> rows, cols;
  for (int64_t a = 0; a < k; ++a) {
    for (int64_t b = a; b < k; ++b) rows.push_back(a), cols.push_back(b);
  }
  const auto index = [&](const std::vector<int64_t>& v) {
    return at::tensor(v, at::TensorOptions().dtype(at::kLong)).to(packed.device());
  };
  const at::Tensor flat_upper = index(rows) * k + index(cols), flat_lower = index(cols) * k + index(rows);
  at::Tensor full = at::zeros({packed.size(0), k * k}, packed.options());
  full.index_copy_(1, flat_upper, packed);
  full.index_copy_(1, flat_lower, packed);
  return full.view({packed.size(0), k, k});
}

void run_level(const GmcOptions& o, const at::Tensor& templ, const at::Tensor& image, LevelState& s) {
  const int64_t n = templ.size(0), h = templ.size(1), w = templ.size(2);
  const double cx = w / 2.0, cy = h / 2.0;
  const int64_t p = o.ecc_motion == EccMotion::Affine ? 6 : o.ecc_motion == EccMotion::Euclidean ? 3 : 2;
  const auto [gx, gy] = gradients(image);
  EccGramInput in{templ.contiguous(),
                  at::stack({image, gx, gy}, 1).contiguous(),
                  {},
                  at::stack({templ.mean({1, 2}), image.mean({1, 2})}, 1).contiguous()};
  at::Tensor wc = at::matmul(at::matmul(translation(s.warp, -cx, -cy), s.warp), translation(s.warp, cx, cy));
  at::Tensor theta = at::atan2(wc.select(1, 1).select(1, 0), wc.select(1, 0).select(1, 0));
  at::Tensor active = at::ones({n}, templ.options().dtype(at::kBool));
  at::Tensor last_rho = at::full({n}, -2.0, s.rho.options());
  for (int it = 0; it < o.ecc_iterations; ++it) {
    in.params =
        at::cat({wc.slice(1, 0, 2).reshape({n, 6}), at::cos(theta).unsqueeze(1), at::sin(theta).unsqueeze(1)}, 1)
            .to(at::kFloat)
            .contiguous();
    // Sums over the valid pixels of r = [J, T - t_ref, I(W) - i_ref, 1]; the zero-mean terms follow from them.
    const at::Tensor g = unpack(ecc_gram(in, static_cast<int>(p)), p + 3);
    const at::Tensor count = g.select(1, p + 2).select(1, p + 2);
    const at::Tensor sum_t = g.select(1, p).select(1, p + 2), sum_i = g.select(1, p + 1).select(1, p + 2);
    const at::Tensor sum_j = g.slice(1, 0, p).select(2, p + 2);
    const at::Tensor hess = g.slice(1, 0, p).slice(2, 0, p);
    const at::Tensor pt = g.slice(1, 0, p).select(2, p) - sum_j * (sum_t / count).unsqueeze(1);
    const at::Tensor pi = g.slice(1, 0, p).select(2, p + 1) - sum_j * (sum_i / count).unsqueeze(1);
    const at::Tensor tz2 = g.select(1, p).select(1, p) - sum_t * sum_t / count;
    const at::Tensor iz2 = g.select(1, p + 1).select(1, p + 1) - sum_i * sum_i / count;
    const at::Tensor tziz = g.select(1, p).select(1, p + 1) - sum_t * sum_i / count;
    const at::Tensor sol = std::get<0>(at::linalg_solve_ex(hess, at::stack({pi, pt}, 2)));
    const at::Tensor hpi = sol.select(2, 0), hpt = sol.select(2, 1);
    const at::Tensor rho = tziz / at::sqrt(tz2 * iz2);
    const at::Tensor num = iz2 - (pi * hpi).sum(1);
    const at::Tensor den = tziz - (pt * hpi).sum(1);
    const at::Tensor dp = (num / den).unsqueeze(1) * hpt - hpi; // H^-1 (lambda Pt - Pi)
    // den <= 0: the correlation would fall (OpenCV throws here); that pair keeps its warp and stops.
    const at::Tensor ok = active & (den > 0) & at::isfinite(dp).all(1) & at::isfinite(rho);
    s.rho = at::where(active, rho, s.rho);
    s.pixels = at::where(active, count.to(at::kInt), s.pixels);
    const at::Tensor step = at::where(ok.unsqueeze(1), dp, at::zeros_like(dp));
    if (p == 6) {
      wc.slice(1, 0, 2).add_(step.view({n, 2, 3}));
    } else {
      const int t0 = p == 3 ? 1 : 0;
      if (p == 3) {
        theta = theta + step.select(1, 0);
        wc.select(1, 0).select(1, 0).copy_(at::cos(theta));
        wc.select(1, 0).select(1, 1).copy_(-at::sin(theta));
        wc.select(1, 1).select(1, 0).copy_(at::sin(theta));
        wc.select(1, 1).select(1, 1).copy_(at::cos(theta));
      }
      wc.select(1, 0).select(1, 2).add_(step.select(1, t0));
      wc.select(1, 1).select(1, 2).add_(step.select(1, t0 + 1));
    }
    active = ok & ((rho - last_rho).abs() >= o.ecc_eps);
    last_rho = rho;
    // One host wait every 8 iterations to stop once every pair has converged.
    if (it % 8 == 7 && !active.any().item<bool>()) break;
  }
  s.warp = at::matmul(at::matmul(translation(wc, cx, cy), wc), translation(wc, -cx, -cy));
}

} // namespace

TorchFrames prepare_torch(const GmcOptions& o, const at::Tensor& frames) {
  TorchFrames t;
  t.full_height = frames.size(1);
  t.full_width = frames.size(2);
  // Frames smaller than the factor are processed at full size (and are flat or tiny anyway).
  const int factor = std::min<int64_t>({o.downscale, frames.size(1), frames.size(2)});
#ifdef TRACKKIT_WITH_CUDA
  at::Tensor level =
      frames.is_cuda() ? grey_downscale_cuda(frames, factor, o.rgb) : grey_downscale_cpu(frames, factor, o.rgb);
#else
  at::Tensor level = grey_downscale_cpu(frames, factor, o.rgb);
#endif
  t.flat = level.flatten(1).std(1, /*unbiased=*/false) < o.min_contrast;
  if (o.ecc_blur_sigma > 0) level = gaussian_blur(level, o.ecc_blur_sigma);
  t.levels.push_back(level);
  for (int l = 1; l < o.ecc_levels && level.size(1) >= 32 && level.size(2) >= 32; ++l) {
    level = at::avg_pool2d(level.unsqueeze(1), 2).squeeze(1);
    t.levels.push_back(level);
  }
  return t;
}

TorchPairs ecc_torch(const GmcOptions& o, const TorchFrames& prev, const TorchFrames& cur) {
  const int64_t n = prev.levels[0].size(0);
  const auto f64 = prev.levels[0].options().dtype(at::kDouble);
  LevelState s{at::eye(3, f64).unsqueeze(0).repeat({n, 1, 1}), at::zeros({n}, f64),
               at::zeros({n}, f64.dtype(at::kInt))};
  const int levels = static_cast<int>(std::min(prev.levels.size(), cur.levels.size()));
  for (int l = levels - 1; l >= 0; --l) {
    if (l < levels - 1) {
      const at::Tensor &fine = prev.levels[l], &coarse = prev.levels[l + 1];
      s.warp = rescale(s.warp, static_cast<double>(fine.size(2)) / coarse.size(2),
                       static_cast<double>(fine.size(1)) / coarse.size(1));
    }
    run_level(o, prev.levels[l], cur.levels[l], s);
  }
  const at::Tensor& base = prev.levels[0];
  at::Tensor warp = rescale(s.warp, static_cast<double>(prev.full_width) / base.size(2),
                            static_cast<double>(prev.full_height) / base.size(1));
  // Status: the CPU path's rules, in its order.
  const at::Tensor m = warp.slice(1, 0, 2).slice(2, 0, 2);
  const at::Tensor det = m.select(1, 0).select(1, 0) * m.select(1, 1).select(1, 1) -
                         m.select(1, 0).select(1, 1) * m.select(1, 1).select(1, 0);
  const at::Tensor plausible =
      at::isfinite(warp).flatten(1).all(1) & (det > 0) & ((at::sqrt(det.clamp_min(0)) - 1).abs() <= o.max_scale_change);
  const auto code = [&](GmcStatus st) { return at::full({n}, static_cast<int>(st), f64.dtype(at::kInt)); };
  at::Tensor status = at::where(plausible, code(GmcStatus::Ok), code(GmcStatus::Failed));
  status = at::where(s.rho < o.ecc_min_correlation, code(GmcStatus::SceneCut), status);
  status = at::where(at::isfinite(s.rho), status, code(GmcStatus::Failed));
  status = at::where(prev.flat | cur.flat, code(GmcStatus::Textureless), status);
  const at::Tensor eye = at::eye(3, f64).expand({n, 3, 3});
  warp = at::where((status == 0).view({n, 1, 1}), warp, eye);
  warp = warp / warp.select(1, 2).select(1, 2).view({n, 1, 1});
  return {warp.slice(1, 0, 2).contiguous(), status, s.pixels, s.rho};
}

} // namespace trackkit::detail::gmc
