// FfmpegDecoder: libavformat demuxes, libavcodec decodes (threads on the CPU, the CUDA hwaccel on the GPU), and
// each frame is converted into the caller's memory as soon as it comes out (yuv_to_bgr, or libswscale for the
// pixel formats our kernels do not read), then released: NVDEC's surface pool is small.
//
// Damage: a packet the demuxer could only partly read (AV_PKT_FLAG_CORRUPT), a read or decode error, or a frame
// the decoder flags (AV_FRAME_FLAG_CORRUPT, decode_error_flags: concealed errors, missing references) ends the
// stream. After a demuxer or decoder error the frames already inside the decoder are still returned (they precede
// the damage); a flagged frame is not. failure() then names the source and the index of the first frame lost.
#include "ffmpeg_decoder.hpp"

#include <ATen/ATen.h>

#include <atomic>
#include <cmath>
#include <filesystem>
#include <limits>
#include <mutex>
#include <string>
#include <system_error>

#include "core/log.hpp"
#include "ffmpeg_frames.hpp"
#include "ffmpeg_util.hpp"
#include "trackkit/device.hpp"
#include "trackkit/error.hpp"

#ifdef TRACKKIT_WITH_CUDA
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#include <cuda_runtime_api.h>

#include "cuda_decode.hpp"
#endif

extern "C" {
#include <libavutil/hwcontext.h>
}

namespace trackkit::detail::video {

namespace {

[[noreturn]] void fail_source(const std::string& source, const std::string& problem, ErrorCode code) {
  throw Error(code, "VideoDecoder: source \"" + source + "\" " + problem);
}

bool is_url(const std::string& source) {
  return source.find("://") != std::string::npos || source.rfind("pipe:", 0) == 0;
}

/// "gpu" is refused with this reason, "" when the build and machine could decode on the GPU.
std::string gpu_refusal() {
#ifdef TRACKKIT_WITH_CUDA
  if (av_hwdevice_find_type_by_name("cuda") == AV_HWDEVICE_TYPE_NONE) return "this FFmpeg has no CUDA hwaccel";
  if (!cuda_available()) return "no CUDA device is available";
  return "";
#else
  return "trackkit was built without CUDA";
#endif
}

} // namespace

struct FfmpegDecoder::State {
  std::string source;
  VideoDecoderOptions options;
  VideoStreamInfo info;
  std::string mode = "cpu";
  c10::Device device{c10::kCPU};
#ifdef TRACKKIT_WITH_CUDA
  std::unique_ptr<CudaDecodeDevice> cuda; // declared first: destroyed after the codec, whose frame pool it holds
#endif
  FormatPtr format;
  CodecPtr codec;
  PacketPtr packet{av_packet_alloc()};
  FramePtr frame{av_frame_alloc()};
  int stream_index = -1;
  AVRational time_base{0, 1};
  int64_t decoded = 0;   // frames handed out
  bool flushing = false; // the demuxer is done (or failed): the decoder is being drained
  bool ended = false;    // no frame will come any more
  std::string damage;    // why the demuxing or decoding stopped early (raised once the decoder is drained)
  std::string failure;   // the complete message, once raised
  std::atomic<bool> interrupted{false};
  SwsConverter sws;
  at::Tensor staging; // GPU mode, a frame FFmpeg decoded on the CPU anyway: converted here, then copied up

  static int interrupt_callback(void* self) { return static_cast<State*>(self)->interrupted.load() ? 1 : 0; }

  ~State() {
#ifdef TRACKKIT_WITH_CUDA
    if (cuda) (void)cudaStreamSynchronize(static_cast<cudaStream_t>(cuda->stream())); // kernels may read surfaces
#endif
  }

