// EquirectToPinhole's CUDA kernel against its CPU path: every interpolation, dtype and layout, seam and pole views,
// the kernel's tuning choices, more views than one launch takes, and rows that are not 8-byte aligned. Runs where a
// GPU is visible (the GPU machine: scripts/gpu-e2p.sh); skips elsewhere.
#include <cstdio>
#include <vector>

#include "catch.hpp"
#include "e2p/e2p_test_util.hpp"
#include "trackkit/device.hpp"

namespace {

/// A deterministic smooth texture, [B,H,W,3] uint8, whatever data is installed (a test's verdict must not depend on
/// optional files): per channel 127.5 + 60 sin(2 pi x / 37 + c) + 60 sin(2 pi y / 23 + c), so its gradient stays below
/// 60 * 2 pi (1/37 + 1/23) ~ 27 levels per pixel and a position difference of d pixels moves a value by < 27 d.
at::Tensor panorama_batch(int64_t batch) {
  constexpr double kTwoPi = 6.283185307179586;
  const at::Tensor x = at::arange(2048, at::kDouble).view({1, 2048, 1}),
                   y = at::arange(1024, at::kDouble).view({1024, 1, 1});
  const at::Tensor phase = at::tensor({0.0, 2.1, 4.2}, at::kDouble).view({1, 1, 3});
  const at::Tensor one =
      (127.5 + 60 * at::sin(kTwoPi * x / 37 + phase) + 60 * at::sin(kTwoPi * y / 23 + phase)).round();
  std::vector<at::Tensor> frames;
  for (int64_t b = 0; b < batch; ++b) frames.push_back(at::roll(one, {b * 301}, {1}));
  return at::stack(frames).to(at::kByte);
}

std::vector<PinholeView> test_views() {
  std::vector<PinholeView> views = EquirectToPinhole::horizon(4, 320, 200, 100, 0, 180); // a seam view first
  views[1].pitch = 90, views[2].pitch = -88, views[2].roll = 30, views[3].pitch = 70, views[3].hfov = 150;
  return views;
}

/// Largest difference and the share of differing elements between the CPU and CUDA results.
void compare(const at::Tensor& cpu, const at::Tensor& cuda, double tolerance, const char* what) {
  const at::Tensor diff = (cpu.to(at::kDouble) - cuda.cpu().to(at::kDouble)).abs();
  const double worst = diff.max().item<double>(), share = diff.gt(0).to(at::kDouble).mean().item<double>();
  std::printf("CPU vs CUDA %-32s max |diff| %.6g, differing %.5f %%\n", what, worst, 100 * share);
  CHECK(worst <= tolerance);
}

} // namespace

TEST_CASE("CUDA equals CPU within one uint8 level for every interpolation, dtype and layout") {
  if (!trackkit::cuda_available()) TK_SKIP("no CUDA device");
  const at::Tensor frames = panorama_batch(2);
  for (auto mode : {E2PInterpolation::Nearest, E2PInterpolation::Bilinear, E2PInterpolation::Bicubic}) {
    for (auto layout : {E2PLayout::NHWC, E2PLayout::NCHW}) {
      E2POptions o;
      o.interpolation = mode, o.layout = layout;
      const EquirectToPinhole e2p(test_views(), o);
      const at::Tensor in = layout == E2PLayout::NHWC ? frames : frames.permute({0, 3, 1, 2}).contiguous();
      for (auto dtype : {at::kByte, at::kHalf, at::kFloat}) {
        const at::Tensor x = in.to(dtype);
        const std::string what = std::string(trackkit::e2p_interpolation_name(mode)) +
                                 (layout == E2PLayout::NHWC ? " NHWC " : " NCHW ") + c10::toString(dtype);
        // Nearest may pick the neighbouring pixel where a position lies within float rounding of a pixel edge.
        // Positions differ by float32 rounding (FMAs on the GPU; the ulp at x = 2048 is 2.4e-4 px, and the trig adds
        // a few): up to ~2e-3 px, so < 0.06 of a level on this texture (gradient < 27 levels/px) in float32; one step
        // of float16 (1/8 above 128) more; one level in uint8. A half-pixel offset would differ by ~13 levels.
        const double tolerance = mode == E2PInterpolation::Nearest ? 255
                                 : dtype == at::kByte              ? 1
                                 : dtype == at::kHalf              ? 0.25
                                                                   : 0.1;
        compare(e2p.project(x), e2p.project(x.cuda()), tolerance, what.c_str());
      }
    }
  }
}

