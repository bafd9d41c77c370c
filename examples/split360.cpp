// split360: equirectangular 360° images (a folder of JPEG/PNG files) or a 360° video in, V perspective JPEGs per
// frame out (trackkit::EquirectToPinhole, docs/e2p.md).
//
//   split360 INPUT OUTDIR [--views 8] [--size 1920x1080] [--hfov 90] [--pitch 0] [--interpolation bilinear]
//            [--device auto|cpu|cuda[:N]] [--batch N] [--quality 90] [--threads N] [--limit N]
//
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
  int64_t width = 1920, height = 1080, batch = 0, limit = -1;
  double hfov = 90, pitch = 0;
};

Args parse(int argc, char** argv) {
  Args a;
  std::vector<std::string> positional;
  for (int i = 1; i < argc; ++i) {
    const std::string o = argv[i];
    auto value = [&] { return examples::option_value("split360", argc, argv, i); };
    if (o == "--views") {
      a.views = std::stoi(value());
    } else if (o == "--size") {
      const std::string s = value();
      const auto x = s.find('x');
      if (x == std::string::npos) throw std::runtime_error("split360: --size must be WIDTHxHEIGHT, got " + s);
      a.width = std::stoll(s.substr(0, x)), a.height = std::stoll(s.substr(x + 1));
    } else if (o == "--hfov") {
      a.hfov = std::stod(value());
    } else if (o == "--pitch") {
      a.pitch = std::stod(value());
    } else if (o == "--interpolation") {
      a.interpolation = value();
    } else if (o == "--device") {
      a.device = value();
    } else if (o == "--batch") {
      a.batch = std::stoll(value());
    } else if (o == "--quality") {
      a.quality = std::stoi(value());
    } else if (o == "--threads") {
      a.threads = std::stoi(value());
    } else if (o == "--limit") {
      a.limit = std::stoll(value());
    } else if (!o.empty() && o[0] == '-') {
      throw std::runtime_error("split360: unknown option " + o);
    } else {
      positional.push_back(o);
    }
  }
  if (positional.size() != 2) {
    throw std::runtime_error(
        "usage: split360 INPUT OUTDIR [--views N] [--size WxH] [--hfov DEG] [--pitch DEG] "
        "[--interpolation nearest|bilinear|bicubic] [--device auto|cpu|cuda] [--batch N] "
        "[--quality Q] [--threads N] [--limit N]");
  }
  a.input = positional[0], a.output = positional[1];
  return a;
}

} // namespace

int main(int argc, char** argv) {
  try {
    const Args a = parse(argc, argv);
    split360::Source source(a.input, a.limit);
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
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
}