  void open() {
    static std::once_flag network;
    std::call_once(network, [] { avformat_network_init(); });
    std::error_code unreadable;
    if (!is_url(source) && !std::filesystem::exists(source, unreadable))
      fail_source(source, "does not exist", ErrorCode::NotFound);
    AVFormatContext* raw = avformat_alloc_context();
    if (raw == nullptr) throw Error(ErrorCode::OutOfMemory, "VideoDecoder: avformat_alloc_context failed");
    raw->interrupt_callback = {&State::interrupt_callback, this};
    AVDictionary* open_options = nullptr;
    if (options.timeout_seconds > 0) {
      const auto micros = static_cast<int64_t>(std::llround(options.timeout_seconds * 1e6));
      av_dict_set(&open_options, "rw_timeout", std::to_string(micros).c_str(), 0);
    }
    int status = avformat_open_input(&raw, source.c_str(), nullptr, &open_options); // frees raw on failure
    av_dict_free(&open_options);
    if (status < 0) fail_source(source, "cannot be opened: " + av_error_text(status), ErrorCode::InvalidArgument);
    format.reset(raw);
    status = avformat_find_stream_info(raw, nullptr);
    if (status < 0) fail_source(source, "cannot be probed: " + av_error_text(status), ErrorCode::InvalidArgument);
    const AVCodec* decoder = nullptr;
    stream_index = av_find_best_stream(raw, AVMEDIA_TYPE_VIDEO, -1, -1, &decoder, 0);
    if (stream_index == AVERROR_DECODER_NOT_FOUND)
      fail_source(source, "has a video stream that this FFmpeg cannot decode", ErrorCode::Unsupported);
    if (stream_index < 0) fail_source(source, "holds no video stream", ErrorCode::InvalidArgument);
    for (unsigned i = 0; i < raw->nb_streams; ++i)
      if (static_cast<int>(i) != stream_index) raw->streams[i]->discard = AVDISCARD_ALL; // skip their packets
    const AVStream* stream = raw->streams[stream_index];
    time_base = stream->time_base;
    const AVCodecParameters& par = *stream->codecpar;
    info.width = par.width, info.height = par.height;
    info.frames = stream->nb_frames > 0 ? stream->nb_frames : -1;
    const AVRational rate = stream->avg_frame_rate.num > 0 ? stream->avg_frame_rate : stream->r_frame_rate;
    info.fps = rate.num > 0 && rate.den > 0 ? av_q2d(rate) : 0;
    info.codec = avcodec_get_name(par.codec_id);
    const char* pixel_format = av_get_pix_fmt_name(static_cast<AVPixelFormat>(par.format));
    info.pixel_format = pixel_format != nullptr ? pixel_format : "";
    info.container = raw->iformat->name;
    if (info.width <= 0 || info.height <= 0) fail_source(source, "has frames of no size", ErrorCode::InvalidArgument);
    choose_device(decoder);
    open_codec(decoder, par);
  }

  void choose_device(const AVCodec* decoder) {
    if (options.decode == "cpu") return;
    const bool required = options.decode == "gpu";
    std::string refusal = gpu_refusal();
#ifdef TRACKKIT_WITH_CUDA
    if (refusal.empty() && options.cuda_device >= cuda_device_count()) {
      fail_argument("VideoDecoder", "options.cuda_device",
                    "is " + std::to_string(options.cuda_device) + ", but " + std::to_string(cuda_device_count()) +
                        " CUDA device(s) are visible",
                    ErrorCode::Device);
    }
    if (refusal.empty() && !codec_has_cuda(decoder)) refusal = "this FFmpeg has no CUDA decoder for " + info.codec;
    if (refusal.empty()) {
      try {
        cuda = std::make_unique<CudaDecodeDevice>(options.cuda_device, source);
        mode = "gpu", device = c10::Device(c10::kCUDA, static_cast<c10::DeviceIndex>(options.cuda_device));
        return;
      } catch (const Error& e) {
        if (required) throw;
        refusal = e.what();
      }
    }
#else
    (void)decoder;
#endif
    if (required) fail_argument("VideoDecoder", "options.decode", "is \"gpu\", but " + refusal, ErrorCode::Unsupported);
    log_debug("VideoDecoder: \"{}\" decodes on the CPU: {}", source, refusal);
  }

  /// libavcodec offers the CUDA format first when its hwaccel can take the stream; otherwise (a profile or size
  /// NVDEC lacks, or its initialisation failed) it asks again without it and the frames come on the CPU.
  static AVPixelFormat pick_format(AVCodecContext* context, const AVPixelFormat* formats) {
    for (const AVPixelFormat* f = formats; *f != AV_PIX_FMT_NONE; ++f)
      if (*f == AV_PIX_FMT_CUDA) return *f;
    return avcodec_default_get_format(context, formats);
  }

