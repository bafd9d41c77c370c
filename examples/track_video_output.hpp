#pragma once
// track_video's outputs, written on their own threads: MOT results, a CSV of tracks, and annotated frames (a
// video where OpenCV has videoio, else JPEG images where it has imgcodecs, else none).
#include <ATen/ATen.h>
#include <opencv2/core.hpp>
#if TRACKKIT_HAVE_IMGCODECS
#include <opencv2/imgcodecs.hpp>
#endif
#if TRACKKIT_HAVE_VIDEOIO
#include <opencv2/videoio.hpp>
#endif

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <deque>
#include <filesystem>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "trackkit/mot.hpp"
#include "trackkit/pipeline.hpp"
#include "trackkit/video_io.hpp"

namespace examples {

struct OutputOptions {
  std::filesystem::path folder;
  std::string name;
  double fps = 30;
  bool annotate = true;
  int64_t snapshot_frame = -1;      ///< also saves this annotated frame as snapshot.jpg (imgcodecs builds)
  std::vector<int64_t> mot_classes; ///< classes written to the MOT results (empty: all)
  std::vector<std::string> class_names;
  int64_t width = 0, height = 0; ///< frame size where known: the annotated video is opened (checked) up front
};

/// Writes the outputs on its own thread. Every output is opened (so checked writable) before the first frame, every
/// write and close is checked, and the first failure stops the run with an error naming the file (write() and
/// close() throw it): a failed output is never claimed.
class TrackWriter {
 public:
  explicit TrackWriter(OutputOptions o) : o_(std::move(o)) {
    std::error_code ec;
    std::filesystem::create_directories(o_.folder, ec);
    if (ec) throw std::runtime_error("cannot create the output folder " + o_.folder.string() + ": " + ec.message());
    csv_path_ = (o_.folder / "tracks.csv").string();
    csv_ = std::fopen(csv_path_.c_str(), "w");
    if (csv_ == nullptr) throw std::runtime_error("cannot write " + csv_path_ + ": " + std::strerror(errno));
    std::fprintf(csv_, "frame,id,x1,y1,x2,y2,score,class,class_name\n");
    // results.txt is written at the end; a file that cannot be created fails now, not after the whole input.
    const std::string results = (o_.folder / "results.txt").string();
    std::FILE* probe = std::fopen(results.c_str(), "w");
    if (probe == nullptr) fail_now("cannot write " + results + ": " + std::strerror(errno));
    std::fclose(probe);
#if TRACKKIT_HAVE_VIDEOIO
    if (o_.annotate && o_.width > 0 && o_.height > 0)
      open_video(cv::Size(static_cast<int>(o_.width), static_cast<int>(o_.height)));
#endif
    thread_ = std::thread([this] { run(); }); // last: a constructor that throws leaves no thread running
  }
  ~TrackWriter() {
    try {
      close();
    } catch (const std::exception&) { // close() already reported it where it was called; a destructor must not throw
    }
  }

  /// Queues frames (waits while more than 256 are queued, so a slow encoder slows the pipeline, not memory).
  /// Throws the first output failure, so the pipeline stops instead of running to the end for nothing.
  void write(std::vector<trackkit::FrameTracks> frames) {
    std::unique_lock<std::mutex> lock(mutex_);
    space_.wait(lock, [&] { return queue_.size() < 256 || !error_.empty(); });
    if (!error_.empty()) throw std::runtime_error(error_);
    for (auto& f : frames) queue_.push_back(std::move(f));
    ready_.notify_one();
  }

  /// Drains the queue and closes the files; returns the MOT rows written (0-based frames). Throws the first output
  /// failure (the file named).
  const std::vector<trackkit::mot::Row>& close() {
    if (thread_.joinable()) {
      {
        const std::lock_guard<std::mutex> lock(mutex_);
        closing_ = true;
      }
      ready_.notify_one();
      thread_.join();
      finish_files();
    }
    if (!error_.empty()) throw std::runtime_error(error_);
    return rows_;
  }
  double busy_seconds() const { return busy_; }
  std::string annotated_path() const { return annotated_; }

 private:
  [[noreturn]] void fail_now(const std::string& message) {
    if (csv_ != nullptr) std::fclose(csv_), csv_ = nullptr;
    throw std::runtime_error(message);
  }
  void fail(const std::string& message) { // on the writer thread: keep the first failure
    const std::lock_guard<std::mutex> lock(mutex_);
    if (error_.empty()) error_ = message;
    space_.notify_all();
  }
  bool failed() {
    const std::lock_guard<std::mutex> lock(mutex_);
    return !error_.empty();
  }

