#pragma once
// The FFmpeg side of VideoDecoder (ffmpeg_decoder.cpp, built where FFmpeg is): opening and probing the source,
// choosing CPU or GPU decoding, and decoding frame by frame into the caller's memory. No FFmpeg types here, so that
// video_decoder.cpp compiles with or without FFmpeg.
#include <c10/core/Device.h>

#include <cstdint>
#include <memory>
#include <string>

#include "trackkit/video.hpp"

namespace trackkit::detail::video {

class FfmpegDecoder {
 public:
  /// Opens `source` with the checked `options`; throws Error naming the source or the option.
  FfmpegDecoder(const std::string& source, const VideoDecoderOptions& options);
  ~FfmpegDecoder();
  FfmpegDecoder(const FfmpegDecoder&) = delete;
  FfmpegDecoder& operator=(const FfmpegDecoder&) = delete;

  const VideoStreamInfo& info() const;
  const std::string& mode() const; // "gpu" or "cpu"
  c10::Device device() const;
  void* cuda_stream() const; // cudaStream_t of GPU decoding, else nullptr

  /// The next frame, converted into dst (height x width x 3 bytes on device(), on cuda_stream() for the GPU), and
  /// its presentation time in seconds: true; false at the end, or when the source is damaged (failure() says how).
  bool decode_into(uint8_t* dst, double& timestamp);
  /// Why decoding stopped early, "" when it did not: a complete message naming the source and the frame.
  const std::string& failure() const;
  void interrupt() noexcept;

  static bool gpu_available() noexcept;

 private:
  struct State;
  std::unique_ptr<State> s_;
};

} // namespace trackkit::detail::video