  void open_codec(const AVCodec* decoder, const AVCodecParameters& par) {
    codec.reset(avcodec_alloc_context3(decoder));
    if (!codec || !packet || !frame) throw Error(ErrorCode::OutOfMemory, "VideoDecoder: FFmpeg allocation failed");
    int status = avcodec_parameters_to_context(codec.get(), &par);
    if (status < 0) fail_source(source, "has unusable codec parameters: " + av_error_text(status), ErrorCode::Internal);
    codec->pkt_timebase = time_base;
#ifdef TRACKKIT_WITH_CUDA
    if (cuda) {
      codec->hw_device_ctx = av_buffer_ref(cuda->device());
      codec->get_format = &State::pick_format;
    }
#endif
    if (device.is_cpu()) {
      codec->thread_count = options.threads; // 0: libavcodec picks by cores
      codec->thread_type = FF_THREAD_FRAME | FF_THREAD_SLICE;
    }
    status = avcodec_open2(codec.get(), decoder, nullptr);
    if (status < 0) fail_source(source, "cannot open its decoder: " + av_error_text(status), ErrorCode::Unsupported);
  }

  void start_flush(std::string why) {
    if (damage.empty()) damage = std::move(why);
    flushing = true;
    (void)avcodec_send_packet(codec.get(), nullptr);
  }

  /// Demuxes one packet into the decoder (or starts draining it at the end or at damage).
  void feed() {
    int status = av_read_frame(format.get(), packet.get());
    if (status < 0) {
      if (interrupted.load()) return start_flush("was interrupted");
      return start_flush(status == AVERROR_EOF ? "" : "cannot be read further: " + av_error_text(status));
    }
    if (packet->stream_index != stream_index) return av_packet_unref(packet.get());
    const bool partial = (packet->flags & AV_PKT_FLAG_CORRUPT) != 0;
    status = partial ? 0 : avcodec_send_packet(codec.get(), packet.get());
    av_packet_unref(packet.get());
    if (partial) return start_flush("is truncated or damaged: a packet was only partly read");
    if (status < 0) start_flush("cannot be decoded: " + av_error_text(status));
  }

  std::string frame_damage() const {
    const AVFrame& f = *frame;
    if (f.width != info.width || f.height != info.height) {
      return "changes size to " + std::to_string(f.width) + "x" + std::to_string(f.height) + " (from " +
             std::to_string(info.width) + "x" + std::to_string(info.height) + ")";
    }
    if ((f.flags & AV_FRAME_FLAG_CORRUPT) != 0 || f.decode_error_flags != 0) {
      std::string why = "is damaged: the decoder";
      if (f.decode_error_flags & FF_DECODE_ERROR_INVALID_BITSTREAM) why += " found an invalid bitstream,";
      if (f.decode_error_flags & FF_DECODE_ERROR_MISSING_REFERENCE) why += " lacks a reference frame,";
      if (f.decode_error_flags & FF_DECODE_ERROR_CONCEALMENT_ACTIVE) why += " concealed errors,";
      if (f.decode_error_flags & FF_DECODE_ERROR_DECODE_SLICES) why += " lost slices,";
      return why.back() == ',' ? why.substr(0, why.size() - 1) : why + " flagged the frame corrupt";
    }
    return "";
  }

  /// The next frame in `frame`; false at the end or at damage (then `failure` is set where there was damage).
  bool next_frame() {
    while (!ended) {
      const int status = avcodec_receive_frame(codec.get(), frame.get());
      std::string why;
      if (status == 0) {
        why = frame_damage();
        if (why.empty()) return true;
        av_frame_unref(frame.get());
      } else if (status == AVERROR(EAGAIN) && !flushing) {
        feed();
        continue;
      } else if (status != AVERROR_EOF) {
        why = "cannot be decoded: " + av_error_text(status);
      }
      ended = true;
      if (why.empty()) why = damage;
      if (!why.empty()) {
        const std::string before =
            decoded == 0 ? "no frame was decoded" : "frames 0 to " + std::to_string(decoded - 1) + " were decoded";
        failure = "VideoDecoder: source \"" + source + "\" " + why + ", at frame " + std::to_string(decoded) + " (" +
                  before + ")";
      }
    }
    return false;
  }

