// GMC per method and downscale on 1080p frame pairs with a known motion (4 MOT17 frames x 4 rigid motions,
// built as in tests/gmc/gmc_test_util.hpp; tools/compare/gmc_reference.py runs the reference on the same
// pairs). Counters: err_px = mean corner error of the warps against the known motion.
//   stream/<method>/<downscale>: GMC::apply per frame, one thread (ms per frame = time per iteration)
//   batch/<method>/<downscale>:  GMC::estimate over 32 frames (31 pairs) on every core of ATen's pool
//   cuda/<motion>/<downscale>/<batch>: batched ECC on the GPU, pairs/s (frames already on the device)
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <ATen/detail/CUDAHooksInterface.h>
#include <benchmark/benchmark.h>
#include <opencv2/core/utility.hpp>

#include <string>
#include <vector>

#include "gmc_test_util.hpp"
#include "trackkit/device.hpp"
#include "trackkit/gmc.hpp"

namespace {

using trackkit::EccMotion;
using trackkit::GmcMethod;
using trackkit::GmcOptions;

struct Pairs {
  std::vector<at::Tensor> frames; // previous, current, previous, current, ...
  std::vector<cv::Matx33d> truth; // one per pair
  int width = 0, height = 0;
};

const Pairs& pairs() {
  static const Pairs p = [] {
    Pairs out;
    const char* data = std::getenv("TRACKKIT_DATA");
    for (const char* seq : {"02", "04", "09", "10"}) {
      const cv::Mat s = gmc_test::load_image(data ? data : "",
                                             std::string("mot/MOT17/train/MOT17-") + seq + "-FRCNN/img1/000001.jpg");
      if (s.empty()) continue;
      out.width = s.cols, out.height = s.rows;
      for (const cv::Matx33d& m : gmc_test::benchmark_motions(s.cols, s.rows)) {
        const gmc_test::Pair pair = gmc_test::make_pair(s, m);
        out.frames.push_back(gmc_test::to_tensor(pair.previous));
        out.frames.push_back(gmc_test::to_tensor(pair.current));
        out.truth.push_back(m);
      }
    }
    return out;
  }();
  return p;
}

GmcOptions options(GmcMethod method, EccMotion motion, int downscale) {
  GmcOptions o;
  o.method = method;
  o.ecc_motion = motion;
  o.downscale = downscale;
  return o;
}

void stream(benchmark::State& state, GmcOptions o) {
  const Pairs& p = pairs();
  if (p.frames.empty()) return state.SkipWithError("needs TRACKKIT_DATA with MOT17 img1 frames");
  at::set_num_threads(1);
  cv::setNumThreads(1);
  trackkit::GMC gmc(o);
  size_t i = 0;
  double error = 0;
  int64_t scored = 0;
  for (auto _ : state) {
    const trackkit::GmcResult r = gmc.apply(p.frames[i % p.frames.size()]);
    if (i % 2 == 1) { // previous -> current of pair i / 2
      state.PauseTiming();
      error += gmc_test::corner_error(gmc_test::to_matx(r.warp), p.truth[(i % p.frames.size()) / 2], p.width, p.height);
      ++scored;
      state.ResumeTiming();
    }
    ++i;
  }
  state.counters["err_px"] = scored ? error / scored : 0;
  state.SetItemsProcessed(state.iterations()); // frames
}

void batch(benchmark::State& state, GmcOptions o) {
  const Pairs& p = pairs();
  if (p.frames.empty()) return state.SkipWithError("needs TRACKKIT_DATA with MOT17 img1 frames");
  at::set_num_threads(static_cast<int>(state.range(0)));
  cv::setNumThreads(1); // parallel over pairs instead
  const trackkit::GMC gmc(o);
  const at::Tensor frames = at::stack(p.frames);
  double error = 0;
  for (auto _ : state) {
    const trackkit::GmcBatchResult r = gmc.estimate(frames);
    state.PauseTiming();
    error = 0;
    for (size_t k = 0; k < p.truth.size(); ++k) {
      error += gmc_test::corner_error(gmc_test::to_matx(r.warps[2 * k]), p.truth[k], p.width, p.height);
    }
    state.ResumeTiming();
  }
  state.counters["err_px"] = error / p.truth.size();
  state.SetItemsProcessed(state.iterations() * (frames.size(0) - 1)); // pairs
}

void cuda(benchmark::State& state, EccMotion motion, int downscale) {
  const Pairs& p = pairs();
  if (!trackkit::cuda_available()) return state.SkipWithError("no CUDA GPU");
  if (p.frames.empty()) return state.SkipWithError("needs TRACKKIT_DATA with MOT17 img1 frames");
  const int64_t repeat = state.range(0) / static_cast<int64_t>(p.frames.size());
  const at::Tensor frames = at::stack(p.frames).repeat({std::max<int64_t>(1, repeat), 1, 1, 1}).cuda();
  const trackkit::GMC gmc(options(GmcMethod::Ecc, motion, downscale));
  trackkit::GmcBatchResult r = gmc.estimate(frames); // warm-up: allocations, cuDNN choices
  for (auto _ : state) {
    r = gmc.estimate(frames);
    at::detail::getCUDAHooks().deviceSynchronize(0);
  }
  const at::Tensor w = r.warps.cpu();
  double error = 0;
  for (size_t k = 0; k < p.truth.size(); ++k) {
    error += gmc_test::corner_error(gmc_test::to_matx(w[2 * k]), p.truth[k], p.width, p.height);
  }
  state.counters["err_px"] = error / p.truth.size();
  state.SetItemsProcessed(state.iterations() * (frames.size(0) - 1)); // pairs
}

struct Method {
  const char* name;
  GmcMethod method;
  EccMotion motion;
};

int register_all() {
  const Method methods[] = {{"sparse_optical_flow", GmcMethod::SparseOpticalFlow, EccMotion::Affine},
                            {"orb", GmcMethod::Orb, EccMotion::Affine},
                            {"sift", GmcMethod::Sift, EccMotion::Affine},
                            {"ecc_euclidean", GmcMethod::Ecc, EccMotion::Euclidean},
                            {"ecc_affine", GmcMethod::Ecc, EccMotion::Affine}};
  for (const Method& m : methods) {
    for (int ds : {1, 2, 4}) {
      const std::string suffix = std::string(m.name) + "/" + std::to_string(ds);
      const GmcOptions o = options(m.method, m.motion, ds);
      benchmark::RegisterBenchmark(("stream/" + suffix).c_str(), stream, o)
          ->Iterations(32)
          ->Unit(benchmark::kMillisecond)
          ->UseRealTime();
      benchmark::RegisterBenchmark(("batch/" + suffix).c_str(), batch, o)
          ->Arg(2)
          ->Iterations(2)
          ->Unit(benchmark::kMillisecond)
          ->UseRealTime();
    }
  }
  // The reference's settings and the original pipeline's (docs/gmc.md), same pairs.
  benchmark::RegisterBenchmark("stream/ecc_reference_5000_1e-6/2", stream, GmcOptions::reference(GmcMethod::Ecc))
      ->Iterations(32)
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime();
  benchmark::RegisterBenchmark("stream/ecc_original_500_1e-4/4", stream, GmcOptions::original_pipeline())
      ->Iterations(32)
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime();
  benchmark::RegisterBenchmark("stream/sparse_optical_flow_reference/2", stream,
                               GmcOptions::reference(GmcMethod::SparseOpticalFlow))
      ->Iterations(32)
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime();
  for (EccMotion motion : {EccMotion::Euclidean, EccMotion::Affine}) {
    for (int ds : {2, 4}) {
      const std::string name =
          std::string("cuda/") + (motion == EccMotion::Affine ? "ecc_affine/" : "ecc_euclidean/") + std::to_string(ds);
      benchmark::RegisterBenchmark(name.c_str(), cuda, motion, ds)
          ->Arg(32)
          ->Arg(128)
          ->Unit(benchmark::kMillisecond)
          ->UseRealTime();
    }
  }
  return 0;
}

const int registered = register_all();

} // namespace

BENCHMARK_MAIN();
