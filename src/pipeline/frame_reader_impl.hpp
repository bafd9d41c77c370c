#pragma once
// FrameReader's state, shared by frame_reader.cpp (the ring, reading, FFmpeg's VideoDecoder, .npy arrays) and
// frame_reader_opencv.cpp (OpenCV's image and video decoders).
#include <ATen/core/Tensor.h>
#include <opencv2/core.hpp>
#if TRACKKIT_HAVE_VIDEOIO
#include <opencv2/videoio.hpp>
#endif

#include <algorithm>
#include <cctype>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "npy_frames.hpp"
#include "trackkit/error.hpp"
#include "trackkit/video.hpp"
#include "trackkit/video_io.hpp"

namespace trackkit {

namespace detail {
[[noreturn]] inline void fail_path(const std::string& path, const std::string& problem, ErrorCode code) {
  throw Error(code, "FrameReader: path \"" + path + "\" " + problem);
}
inline std::string lower_extension(const std::filesystem::path& p) {
  std::string e = p.extension().string();
  std::transform(e.begin(), e.end(), e.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return e;
}
} // namespace detail

struct FrameReader::Impl {
  std::string path;
  FrameReaderOptions options;
  FrameSourceInfo info;
  std::unique_ptr<detail::NpyFrames> npy;
  std::vector<std::string> files;
#if TRACKKIT_HAVE_VIDEOIO
  cv::VideoCapture video;
#endif
  std::unique_ptr<VideoDecoder> decoder; // videos, where this build has FFmpeg
  // The ring: frame i lives in slot i % slots once slot_frame says so, in ring[slot] (OpenCV) or frame_ring[slot]
  // (VideoDecoder: [slots,H,W,3] on the decoder's device, written on its stream).
  int64_t slots = 0;
  std::vector<cv::Mat> ring;
  at::Tensor frame_ring;
  std::vector<int64_t> slot_frame;
  std::vector<std::string> slot_error; // a complete message
  std::vector<ErrorCode> slot_code;
  std::vector<double> slot_time, last_times;
  std::mutex mutex;
  std::condition_variable changed;
  int64_t consumed = 0; // frames handed out
  int64_t end = -1;     // frames in the source, once known
  bool stopping = false;
  double busy_seconds = 0;
  std::vector<std::thread> workers;
  // Batch buffers handed out by read(), reused once nothing else refers to them: pinned allocations are slow
  // (hundreds of ms for a batch of 1080p frames), so steady-state reading allocates nothing.
  std::vector<at::Tensor> pool;

  int64_t limit() const { return options.max_frames >= 0 ? options.max_frames : INT64_MAX; }
  bool wait_for_slot(int64_t i); // a worker may decode frame i once it fits in the ring
  /// Frame i is in its slot, or failed with `problem` (what follows "FrameReader: path "<path>" ").
  void publish(int64_t i, std::string problem, double seconds, double time,
               ErrorCode code = ErrorCode::InvalidArgument);
  void finish_at(int64_t i);

  void open();
  void open_video();
  void start();
  void decode_with_ffmpeg();
  at::Tensor empty_batch(int64_t n);
  at::Tensor read_npy(int64_t max_frames);
  at::Tensor read_ring(int64_t max_frames);
  ~Impl();

  // OpenCV (frame_reader_opencv.cpp)
  void open_images(const std::filesystem::path& folder);
  void open_opencv_video();
  void start_opencv(); // the decoding threads
  void decode_images(int64_t first, int64_t step);
  void decode_video();
  void copy_mats(at::Tensor& out, int64_t n); // out[0..n) = the ring's frames from `consumed` on
};

} // namespace trackkit
