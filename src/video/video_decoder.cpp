// VideoDecoder: option checks, batches and the stream hand-off around the FFmpeg decoder (ffmpeg_decoder.cpp); a
// build without FFmpeg has the class and says Unsupported.
#include <ATen/ATen.h>

#include <string>
#include <vector>

#include "trackkit/check.hpp"
#include "trackkit/error.hpp"
#include "trackkit/video.hpp"
#include "video/frame_copy.hpp"

#if TRACKKIT_HAVE_FFMPEG
#include "ffmpeg_decoder.hpp"
#endif

namespace trackkit {

namespace {

void check_options(const VideoDecoderOptions& o) {
  constexpr const char* fn = "VideoDecoder";
  if (o.decode != "auto" && o.decode != "gpu" && o.decode != "cpu")
    fail_argument(fn, "options.decode", "must be \"auto\", \"gpu\" or \"cpu\", got \"" + o.decode + "\"");
  if (o.cuda_device < 0) fail_argument(fn, "options.cuda_device", "must be >= 0, got " + std::to_string(o.cuda_device));
  if (o.threads < 0) fail_argument(fn, "options.threads", "must be >= 0, got " + std::to_string(o.threads));
  if (!(o.timeout_seconds >= 0))
    fail_argument(fn, "options.timeout_seconds", "must be >= 0, got " + std::to_string(o.timeout_seconds));
}

} // namespace

struct VideoDecoder::Impl {
  std::string source;
#if TRACKKIT_HAVE_FFMPEG
  std::unique_ptr<detail::video::FfmpegDecoder> decoder;
#endif
  std::vector<double> timestamps;
  int64_t frames_read = 0;
};

VideoDecoder::VideoDecoder(const std::string& source, const VideoDecoderOptions& options)
    : impl_(std::make_unique<Impl>()) {
  check_options(options);
  impl_->source = source;
#if TRACKKIT_HAVE_FFMPEG
  impl_->decoder = std::make_unique<detail::video::FfmpegDecoder>(source, options);
#else
  throw Error(ErrorCode::Unsupported, "VideoDecoder: source \"" + source +
                                          "\" cannot be decoded: trackkit was built without FFmpeg (libavformat, "
                                          "libavcodec, libavutil, libswscale through pkg-config)");
#endif
}

VideoDecoder::~VideoDecoder() = default;
VideoDecoder::VideoDecoder(VideoDecoder&&) noexcept = default;
VideoDecoder& VideoDecoder::operator=(VideoDecoder&&) noexcept = default;

#if TRACKKIT_HAVE_FFMPEG

at::Tensor VideoDecoder::read(int64_t max_frames) {
  if (max_frames < 1)
    fail_argument("VideoDecoder::read", "max_frames", "must be at least 1, got " + std::to_string(max_frames));
  const VideoStreamInfo& i = info();
  at::Tensor out = at::empty({max_frames, i.height, i.width, 3}, at::TensorOptions().dtype(at::kByte).device(device()));
  const int64_t n = read_into(out);
  return out.narrow(0, 0, n);
}

int64_t VideoDecoder::read_into(at::Tensor& frames) {
  const VideoStreamInfo& i = info();
  TensorCheck check("VideoDecoder::read_into", "frames", frames);
  check.dtype(at::kByte).shape({"n", i.height, i.width, 3}).contiguous();
  if (frames.device() != device())
    check.fail("must be on " + device().str() + ", got " + frames.device().str(), ErrorCode::Device);
  detail::video::FfmpegDecoder& d = *impl_->decoder;
  impl_->timestamps.clear();
  if (!d.failure().empty()) throw Error(ErrorCode::InvalidArgument, d.failure());
  // On the GPU the frames are written on the decoder's stream: after the caller's stream's work so far (it may have
  // allocated or still use this memory), and complete before returning, unless the caller's stream is that stream.
  void* stream = d.cuda_stream();
  const int index = device().is_cuda() ? device().index() : -1;
  const bool hand_off = stream != nullptr && !detail::video::is_current_stream(stream, index);
  if (hand_off) detail::video::stream_waits_for_current(stream, index);
  uint8_t* base = frames.data_ptr<uint8_t>();
  const int64_t frame_bytes = i.height * i.width * 3, n = frames.size(0);
  int64_t k = 0;
  for (double timestamp = 0; k < n && d.decode_into(base + k * frame_bytes, timestamp); ++k)
    impl_->timestamps.push_back(timestamp);
  if (hand_off) detail::video::wait_for_stream(stream);
  impl_->frames_read += k;
  if (k == 0 && !d.failure().empty()) throw Error(ErrorCode::InvalidArgument, d.failure());
  return k;
}

const VideoStreamInfo& VideoDecoder::info() const { return impl_->decoder->info(); }
const std::string& VideoDecoder::decode_mode() const { return impl_->decoder->mode(); }
c10::Device VideoDecoder::device() const { return impl_->decoder->device(); }
void* VideoDecoder::cuda_stream() const { return impl_->decoder->cuda_stream(); }
void VideoDecoder::interrupt() noexcept { impl_->decoder->interrupt(); }
bool VideoDecoder::available() noexcept { return true; }
bool VideoDecoder::gpu_available() noexcept { return detail::video::FfmpegDecoder::gpu_available(); }

#else // without FFmpeg no VideoDecoder is ever constructed: these are never reached on an object

at::Tensor VideoDecoder::read(int64_t) { throw Error(ErrorCode::Unsupported, "VideoDecoder: built without FFmpeg"); }
int64_t VideoDecoder::read_into(at::Tensor&) {
  throw Error(ErrorCode::Unsupported, "VideoDecoder: built without FFmpeg");
}
const VideoStreamInfo& VideoDecoder::info() const {
  throw Error(ErrorCode::Unsupported, "VideoDecoder: built without FFmpeg");
}
const std::string& VideoDecoder::decode_mode() const {
  throw Error(ErrorCode::Unsupported, "VideoDecoder: built without FFmpeg");
}
c10::Device VideoDecoder::device() const { return c10::Device(c10::kCPU); }
void* VideoDecoder::cuda_stream() const { return nullptr; }
void VideoDecoder::interrupt() noexcept {}
bool VideoDecoder::available() noexcept { return false; }
bool VideoDecoder::gpu_available() noexcept { return false; }

#endif

const std::vector<double>& VideoDecoder::last_timestamps() const { return impl_->timestamps; }
const std::string& VideoDecoder::source() const { return impl_->source; }
int64_t VideoDecoder::frames_read() const { return impl_->frames_read; }

} // namespace trackkit
