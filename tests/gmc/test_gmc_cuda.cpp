// The CUDA path of GMC (batched ECC) against the CPU path on real frames with known warps. Runs where a GPU
// is visible (the GPU machine reads the frames from .npy copies: tools/compare/gmc_reference.py --export-npy).
#include <ATen/ATen.h>

#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "catch.hpp"
#include "gmc_test_util.hpp"
#include "trackkit/device.hpp"
#include "trackkit/error.hpp"
#include "trackkit/gmc.hpp"

namespace {

using trackkit::EccMotion;
using trackkit::GmcMethod;
using trackkit::GmcOptions;

struct Batch {
  at::Tensor frames; // previous, current, previous, current, ...
  std::vector<cv::Matx33d> truth;
  int width = 0, height = 0;
};

Batch real_pairs(const std::string& data, EccMotion motion) {
  Batch b;
  std::mt19937 rng(5);
  std::uniform_real_distribution<double> angle(-1.0, 1.0), shift(-12, 12), small(-0.005, 0.005);
  std::vector<at::Tensor> frames;
  for (const char* seq : {"02", "10"}) {
    const cv::Mat s =
        gmc_test::load_image(data, std::string("mot/MOT17/train/MOT17-") + seq + "-FRCNN/img1/000001.jpg");
    if (s.empty()) continue;
    b.width = s.cols, b.height = s.rows;
    for (int k = 0; k < 3; ++k) {
      const bool shift_only = motion == EccMotion::Translation;
      cv::Matx33d m =
          gmc_test::about_centre(shift_only ? 0 : angle(rng), 1, shift(rng), shift(rng), s.cols / 2.0, s.rows / 2.0);
      if (motion == EccMotion::Affine) m(0, 0) += small(rng), m(1, 1) += small(rng), m(0, 1) += small(rng);
      const gmc_test::Pair p = gmc_test::make_pair(s, m);
      frames.push_back(gmc_test::to_tensor(p.previous));
      frames.push_back(gmc_test::to_tensor(p.current));
      b.truth.push_back(m);
    }
  }
  if (!frames.empty()) b.frames = at::stack(frames);
  return b;
}

double mean_distance(const at::Tensor& a, const at::Tensor& b, const std::vector<size_t>& rows, int w, int h) {
  double sum = 0;
  for (size_t r : rows) sum += gmc_test::corner_error(gmc_test::to_matx(a[r]), gmc_test::to_matx(b[r]), w, h);
  return sum / rows.size();
}

} // namespace

TEST_CASE("CUDA ECC equals the CPU path within the stated tolerance on real frames") {
  if (!trackkit::cuda_available()) TK_SKIP("no CUDA GPU visible to trackkit");
  const std::string data = tk_test_data_dir();
  const c10::Device gpu(c10::kCUDA, 0);
  for (EccMotion motion : {EccMotion::Translation, EccMotion::Euclidean, EccMotion::Affine}) {
    const Batch b = real_pairs(data, motion);
    if (!b.frames.defined()) TK_SKIP("no MOT17 frames readable under TRACKKIT_DATA (imgcodecs or .npy copies)");
    std::vector<size_t> pairs; // warps 0, 2, 4, ... are previous -> current of a known motion
    for (size_t k = 0; k < b.truth.size(); ++k) pairs.push_back(2 * k);
    for (int downscale : {2, 4}) {
      GmcOptions o;
      o.method = GmcMethod::Ecc;
      o.ecc_motion = motion;
      o.downscale = downscale;
      const trackkit::GMC gmc(o);
      const trackkit::GmcBatchResult cpu = gmc.estimate(b.frames);
      const trackkit::GmcBatchResult cuda = gmc.estimate(b.frames.to(gpu));
      CHECK(cuda.warps.device() == gpu);
      GmcOptions aten = o;
      aten.ecc_batched_on_cpu = true;
      const trackkit::GmcBatchResult same_code = trackkit::GMC(aten).estimate(b.frames);
      double truth_cpu = 0, truth_cuda = 0;
      for (size_t k = 0; k < b.truth.size(); ++k) {
        truth_cpu += gmc_test::corner_error(gmc_test::to_matx(cpu.warps[2 * k]), b.truth[k], b.width, b.height);
        truth_cuda += gmc_test::corner_error(gmc_test::to_matx(cuda.warps[2 * k]), b.truth[k], b.width, b.height);
        CHECK(cuda.status[2 * k].item<int>() == 0);
      }
      const double apart = mean_distance(cpu.warps, cuda.warps.cpu(), pairs, b.width, b.height);
      const double same = mean_distance(same_code.warps, cuda.warps.cpu(), pairs, b.width, b.height);
      std::printf(
          "motion %d downscale %d: CPU %.4f px, CUDA %.4f px from the truth; %.4f px apart; CUDA vs ATen on "
          "CPU %.5f px\n",
          static_cast<int>(motion), downscale, truth_cpu / b.truth.size(), truth_cuda / b.truth.size(), apart, same);
      CHECK(apart < 0.1 * downscale); // the tolerance docs/gmc.md states
      CHECK(same < 0.01);             // the same ATen code on two devices: float rounding only
    }
  }
}

TEST_CASE("CUDA frames: apply() stream, cuts, blank frames, CPU-only methods and device errors") {
  if (!trackkit::cuda_available()) TK_SKIP("no CUDA GPU visible to trackkit");
  const std::string data = tk_test_data_dir();
  const Batch b = real_pairs(data, EccMotion::Euclidean);
  if (!b.frames.defined()) TK_SKIP("no MOT17 frames readable under TRACKKIT_DATA");
  const c10::Device gpu(c10::kCUDA, 0);
  const at::Tensor frames = b.frames.to(gpu);
  GmcOptions o;
  o.method = GmcMethod::Ecc;
  trackkit::GMC stream(o);
  CHECK(stream.apply(frames[0]).quality.status == trackkit::GmcStatus::FirstFrame);
  const trackkit::GmcResult r = stream.apply(frames[1]);
  CHECK(r.warp.device() == gpu);
  CHECK(at::allclose(r.warp.cpu(), stream.estimate(frames.slice(0, 0, 2)).warps[0].cpu(), 0, 1e-9));
  // A cut (frames 0 and 3 come from different sequences) and a blank frame.
  const at::Tensor cut = at::stack({frames[0], frames[b.frames.size(0) - 1], at::zeros_like(frames[0])});
  const trackkit::GmcBatchResult c = stream.estimate(cut);
  CHECK(c.status[0].item<int>() == static_cast<int>(trackkit::GmcStatus::SceneCut));
  CHECK(c.status[1].item<int>() == static_cast<int>(trackkit::GmcStatus::Textureless));
  CHECK(at::equal(c.warps.cpu()[0], at::eye(3, at::kDouble).slice(0, 0, 2)));
  // Sparse flow has no GPU kernels: CUDA frames give the CPU result, on the GPU.
  const trackkit::GMC flow;
  const trackkit::GmcBatchResult fc = flow.estimate(frames.slice(0, 0, 4)), fh = flow.estimate(b.frames.slice(0, 0, 4));
  CHECK(fc.warps.device() == gpu);
  CHECK(at::equal(fc.warps.cpu(), fh.warps));
  try {
    stream.estimate(frames.slice(0, 1, 3), b.frames[0]);
    FAIL("no error");
  } catch (const trackkit::Error& e) {
    CHECK(std::string(e.what()).find("GMC::estimate: previous") == 0);
  }
}
