// FrameReader: sequential frames decoded ahead on background threads into a ring of reusable buffers: cv::Mat
// slots for OpenCV's decoders (frame_reader_opencv.cpp), one tensor of frame slots (CPU or CUDA) for FFmpeg's
// VideoDecoder; .npy arrays are copied straight from their memory map.
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cstring>

#include "core/stopwatch.hpp"
#include "frame_reader_impl.hpp"
#include "trackkit/cuda_stream.hpp"
#include "trackkit/device.hpp"
#include "trackkit/mot.hpp"
#include "video/frame_copy.hpp"

namespace fs = std::filesystem;

namespace trackkit {

namespace {

using detail::Clock;
using detail::fail_path;
using detail::lower_extension;
using detail::seconds_since;

/// Network streams and pipes are FFmpeg's to open, never looked up on disk.
bool is_url(const std::string& path) { return path.find("://") != std::string::npos || path.rfind("pipe:", 0) == 0; }

/// A VideoDecoder message without its "VideoDecoder: source "<path>" " opening, which FrameReader words itself.
std::string decoder_problem(const std::string& message, const std::string& path) {
  const std::string opening = "VideoDecoder: source \"" + path + "\" ";
  return message.rfind(opening, 0) == 0 ? message.substr(opening.size()) : message;
}

} // namespace

bool FrameReader::Impl::wait_for_slot(int64_t i) {
  std::unique_lock<std::mutex> lock(mutex);
  changed.wait(lock, [&] { return stopping || i < consumed + slots; });
  return !stopping;
}

void FrameReader::Impl::publish(int64_t i, std::string problem, double seconds, double time, ErrorCode code) {
  const std::lock_guard<std::mutex> lock(mutex);
  const size_t slot = static_cast<size_t>(i % slots);
  if (problem.empty() && !frame_ring.defined() && (ring[slot].cols != info.width || ring[slot].rows != info.height))
    problem = "frame " + std::to_string(i) + " is " + std::to_string(ring[slot].cols) + "x" +
              std::to_string(ring[slot].rows) + ", not " + std::to_string(info.width) + "x" +
              std::to_string(info.height) + " as the first frame";
  slot_frame[slot] = i, slot_time[slot] = time, slot_code[slot] = code, busy_seconds += seconds;
  slot_error[slot] = problem.empty() ? "" : "FrameReader: path \"" + path + "\" " + problem;
  changed.notify_all();
}

void FrameReader::Impl::finish_at(int64_t i) {
  const std::lock_guard<std::mutex> lock(mutex);
  if (end < 0 || i < end) end = i;
  changed.notify_all();
}

void FrameReader::Impl::decode_with_ffmpeg() { // into the ring's slots, on the decoder's CUDA stream if it has one
  const CudaStreamScope on_decoder(decoder->cuda_stream());
  for (int64_t i = 0; i < limit(); ++i) {
    if (!wait_for_slot(i)) return;
    const auto start = Clock::now();
    at::Tensor slot = frame_ring.narrow(0, i % slots, 1);
    try {
      if (decoder->read_into(slot) == 0) return finish_at(i);
    } catch (const Error& e) { // the message names the frame; the reader raises it when it gets there
      return publish(i, decoder_problem(e.what(), path), 0, 0, e.code());
    }
    publish(i, {}, seconds_since(start), decoder->last_timestamps()[0]);
  }
  finish_at(limit());
}

void FrameReader::Impl::open_video() {
  if (!VideoDecoder::available()) {
    if (options.decode == "gpu")
      fail_argument("FrameReader", "options.decode", "is \"gpu\", but trackkit was built without FFmpeg",
                    ErrorCode::Unsupported);
    return open_opencv_video();
  }
  VideoDecoderOptions o;
  o.decode = options.decode, o.rgb = options.rgb, o.cuda_device = options.cuda_device, o.threads = options.threads;
  try {
    decoder = std::make_unique<VideoDecoder>(path, o);
  } catch (const Error& e) { // about the source: worded as FrameReader's; about an option: FrameReader's option
    const std::string problem = decoder_problem(e.what(), path), own = "VideoDecoder: ";
    if (problem.rfind(own, 0) == 0) throw Error(e.code(), "FrameReader: " + problem.substr(own.size()));
    fail_path(path, problem, e.code());
  }
  const VideoStreamInfo& v = decoder->info();
  info.width = v.width, info.height = v.height, info.codec = v.codec, info.decoder = decoder->decode_mode();
  if (v.fps > 0) info.fps = v.fps;
  info.frames = v.frames > 0 ? std::min(v.frames, limit()) : -1;
}

void FrameReader::Impl::open() {
  const fs::path p(path);
  info.name = p.filename().stem().string();
  if (is_url(path)) {
    info.kind = "video";
    if (info.name.empty()) info.name = "stream";
    open_video();
  } else if (!fs::exists(p)) {
    fail_path(path, "does not exist", ErrorCode::NotFound);
  } else if (fs::is_directory(p) && fs::exists(p / "seqinfo.ini")) {
    const mot::SeqInfo seq = mot::read_seqinfo((p / "seqinfo.ini").string());
    info.kind = "mot", info.name = seq.name.empty() ? info.name : seq.name;
    if (seq.frame_rate > 0) info.fps = seq.frame_rate;
    open_images(p / (seq.im_dir.empty() ? "img1" : seq.im_dir));
  } else if (fs::is_directory(p)) {
    info.kind = "images";
    open_images(p);
  } else if (lower_extension(p) == ".npy") {
    info.kind = info.decoder = "npy";
    npy = std::make_unique<detail::NpyFrames>(path);
    info.width = npy->width(), info.height = npy->height();
    info.frames = end = std::min(npy->frames(), limit());
  } else {
    info.kind = "video";
    open_video();
  }
  if (info.width <= 0 || info.height <= 0) fail_path(path, "has frames of no size", ErrorCode::InvalidArgument);
}

void FrameReader::Impl::start() {
  if (npy) return; // read() copies straight from the memory map
  slots = std::max<int64_t>(2, options.prefetch);
  if (decoder) // at most 1 GiB of decoded frames (an 8K frame is 95 MB), on the decoder's device
    slots = std::min(slots, std::max<int64_t>(2, (int64_t{1} << 30) / (info.width * info.height * 3)));
  slot_frame.assign(slots, -1), slot_error.assign(slots, {}), slot_time.assign(slots, 0);
  slot_code.assign(slots, ErrorCode::InvalidArgument);
  if (!decoder) return start_opencv();
  const CudaStreamScope on_decoder(decoder->cuda_stream()); // the ring's memory belongs to the decoder's stream
  frame_ring = at::empty({slots, info.height, info.width, 3}, at::TensorOptions(at::kByte).device(decoder->device()));
  workers.emplace_back([this] { decode_with_ffmpeg(); });
}

at::Tensor FrameReader::Impl::empty_batch(int64_t n) {
  for (const at::Tensor& t : pool)
    if (t.size(0) >= n && t.storage().use_count() == 1) return t.narrow(0, 0, n);
  auto opts = at::TensorOptions().dtype(at::kByte).pinned_memory(options.pinned && cuda_available());
  at::Tensor t = at::empty({n, info.height, info.width, 3}, opts);
  if (pool.size() < 8) pool.push_back(t);
  return t.narrow(0, 0, n); // a view: its own reference to the storage, which the pool's use_count check sees
}

at::Tensor FrameReader::Impl::read_npy(int64_t max_frames) {
  const int64_t n = std::max<int64_t>(0, std::min(max_frames, end - consumed));
  at::Tensor out = empty_batch(n);
  const auto start = Clock::now();
  uint8_t* dst = out.data_ptr<uint8_t>();
  const size_t bytes = npy->frame_bytes();
  const int rows = static_cast<int>(info.height), cols = static_cast<int>(info.width);
  at::parallel_for(0, n, 1, [&](int64_t b, int64_t e) {
    for (int64_t k = b; k < e; ++k) {
      if (!options.rgb) {
        std::memcpy(dst + k * bytes, npy->frame(consumed + k), bytes);
        continue;
      }
      cv::Mat into(rows, cols, CV_8UC3, dst + k * bytes); // of the size and type: written in place
      cv::cvtColor(cv::Mat(rows, cols, CV_8UC3, const_cast<uint8_t*>(npy->frame(consumed + k))), into,
                   cv::COLOR_BGR2RGB);
    }
  });
  last_times.resize(static_cast<size_t>(n));
  for (int64_t k = 0; k < n; ++k) last_times[static_cast<size_t>(k)] = static_cast<double>(consumed + k) / info.fps;
  busy_seconds += seconds_since(start), consumed += n;
  return out;
}

at::Tensor FrameReader::Impl::read_ring(int64_t max_frames) { // waits for a chunk, copies it out, frees its slots
  const int64_t chunk = std::max<int64_t>(1, std::min<int64_t>(max_frames, slots / 2));
  int64_t n = 0;
  {
    std::unique_lock<std::mutex> lock(mutex);
    for (; n < chunk; ++n) {
      const int64_t i = consumed + n;
      const size_t slot = static_cast<size_t>(i % slots);
      changed.wait(lock, [&] { return slot_frame[slot] == i || (end >= 0 && i >= end); });
      if (end >= 0 && i >= end) break;
      // The frames before a failed one go out first; the error comes with the read that reaches it.
      if (!slot_error[slot].empty() && n == 0) throw Error(slot_code[slot], slot_error[slot]);
      if (!slot_error[slot].empty()) break;
    }
    last_times.resize(static_cast<size_t>(n));
    for (int64_t k = 0; k < n; ++k)
      last_times[static_cast<size_t>(k)] = slot_time[static_cast<size_t>((consumed + k) % slots)];
  }
  // CUDA frames go into a fresh tensor of the caller's current stream (the caching allocator makes that cheap).
  at::Tensor out =
      frame_ring.is_cuda() ? at::empty({n, info.height, info.width, 3}, frame_ring.options()) : empty_batch(n);
  if (frame_ring.defined()) {
    detail::video::copy_ring_frames(frame_ring, consumed, n, out, decoder->cuda_stream());
  } else {
    copy_mats(out, n);
  }
  const std::lock_guard<std::mutex> lock(mutex);
  consumed += n;
  changed.notify_all();
  return out;
}

FrameReader::Impl::~Impl() {
  {
    const std::lock_guard<std::mutex> lock(mutex);
    stopping = true;
  }
  if (decoder) decoder->interrupt(); // a worker blocked on a stalled stream returns
  changed.notify_all();
  for (auto& w : workers) w.join();
}

FrameReader::FrameReader(const std::string& path, const FrameReaderOptions& options) : impl_(std::make_unique<Impl>()) {
  if (options.prefetch < 1) fail_argument("FrameReader", "options.prefetch", "must be at least 1");
  if (options.decode != "auto" && options.decode != "gpu" && options.decode != "cpu")
    fail_argument("FrameReader", "options.decode",
                  "must be \"auto\", \"gpu\" or \"cpu\", got \"" + options.decode + "\"");
  if (options.cuda_device < 0)
    fail_argument("FrameReader", "options.cuda_device", "must be >= 0, got " + std::to_string(options.cuda_device));
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
const std::vector<double>& FrameReader::last_timestamps() const { return impl_->last_times; }
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
  constexpr bool videoio = true;
#else
  constexpr bool videoio = false;
#endif
  return kind == "npy" || ((kind == "images" || kind == "mot") && images) ||
         (kind == "video" && (videoio || VideoDecoder::available()));
}

} // namespace trackkit