  void finish_files() {
    if (csv_ != nullptr) {
      const bool write_error = std::ferror(csv_) != 0;
      if (std::fclose(csv_) != 0 || write_error) fail("writing " + csv_path_ + " failed (disk full?)");
      csv_ = nullptr;
    }
#if TRACKKIT_HAVE_VIDEOIO
    if (video_.isOpened()) {
      video_.release();
      std::error_code ec;
      if (std::filesystem::file_size(annotated_, ec) == 0 || ec) fail("writing " + annotated_ + " failed");
    }
#endif
    std::error_code ec;
    if (failed()) return void(std::filesystem::remove(o_.folder / "results.txt", ec)); // never claim a failed run
    try {
      trackkit::mot::write_mot_results((o_.folder / "results.txt").string(), rows_, 2);
    } catch (const std::exception& e) {
      fail(e.what());
    }
  }

  void run() {
    for (;;) {
      trackkit::FrameTracks f;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        ready_.wait(lock, [&] { return closing_ || !queue_.empty(); });
        if (queue_.empty() || !error_.empty()) return;
        f = std::move(queue_.front());
        queue_.pop_front();
        space_.notify_one();
      }
      const auto start = std::chrono::steady_clock::now();
      try {
        record(f);
        if (o_.annotate) annotate(f);
      } catch (const std::exception& e) {
        fail(e.what());
      }
      busy_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }
  }

#if TRACKKIT_HAVE_VIDEOIO
  void open_video(const cv::Size& size) {
    annotated_ = (o_.folder / (o_.name + "_tracks.mp4")).string();
    video_.open(annotated_, cv::VideoWriter::fourcc('m', 'p', '4', 'v'), o_.fps, size);
    if (!video_.isOpened())
      fail_now("cannot write the annotated video " + annotated_ + " (no mp4v encoder?); --no-annotate skips it");
  }
#endif

  void record(const trackkit::FrameTracks& f) {
    const trackkit::TrackerOutput& t = f.tracks;
    const auto boxes = t.boxes.accessor<double, 2>();
    for (int64_t i = 0; i < t.ids.size(0); ++i) {
      const int64_t id = t.ids[i].item<int64_t>(), cls = t.classes[i].item<int64_t>();
      const double score = t.scores[i].item<double>();
      const std::string name = cls >= 0 && cls < static_cast<int64_t>(o_.class_names.size()) ? o_.class_names[cls] : "";
      if (std::fprintf(csv_, "%lld,%lld,%.2f,%.2f,%.2f,%.2f,%.4f,%lld,%s\n", (long long)f.frame + 1, (long long)id,
                       boxes[i][0], boxes[i][1], boxes[i][2], boxes[i][3], score, (long long)cls, name.c_str()) < 0)
        throw std::runtime_error("writing " + csv_path_ + " failed: " + std::strerror(errno));
      if (!o_.mot_classes.empty() &&
          std::find(o_.mot_classes.begin(), o_.mot_classes.end(), cls) == o_.mot_classes.end())
        continue;
      trackkit::mot::Row r;
      r.frame = f.frame, r.id = id, r.x = boxes[i][0], r.y = boxes[i][1];
      r.w = boxes[i][2] - boxes[i][0], r.h = boxes[i][3] - boxes[i][1], r.score = score;
      rows_.push_back(r);
    }
  }

  void annotate(const trackkit::FrameTracks& f) {
    at::Tensor image = f.image.cpu().contiguous().clone();
    painter_.draw(image, f.tracks.boxes, f.tracks.ids, f.tracks.scores, f.tracks.classes, o_.class_names);
    const cv::Mat mat(static_cast<int>(image.size(0)), static_cast<int>(image.size(1)), CV_8UC3, image.data_ptr());
#if TRACKKIT_HAVE_IMGCODECS
    if (f.frame == o_.snapshot_frame && !cv::imwrite((o_.folder / "snapshot.jpg").string(), mat))
      throw std::runtime_error("cannot write " + (o_.folder / "snapshot.jpg").string());
#endif
#if TRACKKIT_HAVE_VIDEOIO
    if (!video_.isOpened() && annotated_.empty()) open_video(mat.size()); // frame size unknown before
    if (video_.isOpened()) return video_.write(mat);
#endif
#if TRACKKIT_HAVE_IMGCODECS
    const auto folder = o_.folder / "frames";
    if (annotated_.empty()) std::filesystem::create_directories(folder), annotated_ = folder.string() + "/";
    char name[32];
    std::snprintf(name, sizeof name, "%06lld.jpg", (long long)f.frame + 1);
    if (!cv::imwrite((folder / name).string(), mat))
      throw std::runtime_error("cannot write " + (folder / name).string());
#else
    (void)mat;
#endif
  }

  OutputOptions o_;
  trackkit::TrackPainter painter_{30};
  std::vector<trackkit::mot::Row> rows_;
  std::FILE* csv_ = nullptr;
  std::string csv_path_;
  std::string error_; // the first output failure
  std::string annotated_;
#if TRACKKIT_HAVE_VIDEOIO
  cv::VideoWriter video_;
#endif
  double busy_ = 0;
  std::mutex mutex_;
  std::condition_variable ready_, space_;
  std::deque<trackkit::FrameTracks> queue_;
  bool closing_ = false;
  std::thread thread_; // last: starts after everything above exists
};

} // namespace examples
