// FrameReader: sequential frames decoded ahead on background threads into a ring of reusable buffers.
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <opencv2/core.hpp>
#if TRACKKIT_HAVE_IMGCODECS
#include <opencv2/imgcodecs.hpp>
#endif
#if TRACKKIT_HAVE_VIDEOIO
#include <opencv2/videoio.hpp>
#endif

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "core/stopwatch.hpp"
#include "npy_frames.hpp"
#include "trackkit/device.hpp"
#include "trackkit/error.hpp"
#include "trackkit/mot.hpp"
#include "trackkit/video_io.hpp"

namespace fs = std::filesystem;

namespace trackkit {

namespace {

using detail::Clock;
using detail::seconds_since;

[[noreturn]] void fail_path(const std::string& path, const std::string& problem, ErrorCode code) {
  throw Error(code, "FrameReader: path \"" + path + "\" " + problem);
}

std::string lower_extension(const fs::path& p) {
  std::string e = p.extension().string();
  std::transform(e.begin(), e.end(), e.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return e;
}

std::vector<std::string> image_files(const fs::path& folder) {
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(folder)) {
    const std::string e = lower_extension(entry.path());
    if (entry.is_regular_file() && (e == ".jpg" || e == ".jpeg" || e == ".png" || e == ".bmp"))
      files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

} // namespace

struct FrameReader::Impl {
  std::string path;
  FrameReaderOptions options;
  FrameSourceInfo info;
  std::unique_ptr<detail::NpyFrames> npy;
  std::vector<std::string> files;
#if TRACKKIT_HAVE_VIDEOIO
  cv::VideoCapture video;
#endif
  // The ring: frame i lives in slot i % ring.size() once slot_frame says so.
  std::vector<cv::Mat> ring;
  std::vector<int64_t> slot_frame;
  std::vector<std::string> slot_error;
  std::mutex mutex;
  std::condition_variable changed;
  int64_t consumed = 0; // frames handed out
  int64_t end = -1;     // frames in the source, once known
  bool stopping = false;
  double busy_seconds = 0;
  std::vector<std::thread> workers;

  int64_t limit() const { return options.max_frames >= 0 ? options.max_frames : INT64_MAX; }

  bool wait_for_slot(int64_t i) { // a worker may decode frame i once it fits in the ring
    std::unique_lock<std::mutex> lock(mutex);
    changed.wait(lock, [&] { return stopping || i < consumed + static_cast<int64_t>(ring.size()); });
    return !stopping;
  }

  void publish(int64_t i, std::string error, double seconds) {
    const std::lock_guard<std::mutex> lock(mutex);
    const size_t slot = static_cast<size_t>(i) % ring.size();
    if (error.empty() && (ring[slot].cols != info.width || ring[slot].rows != info.height))
      error = "frame " + std::to_string(i) + " is " + std::to_string(ring[slot].cols) + "x" +
              std::to_string(ring[slot].rows) + ", not " + std::to_string(info.width) + "x" +
              std::to_string(info.height) + " as the first frame";
    slot_frame[slot] = i, slot_error[slot] = std::move(error), busy_seconds += seconds;
    changed.notify_all();
  }

  void finish_at(int64_t i) {
    const std::lock_guard<std::mutex> lock(mutex);
    if (end < 0 || i < end) end = i;
    changed.notify_all();
  }

#if TRACKKIT_HAVE_IMGCODECS
  void decode_images(int64_t first, int64_t step) {
    std::vector<uchar> bytes;
    for (int64_t i = first; i < end; i += step) {
      if (!wait_for_slot(i)) return;
      const auto start = Clock::now();
      std::string error;
      std::ifstream file(files[i], std::ios::binary);
      bytes.assign(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
      cv::Mat& dst = ring[static_cast<size_t>(i) % ring.size()];
      try {
        cv::imdecode(bytes, cv::IMREAD_COLOR, &dst);
      } catch (const cv::Exception&) {
        dst.release();
      }
      if (dst.empty()) error = "image \"" + files[i] + "\" cannot be decoded";
      publish(i, std::move(error), seconds_since(start));
    }
  }
#endif

#if TRACKKIT_HAVE_VIDEOIO
  void decode_video() {
    for (int64_t i = 0; i < limit(); ++i) {
      if (!wait_for_slot(i)) return;
      const auto start = Clock::now();
      cv::Mat& dst = ring[static_cast<size_t>(i) % ring.size()];
      if (!video.read(dst) || dst.empty()) return finish_at(i);
      if (dst.channels() != 3) return publish(i, "frame " + std::to_string(i) + " is not 3-channel", 0);
      publish(i, {}, seconds_since(start));
    }
    finish_at(limit());
  }
#endif

  void open_images(const fs::path& folder) {
#if TRACKKIT_HAVE_IMGCODECS
    files = image_files(folder);
    if (files.empty()) fail_path(path, "holds no .jpg/.jpeg/.png/.bmp images", ErrorCode::NotFound);
    const cv::Mat first = cv::imread(files[0], cv::IMREAD_COLOR);
    if (first.empty()) fail_path(path, "image \"" + files[0] + "\" cannot be decoded", ErrorCode::InvalidArgument);
    info.width = first.cols, info.height = first.rows;
    info.frames = end = std::min<int64_t>(static_cast<int64_t>(files.size()), limit());
#else
    (void)folder;
    fail_path(path, "is an image folder, but this build's OpenCV has no imgcodecs (use a .npy frame array)",
              ErrorCode::Unsupported);
#endif
  }

  void open_video() {
#if TRACKKIT_HAVE_VIDEOIO
    if (!video.open(path)) fail_path(path, "cannot be opened as a video", ErrorCode::InvalidArgument);
    info.width = static_cast<int64_t>(video.get(cv::CAP_PROP_FRAME_WIDTH));
    info.height = static_cast<int64_t>(video.get(cv::CAP_PROP_FRAME_HEIGHT));
    const double fps = video.get(cv::CAP_PROP_FPS), count = video.get(cv::CAP_PROP_FRAME_COUNT);
    if (fps > 0) info.fps = fps;
    info.frames = count > 0 ? std::min<int64_t>(static_cast<int64_t>(count), limit()) : -1;
#else
    fail_path(path, "is a video, but this build's OpenCV has no videoio (use a .npy frame array)",
              ErrorCode::Unsupported);
#endif
  }

  void open() {
    const fs::path p(path);
    if (!fs::exists(p)) fail_path(path, "does not exist", ErrorCode::NotFound);
    info.name = p.filename().stem().string();
    if (fs::is_directory(p) && fs::exists(p / "seqinfo.ini")) {
      const mot::SeqInfo seq = mot::read_seqinfo((p / "seqinfo.ini").string());
      info.kind = "mot", info.name = seq.name.empty() ? info.name : seq.name;
      if (seq.frame_rate > 0) info.fps = seq.frame_rate;
      open_images(p / (seq.im_dir.empty() ? "img1" : seq.im_dir));
    } else if (fs::is_directory(p)) {
      info.kind = "images";
      open_images(p);
    } else if (lower_extension(p) == ".npy") {
      info.kind = "npy";
      npy = std::make_unique<detail::NpyFrames>(path);
      info.width = npy->width(), info.height = npy->height();
      info.frames = end = std::min(npy->frames(), limit());
    } else {
      info.kind = "video";
      open_video();
    }
    if (info.width <= 0 || info.height <= 0) fail_path(path, "has frames of no size", ErrorCode::InvalidArgument);
  }

  void start() {
    if (npy) return; // read() copies straight from the memory map
    ring.resize(static_cast<size_t>(std::max<int64_t>(2, options.prefetch)));
    slot_frame.assign(ring.size(), -1), slot_error.assign(ring.size(), {});
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

  // Batch buffers handed out by read(), reused once nothing else refers to them: pinned allocations are slow
  // (hundreds of ms for a batch of 1080p frames), so steady-state reading allocates nothing.
  std::vector<at::Tensor> pool;

  at::Tensor empty_batch(int64_t n) {
    for (const at::Tensor& t : pool)
      if (t.size(0) >= n && t.storage().use_count() == 1) return t.narrow(0, 0, n);
    auto opts = at::TensorOptions().dtype(at::kByte).pinned_memory(options.pinned && cuda_available());
    at::Tensor t = at::empty({n, info.height, info.width, 3}, opts);
    if (pool.size() < 8) pool.push_back(t);
    return t.narrow(0, 0, n); // a view: its own reference to the storage, which the pool's use_count check sees
  }

  at::Tensor read_npy(int64_t max_frames) {
    const int64_t n = std::max<int64_t>(0, std::min(max_frames, end - consumed));
    at::Tensor out = empty_batch(n);
    const auto start = Clock::now();
    uint8_t* dst = out.data_ptr<uint8_t>();
    const size_t bytes = npy->frame_bytes();
    at::parallel_for(0, n, 1, [&](int64_t b, int64_t e) {
      for (int64_t k = b; k < e; ++k) std::memcpy(dst + k * bytes, npy->frame(consumed + k), bytes);
    });
    busy_seconds += seconds_since(start), consumed += n;
    return out;
  }

  at::Tensor read_ring(int64_t max_frames) { // waits for a chunk, copies it in parallel, frees its slots
    const int64_t chunk = std::max<int64_t>(1, std::min<int64_t>(max_frames, ring.size() / 2));
    int64_t n = 0;
    {
      std::unique_lock<std::mutex> lock(mutex);
      for (; n < chunk; ++n) {
        const int64_t i = consumed + n;
        const size_t slot = static_cast<size_t>(i) % ring.size();
        changed.wait(lock, [&] { return slot_frame[slot] == i || (end >= 0 && i >= end); });
        if (end >= 0 && i >= end) break;
        if (!slot_error[slot].empty()) fail_path(path, slot_error[slot], ErrorCode::InvalidArgument);
      }
    }
    at::Tensor out = empty_batch(n);
    uint8_t* dst = out.data_ptr<uint8_t>();
    const size_t bytes = static_cast<size_t>(info.width * info.height * 3);
    at::parallel_for(0, n, 1, [&](int64_t b, int64_t e) {
      for (int64_t k = b; k < e; ++k) {
        const cv::Mat& src = ring[static_cast<size_t>(consumed + k) % ring.size()];
        cv::Mat into(src.rows, src.cols, CV_8UC3, dst + k * bytes);
        src.copyTo(into); // same size and type: writes into the batch's memory
      }
    });
    const std::lock_guard<std::mutex> lock(mutex);
    consumed += n;
    changed.notify_all();
    return out;
  }

  ~Impl() {
    {
      const std::lock_guard<std::mutex> lock(mutex);
      stopping = true;
    }
    changed.notify_all();
    for (auto& w : workers) w.join();
  }
};

FrameReader::FrameReader(const std::string& path, const FrameReaderOptions& options) : impl_(std::make_unique<Impl>()) {
  if (options.prefetch < 1) fail_argument("FrameReader", "options.prefetch", "must be at least 1");
  impl_->path = path, impl_->options = options;
  impl_->open();
  impl_->start();
}

FrameReader::~FrameReader() = default;
FrameReader::FrameReader(FrameReader&&) noexcept = default;
FrameReader& FrameReader::operator=(FrameReader&&) noexcept = default;

at::Tensor FrameReader::read(int64_t max_frames) {
  if (max_frames < 1) fail_argument("FrameReader::read", "max_frames", "must be at least 1");
  return impl_->npy ? impl_->read_npy(max_frames) : impl_->read_ring(max_frames);
}

const FrameSourceInfo& FrameReader::info() const { return impl_->info; }
int64_t FrameReader::frames_read() const { return impl_->consumed; }
double FrameReader::decode_seconds() const {
  const std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->busy_seconds;
}

bool FrameReader::can_read(const std::string& kind) {
#if TRACKKIT_HAVE_IMGCODECS
  constexpr bool images = true;
#else
  constexpr bool images = false;
#endif
#if TRACKKIT_HAVE_VIDEOIO
  constexpr bool video = true;
#else
  constexpr bool video = false;
#endif
  return kind == "npy" || ((kind == "images" || kind == "mot") && images) || (kind == "video" && video);
}

} // namespace trackkit