TEST_CASE("CUDA: the kernel's tuning choices, many views and unaligned rows give the CPU's result") {
  if (!trackkit::cuda_available()) TK_SKIP("no CUDA device");
  const at::Tensor frames = panorama_batch(3);
  E2POptions base;
  const at::Tensor cpu = EquirectToPinhole(test_views(), base).project(frames);
  for (int pixels : {0, 1, 2, 4}) { // 0: tiles
    for (bool wide : {false, true}) {
      E2POptions o;
      o.cuda_tiles = pixels == 0, o.cuda_wide_loads = wide;
      if (pixels > 0) o.cuda_pixels_per_thread = pixels;
      const std::string what = (pixels == 0 ? std::string("tiles") : "pixels/thread " + std::to_string(pixels)) +
                               (wide ? " wide" : " bytes");
      compare(cpu, EquirectToPinhole(test_views(), o).project(frames.cuda()), 1, what.c_str());
    }
  }
  // Tiles whose nodes interpolate (large views away from the poles) next to tiles that trace every ray (near the
  // poles and the seam): 960x540 views across the seam, at pitch 40, 75 (rolled) and -60.
  std::vector<PinholeView> large = EquirectToPinhole::horizon(4, 960, 540, 90, 0, 170);
  large[1].pitch = 40, large[2].pitch = 75, large[2].roll = 20, large[3].pitch = -60;
  // Rows of 3 x 2048 and 3 x 2044 bytes (a multiple of 8 and of 4 only).
  for (int64_t width : {2048, 2044}) {
    const at::Tensor x = frames.narrow(2, 0, width).contiguous();
    for (bool tiles : {true, false}) {
      E2POptions o;
      o.cuda_tiles = tiles;
      const EquirectToPinhole e2p(large, o);
      const std::string what = "960x540 views, width " + std::to_string(width) + (tiles ? ", tiles" : ", rays");
      compare(e2p.project(x), e2p.project(x.cuda()), 1, what.c_str());
    }
  }
  // Tiles whose footprint in the frame nears the staging limit (hfov 62: a 64 x 64 tile covers ~75 frame pixels and
  // ~80 rows, staged in shared memory) and passes it (hfov 95: ~2 frame pixels a view pixel, taps from global memory).
  for (int hfov : {62, 95}) {
    std::vector<PinholeView> dense = EquirectToPinhole::horizon(3, 640, 480, hfov, 10, 100);
    dense[1].pitch = -50, dense[2].roll = 15;
    const EquirectToPinhole e2p(dense);
    const std::string what = "640x480 views, hfov " + std::to_string(hfov);
    compare(e2p.project(frames), e2p.project(frames.cuda()), 1, what.c_str());
  }
  // 70 views (two launches) of frames whose rows are 3 x 2047 bytes long (no 8-byte alignment: byte loads).
  std::vector<PinholeView> many = EquirectToPinhole::horizon(70, 96, 64, 70, 0);
  for (size_t k = 0; k < many.size(); ++k) many[k].pitch = -89 + 2.5 * static_cast<double>(k);
  const at::Tensor odd = frames.narrow(2, 0, 2047).contiguous();
  const EquirectToPinhole e2p(many);
  compare(e2p.project(odd), e2p.project(odd.cuda()), 1, "70 views, width 2047");
}

TEST_CASE("CUDA: project_batches and batch_capacity on the device") {
  if (!trackkit::cuda_available()) TK_SKIP("no CUDA device");
  const at::Tensor frames = panorama_batch(3).cuda();
  const EquirectToPinhole e2p(test_views());
  const int64_t capacity = e2p.batch_capacity(frames.size(1), frames.size(2), 3, at::kByte, frames.device());
  CHECK(capacity >= 1);
  int64_t batch = 2, seen = 0;
  const at::Tensor all = e2p.project(frames);
  e2p.project_batches(frames, batch, [&](int64_t first, const at::Tensor& views) {
    CHECK(views.is_cuda());
    CHECK(at::equal(views, all.narrow(0, first, views.size(0))));
    seen += views.size(0);
  });
  CHECK(seen == 3);
}
