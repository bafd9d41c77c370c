// Tracker::update per frame: on real MOT17 detections (needs TRACKKIT_DATA) and on synthetic crowds of
// 10..2000 detections per frame (the scaling curve). items_per_second = update() calls (frames) per second.
#include <ATen/ATen.h>
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "trackkit/tracker.hpp"

namespace fs = std::filesystem;

namespace {

using Frames = std::vector<at::Tensor>; // one [N,5] float64 tensor a frame

Frames read_mot_detections(const fs::path& file, int frames) {
  std::map<int, std::vector<double>> by_frame;
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);) {
    std::vector<double> v;
    std::stringstream ss(line);
    for (std::string cell; std::getline(ss, cell, ',');) v.push_back(std::strtod(cell.c_str(), nullptr));
    if (v.size() < 7) continue;
    by_frame[static_cast<int>(v[0])].insert(by_frame[static_cast<int>(v[0])].end(),
                                            {v[2], v[3], v[2] + v[4], v[3] + v[5], v[6]});
  }
  Frames out;
  for (int f = 1; f <= frames; ++f) {
    std::vector<double>& d = by_frame[f];
    out.push_back(at::from_blob(d.data(), {static_cast<int64_t>(d.size() / 5), 5}, at::kDouble).clone());
  }
  return out;
}

// n people-sized boxes (24x60) walking at up to 2 px/frame in 1920x1080, detections jittered by 1 px.
Frames synthetic_crowd(int n, int frames) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> ux(0, 1880), uy(0, 1010), uv(-2, 2), jitter(-1, 1), score(0.2, 1.0);
  std::vector<double> x(n), y(n), vx(n), vy(n), s(n);
  for (int i = 0; i < n; ++i) x[i] = ux(rng), y[i] = uy(rng), vx[i] = uv(rng), vy[i] = uv(rng), s[i] = score(rng);
  Frames out;
  for (int f = 0; f < frames; ++f) {
    std::vector<double> d;
    for (int i = 0; i < n; ++i) {
      const double bx = x[i] + vx[i] * f + jitter(rng), by = y[i] + vy[i] * f + jitter(rng);
      d.insert(d.end(), {bx, by, bx + 24, by + 60, s[i]});
    }
    out.push_back(at::from_blob(d.data(), {n, 5}, at::kDouble).clone());
  }
  return out;
}

void run_frames(benchmark::State& state, const Frames& frames, const trackkit::TrackerOptions& options) {
  int64_t updates = 0;
  for (auto _ : state) {
    trackkit::Tracker tracker(options);
    for (const at::Tensor& d : frames) benchmark::DoNotOptimize(tracker.update(d));
    updates += static_cast<int64_t>(frames.size());
  }
  state.SetItemsProcessed(updates); // items_per_second = frames per second
}

void BM_tracker_mot17(benchmark::State& state, const char* sequence, const char* det_file, int frames) {
  const char* data = std::getenv("TRACKKIT_DATA");
  const fs::path file = fs::path(data ? data : "") / "mot/MOT17/train" / sequence / "det" / det_file;
  if (!data || !fs::exists(file)) {
    state.SkipWithError("needs TRACKKIT_DATA with mot/MOT17");
    return;
  }
  run_frames(state, read_mot_detections(file, frames), trackkit::TrackerOptions::bytetrack_mot17(30));
}

void BM_tracker_crowd(benchmark::State& state) {
  const Frames frames = synthetic_crowd(static_cast<int>(state.range(0)), 30);
  run_frames(state, frames, trackkit::TrackerOptions::bytetrack());
}

BENCHMARK_CAPTURE(BM_tracker_mot17, MOT17_04_FRCNN, "MOT17-04-FRCNN", "det.txt", 1050)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_tracker_mot17, MOT17_04_YOLOX, "MOT17-04-FRCNN", "yolox_x_ablation.txt", 1050)
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_tracker_crowd)
    ->Arg(10)
    ->Arg(50)
    ->Arg(100)
    ->Arg(200)
    ->Arg(500)
    ->Arg(1000)
    ->Arg(2000)
    ->Unit(benchmark::kMillisecond);

} // namespace

BENCHMARK_MAIN();
