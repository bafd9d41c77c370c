// FrameReader's OpenCV decoders: image folders (imgcodecs, several threads) and videos (videoio, one thread) where
// this OpenCV has them, into a ring of cv::Mat slots.
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <opencv2/imgproc.hpp>
#if TRACKKIT_HAVE_IMGCODECS
#include <opencv2/imgcodecs.hpp>
#endif

#include <algorithm>
#include <fstream>
#include <iterator>

#include "core/stopwatch.hpp"
#include "frame_reader_impl.hpp"

namespace fs = std::filesystem;

namespace trackkit {

namespace {

using detail::Clock;
using detail::fail_path;
using detail::seconds_since;

[[maybe_unused]] std::vector<std::string> image_files(const fs::path& folder) {
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(folder)) {
    const std::string e = detail::lower_extension(entry.path());
    if (entry.is_regular_file() && (e == ".jpg" || e == ".jpeg" || e == ".png" || e == ".bmp"))
      files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

} // namespace

void FrameReader::Impl::open_images(const fs::path& folder) {
#if TRACKKIT_HAVE_IMGCODECS
  files = image_files(folder);
  if (files.empty()) fail_path(path, "holds no .jpg/.jpeg/.png/.bmp images", ErrorCode::NotFound);
  const cv::Mat first = cv::imread(files[0], cv::IMREAD_COLOR);
  if (first.empty()) fail_path(path, "image \"" + files[0] + "\" cannot be decoded", ErrorCode::InvalidArgument);
  info.width = first.cols, info.height = first.rows, info.decoder = "opencv";
  info.frames = end = std::min<int64_t>(static_cast<int64_t>(files.size()), limit());
#else
  (void)folder;
  fail_path(path, "is an image folder, but this build's OpenCV has no imgcodecs (use a .npy frame array)",
            ErrorCode::Unsupported);
#endif
}

void FrameReader::Impl::open_opencv_video() {
  info.decoder = "opencv";
#if TRACKKIT_HAVE_VIDEOIO
  if (!video.open(path)) fail_path(path, "cannot be opened as a video", ErrorCode::InvalidArgument);
  info.width = static_cast<int64_t>(video.get(cv::CAP_PROP_FRAME_WIDTH));
  info.height = static_cast<int64_t>(video.get(cv::CAP_PROP_FRAME_HEIGHT));
  const double fps = video.get(cv::CAP_PROP_FPS), count = video.get(cv::CAP_PROP_FRAME_COUNT);
  if (fps > 0) info.fps = fps;
  info.frames = count > 0 ? std::min<int64_t>(static_cast<int64_t>(count), limit()) : -1;
#else
  fail_path(path, "is a video, but this build has neither FFmpeg nor OpenCV's videoio (use a .npy frame array)",
            ErrorCode::Unsupported);
#endif
}

void FrameReader::Impl::start_opencv() {
  ring.resize(static_cast<size_t>(slots));
#if TRACKKIT_HAVE_VIDEOIO
  if (info.kind == "video") {
    workers.emplace_back([this] { decode_video(); });
    return;
  }
#endif
#if TRACKKIT_HAVE_IMGCODECS
  const int hardware = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const int threads = options.threads > 0 ? options.threads : std::min(8, hardware);
  for (int t = 0; t < threads; ++t) workers.emplace_back([this, t, threads] { decode_images(t, threads); });
#endif
}

void FrameReader::Impl::decode_images([[maybe_unused]] int64_t first, [[maybe_unused]] int64_t step) {
#if TRACKKIT_HAVE_IMGCODECS
  std::vector<uchar> bytes;
  for (int64_t i = first; i < end; i += step) {
    if (!wait_for_slot(i)) return;
    const auto start = Clock::now();
    std::string error;
    std::ifstream file(files[i], std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
    cv::Mat& dst = ring[static_cast<size_t>(i % slots)];
    try {
      cv::imdecode(bytes, cv::IMREAD_COLOR, &dst);
    } catch (const cv::Exception&) {
      dst.release();
    }
    if (dst.empty()) error = "image \"" + files[i] + "\" cannot be decoded";
    publish(i, std::move(error), seconds_since(start), static_cast<double>(i) / info.fps);
  }
#endif
}

void FrameReader::Impl::decode_video() {
#if TRACKKIT_HAVE_VIDEOIO
  for (int64_t i = 0; i < limit(); ++i) {
    if (!wait_for_slot(i)) return;
    const auto start = Clock::now();
    cv::Mat& dst = ring[static_cast<size_t>(i % slots)];
    if (!video.read(dst) || dst.empty()) return finish_at(i);
    const double time = video.get(cv::CAP_PROP_POS_MSEC) / 1000;
    if (dst.channels() != 3) return publish(i, "frame " + std::to_string(i) + " is not 3-channel", 0, time);
    publish(i, {}, seconds_since(start), time);
  }
  finish_at(limit());
#endif
}

void FrameReader::Impl::copy_mats(at::Tensor& out, int64_t n) {
  uint8_t* dst = out.data_ptr<uint8_t>();
  const size_t bytes = static_cast<size_t>(info.width * info.height * 3);
  at::parallel_for(0, n, 1, [&](int64_t b, int64_t e) {
    for (int64_t k = b; k < e; ++k) {
      const cv::Mat& src = ring[static_cast<size_t>((consumed + k) % slots)];
      cv::Mat into(src.rows, src.cols, CV_8UC3, dst + k * bytes); // same size and type: written in place
      if (options.rgb) {
        cv::cvtColor(src, into, cv::COLOR_BGR2RGB);
      } else {
        src.copyTo(into);
      }
    }
  });
}

} // namespace trackkit
