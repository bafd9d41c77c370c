// split360's pipeline: a reader thread decodes batches (on the worker pool) into pinned memory, the calling thread
// projects them on its own CUDA stream (or the CPU), and a writer thread encodes the views (on the worker pool),
// each stage one batch ahead of the next (queues of two batches).
#include "split360_pipeline.hpp"

#include <ATen/ATen.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <functional>
#include <future>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>

#ifdef TRACKKIT_WITH_CUDA
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#endif

namespace fs = std::filesystem;

namespace split360 {
namespace {

/// Worker threads running tasks in submission order.
class Pool {
 public:
  explicit Pool(int threads) {
    for (int i = 0; i < threads; ++i) workers_.emplace_back([this] { work(); });
  }
  ~Pool() {
    {
      const std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    ready_.notify_all();
    for (std::thread& t : workers_) t.join();
  }
  std::future<void> submit(std::function<void()> task) {
    auto job = std::make_shared<std::packaged_task<void()>>(std::move(task));
    std::future<void> done = job->get_future();
    {
      const std::lock_guard<std::mutex> lock(mutex_);
      tasks_.emplace_back([job] { (*job)(); });
    }
    ready_.notify_one();
    return done;
  }

 private:
  void work() {
    for (;;) {
      std::function<void()> task;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        ready_.wait(lock, [this] { return stop_ || !tasks_.empty(); });
        if (tasks_.empty()) return;
        task = std::move(tasks_.front());
        tasks_.pop_front();
      }
      task();
    }
  }
  std::vector<std::thread> workers_;
  std::deque<std::function<void()>> tasks_;
  std::mutex mutex_;
  std::condition_variable ready_;
  bool stop_ = false;
};

/// A queue of at most `capacity` items; an empty optional closes it.
template <typename T>
class Channel {
 public:
  explicit Channel(size_t capacity) : capacity_(capacity) {}
  void push(std::optional<T> item) {
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait(lock, [this] { return items_.size() < capacity_; });
    items_.push_back(std::move(item));
    changed_.notify_all();
  }
  std::optional<T> pop() {
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait(lock, [this] { return !items_.empty(); });
    std::optional<T> item = std::move(items_.front());
    items_.pop_front();
    changed_.notify_all();
    return item;
  }

