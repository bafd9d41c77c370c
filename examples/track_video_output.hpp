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

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <mutex>
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
};

class TrackWriter {
 public:
  explicit TrackWriter(OutputOptions o) : o_(std::move(o)), thread_([this] { run(); }) {
    std::filesystem::create_directories(o_.folder);
    csv_ = std::fopen((o_.folder / "tracks.csv").c_str(), "w");
    if (csv_ != nullptr) std::fprintf(csv_, "frame,id,x1,y1,x2,y2,score,class,class_name\n");
  }
  ~TrackWriter() { close(); }

  /// Queues frames (waits while more than 256 are queued, so a slow encoder slows the pipeline, not memory).
  void write(std::vector<trackkit::FrameTracks> frames) {
    std::unique_lock<std::mutex> lock(mutex_);
    space_.wait(lock, [&] { return queue_.size() < 256; });
    for (auto& f : frames) queue_.push_back(std::move(f));
    ready_.notify_one();
  }

  /// Drains the queue and closes the files; returns the MOT rows written (0-based frames).
  const std::vector<trackkit::mot::Row>& close() {
    if (thread_.joinable()) {
      {
        const std::lock_guard<std::mutex> lock(mutex_);
        closing_ = true;
      }
      ready_.notify_one();
      thread_.join();
      if (csv_ != nullptr) std::fclose(csv_);
      csv_ = nullptr;
      trackkit::mot::write_mot_results((o_.folder / "results.txt").string(), rows_, 2);
    }
    return rows_;
  }
  double busy_seconds() const { return busy_; }
  std::string annotated_path() const { return annotated_; }

 private:
  void run() {
    for (;;) {
      trackkit::FrameTracks f;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        ready_.wait(lock, [&] { return closing_ || !queue_.empty(); });
        if (queue_.empty()) return;
        f = std::move(queue_.front());
        queue_.pop_front();
        space_.notify_one();
      }
      const auto start = std::chrono::steady_clock::now();
      record(f);
      if (o_.annotate) annotate(f);
      busy_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }
  }

  void record(const trackkit::FrameTracks& f) {
    const trackkit::TrackerOutput& t = f.tracks;
    const auto boxes = t.boxes.accessor<double, 2>();
    for (int64_t i = 0; i < t.ids.size(0); ++i) {
      const int64_t id = t.ids[i].item<int64_t>(), cls = t.classes[i].item<int64_t>();
      const double score = t.scores[i].item<double>();
      const std::string name = cls >= 0 && cls < static_cast<int64_t>(o_.class_names.size()) ? o_.class_names[cls] : "";
      if (csv_ != nullptr)
        std::fprintf(csv_, "%lld,%lld,%.2f,%.2f,%.2f,%.2f,%.4f,%lld,%s\n", (long long)f.frame + 1, (long long)id,
                     boxes[i][0], boxes[i][1], boxes[i][2], boxes[i][3], score, (long long)cls, name.c_str());
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
    if (f.frame == o_.snapshot_frame) cv::imwrite((o_.folder / "snapshot.jpg").string(), mat);
#endif
#if TRACKKIT_HAVE_VIDEOIO
    if (!video_.isOpened()) {
      annotated_ = (o_.folder / (o_.name + "_tracks.mp4")).string();
      video_.open(annotated_, cv::VideoWriter::fourcc('m', 'p', '4', 'v'), o_.fps, mat.size());
    }
    if (video_.isOpened()) return video_.write(mat);
#endif
#if TRACKKIT_HAVE_IMGCODECS
    const auto folder = o_.folder / "frames";
    if (annotated_.empty()) std::filesystem::create_directories(folder), annotated_ = folder.string() + "/";
    char name[32];
    std::snprintf(name, sizeof name, "%06lld.jpg", (long long)f.frame + 1);
    cv::imwrite((folder / name).string(), mat);
#else
    (void)mat;
#endif
  }

  OutputOptions o_;
  trackkit::TrackPainter painter_{30};
  std::vector<trackkit::mot::Row> rows_;
  std::FILE* csv_ = nullptr;
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
