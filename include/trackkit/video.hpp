#pragma once
// Video decoding with FFmpeg: VideoDecoder demuxes anything libavformat opens (files, rtsp://, http(s)://, pipe:)
// and decodes its best video stream in order into uint8 [b,H,W,3] BGR or RGB batches, on the CPU (libavcodec,
// threaded) or on the GPU (libavcodec's CUDA hwaccel, i.e. NVDEC, and our YUV -> BGR kernel). yuv_to_bgr is that
// colour conversion on its own. docs/video.md.
#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "trackkit/export.hpp"

namespace trackkit {

/// The YUV -> RGB matrix (ITU-R recommendation) of a video.
enum class ColorMatrix { BT601, BT709, BT2020 };

TRACKKIT_API const char* color_matrix_name(ColorMatrix matrix) noexcept; // "bt601", "bt709", "bt2020"
/// The matrix of a video that does not say: BT.601 below 720 rows, else BT.709 (docs/video.md says why).
TRACKKIT_API ColorMatrix default_color_matrix(int64_t height) noexcept;

/// How YUV samples are to be read.
struct YuvFormat {
  ColorMatrix matrix = ColorMatrix::BT601;
  bool full_range = false;  ///< full (JPEG) range; false: limited (MPEG) range, luma 16..235 at 8 bits
  int bits = 8;             ///< significant bits of a sample: 8 for uint8 planes, 9..16 for uint16 planes
  bool msb_aligned = false; ///< uint16 samples hold their bits at the top (P010, P016), else at the bottom
};

/// YUV planes -> uint8 [H,W,3] BGR (RGB with rgb = true). y: [H,W]; u, v: [ceil(H/2),ceil(W/2)] (4:2:0),
/// [H,ceil(W/2)] (4:2:2) or [H,W] (4:4:4), chroma nearest (a chroma sample serves its whole block). uint8 planes
/// for bits 8, uint16 (at::kUInt16) for more; any strides (the chroma of an NV12 frame [H*3/2,W] is
/// `nv12.narrow(0,H,H/2).view({H/2,W/2,2}).select(2,0)` and `.select(2,1)`). CPU or CUDA, all on one device; CUDA
/// runs on the current stream. Throws Error naming the argument.
TRACKKIT_API at::Tensor yuv_to_bgr(const at::Tensor& y, const at::Tensor& u, const at::Tensor& v,
                                   const YuvFormat& format = {}, bool rgb = false);

struct VideoDecoderOptions {
  /// "auto": the GPU when CUDA is available, this build's FFmpeg has the CUDA hwaccel, the device opens and the
  /// codec has a CUDA decoder; else the CPU. "gpu": the GPU or an Error. "cpu": libavcodec on the CPU.
  std::string decode = "auto";
  bool rgb = false;    ///< RGB instead of BGR
  int cuda_device = 0; ///< the GPU decoding with "gpu" / "auto"
  int threads = 0;     ///< CPU decoding threads (frame and slice threading); 0: FFmpeg's choice, by cores
  /// Seconds a network read may wait before it fails (FFmpeg's rw_timeout); 0: no limit.
  double timeout_seconds = 30;
};

/// What VideoDecoder opened.
struct VideoStreamInfo {
  int64_t width = 0, height = 0;
  int64_t frames = -1;      ///< the container's frame count (stream nb_frames), -1 when it does not say
  double fps = 0;           ///< average frame rate, 0 when unknown
  std::string codec;        ///< FFmpeg's codec name: "h264", "hevc", ...
  std::string pixel_format; ///< the decoded frames' pixel format: "yuv420p", "yuv420p10le", ...
  std::string container;    ///< FFmpeg's demuxer name: "mov,mp4,m4a,3gp,3g2,mj2", "mpegts", ...
};

/// Decodes one video stream in order (never seeks). Not thread-safe: one thread at a time (several decoders may run
/// at once, each on its own thread, e.g. one a file or camera).
class TRACKKIT_API VideoDecoder {
 public:
  /// source: a path or anything FFmpeg opens (rtsp://, http(s)://, pipe:N, ...). Throws Error naming `source`
  /// (NotFound, InvalidArgument when it is not a video, Unsupported without FFmpeg or for "gpu" without NVDEC) or
  /// the option at fault.
  explicit VideoDecoder(const std::string& source, const VideoDecoderOptions& options = {});
  ~VideoDecoder();
  VideoDecoder(VideoDecoder&&) noexcept;
  VideoDecoder& operator=(VideoDecoder&&) noexcept;

  /// The next up to max_frames frames, uint8 [b,H,W,3] on device(); b = 0 at the end. A CUDA batch is allocated on
  /// the current stream and complete when read() returns (usable on any stream). A damaged or truncated source
  /// gives the frames before the damage, then the next read() throws Error naming the source and the frame index.
  at::Tensor read(int64_t max_frames);
  /// As read() into the caller's uint8 [n,H,W,3] contiguous tensor on device(); returns the frames written (< n
  /// only at the end). On CUDA the writes are ordered after the current stream's earlier work and complete on
  /// return.
  int64_t read_into(at::Tensor& frames);
  /// Presentation time in seconds (pts x time base, as ffprobe's pts_time) of each frame of the last read().
  const std::vector<double>& last_timestamps() const;

  const VideoStreamInfo& info() const;
  const std::string& source() const;
  /// "gpu" (NVDEC) or "cpu" (libavcodec): the mode "auto" chose.
  const std::string& decode_mode() const;
  c10::Device device() const;
  /// The cudaStream_t decoding and conversion run on (decode mode "gpu"), else nullptr.
  void* cuda_stream() const;
  int64_t frames_read() const;
  /// Makes a blocked read (a stalled network stream) fail soon; callable from any thread.
  void interrupt() noexcept;

  /// Whether this build has FFmpeg (else the constructor throws Unsupported).
  static bool available() noexcept;
  /// Whether this build's FFmpeg has the CUDA hwaccel and a GPU is visible (decode mode "gpu" may work).
  static bool gpu_available() noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

} // namespace trackkit