 private:
  size_t capacity_;
  std::deque<std::optional<T>> items_;
  std::mutex mutex_;
  std::condition_variable changed_;
};

struct Batch {
  int64_t first = 0, count = 0;
  at::Tensor frames; // uint8 [B,H,W,3], pinned when projecting on CUDA
  at::Tensor views;  // uint8 [B,V,h,w,3], pinned likewise
};

void wait_all(std::vector<std::future<void>>& tasks) {
  for (auto& t : tasks) t.get(); // rethrows a task's error
  tasks.clear();
}

void progress(int64_t done, int64_t total, double seconds, int64_t views) {
  const int width = 40, filled = total > 0 ? static_cast<int>(width * done / total) : width;
  std::fprintf(stderr, "\r[%s%s] %lld/%lld frames, %.1f views/s ", std::string(filled, '=').c_str(),
               std::string(width - filled, ' ').c_str(), static_cast<long long>(done), static_cast<long long>(total),
               seconds > 0 ? views / seconds : 0.0);
  if (done == total) std::fprintf(stderr, "\n");
}

} // namespace

Source::Source(const std::string& input, int64_t limit) {
  if (fs::is_directory(input)) {
    for (const auto& entry : fs::directory_iterator(input)) {
      std::string ext = entry.path().extension().string();
      for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (entry.is_regular_file() && (ext == ".jpg" || ext == ".jpeg" || ext == ".png")) {
        files_.push_back(entry.path().string());
      }
    }
    std::sort(files_.begin(), files_.end());
    if (files_.empty()) throw std::runtime_error("split360: no .jpg/.jpeg/.png files in " + input);
    count_ = static_cast<int64_t>(files_.size());
    size_ = probe_image(files_[0]);
  } else if (fs::is_regular_file(input)) {
    video_ = std::make_unique<VideoReader>(input);
    size_ = video_->size();
    count_ = video_->frame_count();
  } else {
    throw std::runtime_error("split360: " + input + " is neither a folder nor a file");
  }
  if (limit >= 0) count_ = std::min(count_, limit);
}

Source::~Source() = default;

std::string Source::stem(int64_t i) const {
  if (!video_) return fs::path(files_[static_cast<size_t>(i)]).stem().string();
  char name[32];
  std::snprintf(name, sizeof name, "frame_%06lld", static_cast<long long>(i));
  return name;
}

void Source::read(int64_t i, uint8_t* dst) {
  if (video_) {
    if (!video_->read(dst)) throw std::runtime_error("split360: the video ended before frame " + std::to_string(i));
    return;
  }
  const std::string& path = files_[static_cast<size_t>(i)];
  const ImageSize s = probe_image(path);
  if (s.width != size_.width || s.height != size_.height) {
    throw std::runtime_error(path + ": " + std::to_string(s.width) + "x" + std::to_string(s.height) +
                             ", but the first frame is " + std::to_string(size_.width) + "x" +
                             std::to_string(size_.height));
  }
  read_image(path, dst, size_);
}

PipelineStats run_pipeline(Source& source, const trackkit::EquirectToPinhole& e2p, const std::string& outdir,
                           const PipelineOptions& options) {
  const bool cuda = options.device.is_cuda();
  const ImageSize size = source.size();
  const auto& views = e2p.views();
  const int64_t nviews = static_cast<int64_t>(views.size()), vh = views[0].height, vw = views[0].width;
  const auto host = at::TensorOptions().dtype(at::kByte).pinned_memory(cuda);
  Pool pool(options.threads);
  Channel<Batch> decoded(2), projected(2);
  PipelineStats stats;
  stats.frames = source.count();
  std::atomic<int64_t> batch{options.batch}; // the reader sizes batches; out-of-memory halves it
  const auto start = std::chrono::steady_clock::now();

  // Reader: frames [first, first + batch) decoded in parallel (a video in order, on this thread).
  std::exception_ptr reader_error;
  std::thread reader([&] {
    try {
      for (int64_t first = 0; first < source.count();) {
        Batch b;
        b.first = first, b.count = std::min(batch.load(), source.count() - first);
        b.frames = at::empty({b.count, size.height, size.width, 3}, host);
        std::vector<std::future<void>> tasks;
        for (int64_t k = 0; k < b.count; ++k) {
          uint8_t* dst = b.frames[k].data_ptr<uint8_t>();
          if (source.is_video()) {
            source.read(first + k, dst);
          } else {
            tasks.push_back(pool.submit([&source, first, k, dst] { source.read(first + k, dst); }));
          }
        }
        wait_all(tasks);
        first += b.count;
        decoded.push(std::move(b));
      }
      decoded.push(std::nullopt);
    } catch (...) {
      reader_error = std::current_exception();
      decoded.push(std::nullopt);
    }
  });
  // Writer: every view of a batch encoded in parallel, then the progress bar.
  std::exception_ptr writer_error;
  std::thread writer([&] {
    int64_t done = 0;
    while (std::optional<Batch> b = projected.pop()) {
      if (writer_error) continue; // drain
      try {
        std::vector<std::future<void>> tasks;
        for (int64_t k = 0; k < b->count; ++k) {
          for (int64_t v = 0; v < nviews; ++v) {
            const std::string path = outdir + "/" + source.stem(b->first + k) + "_" + std::to_string(v) + ".jpg";
            const uint8_t* pixels = b->views[k][v].data_ptr<uint8_t>();
            tasks.push_back(pool.submit([path, pixels, vw, vh, &options] {
              write_jpeg(path, pixels, {static_cast<int>(vw), static_cast<int>(vh)}, options.quality);
            }));
          }
        }
        wait_all(tasks);
        done += b->count;
        stats.views_written += b->count * nviews;
        progress(done, source.count(), std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
                 stats.views_written);
      } catch (...) {
        writer_error = std::current_exception();
      }
    }
  });

  std::exception_ptr error;
  try {
#ifdef TRACKKIT_WITH_CUDA
    std::optional<c10::cuda::CUDAStreamGuard> stream_guard;
    if (cuda) stream_guard.emplace(c10::cuda::getStreamFromPool(false, options.device.index()));
#endif
    while (std::optional<Batch> b = decoded.pop()) {
      const auto t0 = std::chrono::steady_clock::now();
      b->views = at::empty({b->count, nviews, vh, vw, 3}, host);
      const at::Tensor frames = cuda ? b->frames.to(options.device, /*non_blocking=*/true) : b->frames;
      int64_t chunk = batch.load();
      e2p.project_batches(frames, chunk, [&](int64_t first, const at::Tensor& out) {
        b->views.narrow(0, first, out.size(0)).copy_(out, /*non_blocking=*/cuda);
      });
      batch = chunk;
#ifdef TRACKKIT_WITH_CUDA
      if (cuda) c10::cuda::getCurrentCUDAStream(options.device.index()).synchronize();
#endif
      stats.projection_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      projected.push(std::move(*b));
    }
  } catch (...) {
    error = std::current_exception();
    while (decoded.pop()) {
    }
  }
  projected.push(std::nullopt);
  writer.join();
  reader.join();
  stats.final_batch = batch.load();
  if (error) std::rethrow_exception(error);
  if (reader_error) std::rethrow_exception(reader_error);
  if (writer_error) std::rethrow_exception(writer_error);
  return stats;
}

} // namespace split360
