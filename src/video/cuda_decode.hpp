#pragma once
// The GPU side of VideoDecoder (cuda_decode.cpp, built with FFmpeg and CUDA): an FFmpeg CUDA device on the CUDA
// runtime's primary context (the one LibTorch uses) with a stream of its own, so that NVDEC's copies and our
// conversion kernels queue on one stream.
#include <string>

#include "ffmpeg_util.hpp"

namespace trackkit::detail::video {

/// Whether the codec has a CUDA hwaccel in this FFmpeg (libavcodec's nvdec for h264, hevc, vp9, av1, ...).
bool codec_has_cuda(const AVCodec* codec);

class CudaDecodeDevice {
 public:
  /// Device `index`; throws Error (Cuda, Unsupported when FFmpeg cannot load the driver) naming `source`.
  CudaDecodeDevice(int index, const std::string& source);
  ~CudaDecodeDevice(); // waits for the stream, then frees the device, the stream and our hold on the context
  CudaDecodeDevice(const CudaDecodeDevice&) = delete;
  CudaDecodeDevice& operator=(const CudaDecodeDevice&) = delete;

  AVBufferRef* device() const { return device_; } // give the codec context its own av_buffer_ref
  void* stream() const { return stream_; }        // cudaStream_t
  int index() const { return index_; }

 private:
  void release() noexcept;

  int index_;
  void* stream_ = nullptr;
  void* context_ = nullptr; // CUcontext: the primary context, retained
  int cu_device_ = 0;       // CUdevice
  AVBufferRef* device_ = nullptr;
};

} // namespace trackkit::detail::video