  void convert(uint8_t* dst) {
    const AVFrame& f = *frame;
    const int64_t row_bytes = info.width * 3;
    YuvPlanes planes{};
    YuvFormat yuv;
    if (f.format == AV_PIX_FMT_CUDA) {
#ifdef TRACKKIT_WITH_CUDA
      const auto* frames = reinterpret_cast<const AVHWFramesContext*>(f.hw_frames_ctx->data);
      if (!frame_planes(f, frames->sw_format, planes, yuv)) {
        const char* name = av_get_pix_fmt_name(frames->sw_format);
        fail_source(source,
                    std::string("gives GPU frames of format ") + (name != nullptr ? name : "?") +
                        ", which trackkit cannot convert",
                    ErrorCode::Unsupported);
      }
      const c10::cuda::CUDAGuard guard(device);
      convert_planes(planes, yuv, options.rgb, dst, row_bytes, true, cuda->stream());
      return;
#endif
    }
    uint8_t* cpu_dst = dst;
    if (device.is_cuda()) { // NVDEC declined this stream: convert on the CPU, then copy up on the decoder's stream
      if (!staging.defined()) staging = at::empty({info.height, info.width, 3}, at::kByte);
      cpu_dst = staging.data_ptr<uint8_t>();
    }
    if (frame_planes(f, static_cast<AVPixelFormat>(f.format), planes, yuv)) {
      convert_planes(planes, yuv, options.rgb, cpu_dst, row_bytes, false, nullptr);
    } else {
      sws.convert(f, options.rgb, cpu_dst, row_bytes);
    }
#ifdef TRACKKIT_WITH_CUDA
    if (device.is_cuda()) {
      const c10::cuda::CUDAStreamGuard on_decoder(
          c10::cuda::getStreamFromExternal(static_cast<cudaStream_t>(cuda->stream()), device.index()));
      at::from_blob(dst, staging.sizes(), at::TensorOptions().dtype(at::kByte).device(device)).copy_(staging);
    }
#endif
  }
};

FfmpegDecoder::FfmpegDecoder(const std::string& source, const VideoDecoderOptions& options)
    : s_(std::make_unique<State>()) {
  s_->source = source, s_->options = options;
  s_->open();
}

FfmpegDecoder::~FfmpegDecoder() = default;

const VideoStreamInfo& FfmpegDecoder::info() const { return s_->info; }
const std::string& FfmpegDecoder::mode() const { return s_->mode; }
c10::Device FfmpegDecoder::device() const { return s_->device; }
void* FfmpegDecoder::cuda_stream() const {
#ifdef TRACKKIT_WITH_CUDA
  if (s_->cuda) return s_->cuda->stream();
#endif
  return nullptr;
}
const std::string& FfmpegDecoder::failure() const { return s_->failure; }
void FfmpegDecoder::interrupt() noexcept { s_->interrupted.store(true); }

bool FfmpegDecoder::decode_into(uint8_t* dst, double& timestamp) {
  if (!s_->next_frame()) return false;
  const AVFrame& f = *s_->frame;
  const int64_t pts = f.pts != AV_NOPTS_VALUE ? f.pts : f.best_effort_timestamp;
  timestamp = pts == AV_NOPTS_VALUE ? std::numeric_limits<double>::quiet_NaN()
                                    : static_cast<double>(pts) * av_q2d(s_->time_base);
  try {
    s_->convert(dst);
  } catch (...) {
    av_frame_unref(s_->frame.get());
    throw;
  }
  av_frame_unref(s_->frame.get()); // a CUDA surface returns to FFmpeg's pool; its next use queues after our kernel
  ++s_->decoded;
  return true;
}

bool FfmpegDecoder::gpu_available() noexcept {
  try {
    return gpu_refusal().empty();
  } catch (...) {
    return false;
  }
}

} // namespace trackkit::detail::video
