// split360: equirectangular 360° images (a folder of JPEG/PNG files) or a 360° video in, V perspective JPEGs per
// frame out (trackkit::EquirectToPinhole, docs/e2p.md).
//
//   split360 INPUT OUTDIR [--views 8] [--size 1920x1080] [--hfov 90] [--pitch 0] [--interpolation bilinear]
//            [--device auto|cpu|cuda[:N]] [--batch N] [--quality 90] [--threads N] [--max-frames N]
//
// OUTDIR may also be given as --out OUTDIR; --help lists every option with its default.
// Three stages overlap: a reader decodes batches of frames into pinned host memory (worker threads), the main thread
// uploads a batch on its own CUDA stream, projects all V views of all its frames in one kernel launch (frames stay
// on the GPU across cameras) and copies the views back into pinned memory, and a writer encodes the views of the
// previous batch on the worker threads meanwhile. The batch size comes from free GPU memory
// (EquirectToPinhole::batch_capacity) and halves on out-of-memory (project_batches). On a machine without a GPU the
// CPU path projects. A progress bar runs on stderr; the last line gives the throughput.
#include <ATen/ATen.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "cli.hpp"
#include "split360_pipeline.hpp"
#include "trackkit/device.hpp"
#include "trackkit/e2p.hpp"

namespace fs = std::filesystem;

namespace {

struct Args {
  std::string input, output, device = "auto", interpolation = "bilinear";
  int views = 8, quality = 90, threads = 0;
  int64_t width = 1920, height = 1080, batch = 0, max_frames = -1;
  double hfov = 90, pitch = 0;
};

void add_options(CLI::App& app, Args& a) {
  app.add_option("INPUT", a.input, "a folder of equirectangular JPEG/PNG images, or a 360° video")
      ->required()
      ->check(CLI::ExistingPath);
  auto* outdir = app.add_option("OUTDIR", a.output, "output folder: <frame stem>_<view>.jpg");
  app.add_option("--out", a.output, "OUTDIR as an option, the other examples' name for it")->excludes(outdir);
  app.callback([&a] {
    if (a.output.empty()) throw CLI::RequiredError("OUTDIR (or --out)");
  });
  app.add_option("--views", a.views, "views around the horizon")->capture_default_str()->check(examples::positive());
  examples::add_size_option(app, "--size", a.width, a.height, "each view's size");
  app.add_option("--hfov", a.hfov, "each view's horizontal field of view (degrees)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 180.0));
  app.add_option("--pitch", a.pitch, "the views' pitch (degrees, up positive)")->capture_default_str();
  app.add_option("--interpolation", a.interpolation, "pixel interpolation")
      ->capture_default_str()
      ->check(CLI::IsMember({"nearest", "bilinear", "bicubic"}));
  examples::add_device_option(app, a.device);
  app.add_option("--batch", a.batch, "frames a batch (0: 8 on a GPU, 2 on the CPU; at most what fits in memory)")
      ->capture_default_str()
      ->check(examples::non_negative());
  app.add_option("--quality", a.quality, "JPEG quality")->capture_default_str()->check(CLI::Range(1, 100));
  app.add_option("--threads", a.threads, "decoder / encoder threads (0: one a core)")
      ->capture_default_str()
      ->check(examples::non_negative());
  examples::add_max_frames_option(app, a.max_frames, "--limit");
}

int split(const Args& a) {
  split360::Source source(a.input, a.max_frames);
  fs::create_directories(a.output);
  c10::Device device = trackkit::parse_device(a.device, "--device");
  if (device.is_cuda() && !device.has_index()) device = c10::Device(c10::kCUDA, 0); // streams and guards need one
  trackkit::E2POptions options;
  options.interpolation = trackkit::parse_e2p_interpolation(a.interpolation, "--interpolation");
  const trackkit::EquirectToPinhole e2p(
      trackkit::EquirectToPinhole::horizon(a.views, a.width, a.height, a.hfov, a.pitch), options);
  split360::PipelineOptions p;
  p.device = device;
  p.quality = a.quality;
  p.threads = a.threads > 0 ? a.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const split360::ImageSize size = source.size();
  const int64_t capacity = e2p.batch_capacity(size.height, size.width, 3, at::kByte, device, 0.4);
  p.batch = std::max<int64_t>(1, std::min<int64_t>(a.batch > 0 ? a.batch : (device.is_cuda() ? 8 : 2), capacity));
  std::fprintf(stderr, "split360: %lld frames of %dx%d from %s -> %d views of %lldx%lld each into %s\n",
               static_cast<long long>(source.count()), size.width, size.height, a.input.c_str(), a.views,
               static_cast<long long>(a.width), static_cast<long long>(a.height), a.output.c_str());
  std::fprintf(stderr, "split360: device %s, batch %lld frames (room for %lld), %d worker threads, I/O: %s\n",
               device.str().c_str(), static_cast<long long>(p.batch), static_cast<long long>(capacity), p.threads,
               split360::io_backends().c_str());
  const auto start = std::chrono::steady_clock::now();
  const split360::PipelineStats stats = split360::run_pipeline(source, e2p, a.output, p);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double images = static_cast<double>(stats.views_written);
  std::printf(
      "split360: %lld frames -> %lld views in %.2f s: %.1f views/s, %.4f s per view "
      "(baseline 1.19 s per view: %.0fx); projection %.2f s, final batch %lld\n",
      static_cast<long long>(stats.frames), static_cast<long long>(stats.views_written), seconds, images / seconds,
      seconds / std::max(images, 1.0), 1.19 / (seconds / std::max(images, 1.0)), stats.projection_seconds,
      static_cast<long long>(stats.final_batch));
  return 0;
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app("split360: equirectangular 360° images or video in, perspective JPEG views of every frame out",
               "split360");
  Args a;
  add_options(app, a);
  return examples::run(app, argc, argv, [&] { return split(a); });
}
