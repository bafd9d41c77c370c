#pragma once
// Decoded FFmpeg frames -> packed 8-bit BGR/RGB: the planes and YUV format of a frame for our kernels
// (yuv_to_bgr.hpp), and libswscale for the pixel formats they do not read.
#include <cstdint>

#include "ffmpeg_util.hpp"
#include "yuv_to_bgr.hpp"

namespace trackkit::detail::video {

/// The colour matrix of a frame: its colorspace tag, else default_color_matrix(height). SMPTE 240M is taken as
/// BT.709, FCC as BT.601 and BT.2020 constant-luminance as BT.2020 (docs/video.md).
ColorMatrix matrix_of(AVColorSpace colorspace, int64_t height);

/// The planes of `frame` whose samples are laid out as `format` (its own format, or the software format of a CUDA
/// frame) and how to read them; false when the format is not 8- to 16-bit little-endian YUV with chroma
/// subsampled by at most 2 (then swscale converts it).
bool frame_planes(const AVFrame& frame, AVPixelFormat format, YuvPlanes& planes, YuvFormat& yuv);

/// libswscale for the other CPU pixel formats (RGB, grey, 4:1:1, big-endian, palette ...), straight to BGR24/RGB24
/// with the frame's matrix and range.
class SwsConverter {
 public:
  void convert(const AVFrame& frame, bool rgb, uint8_t* out, int64_t out_row_bytes);

 private:
  SwsPtr context_;
};

} // namespace trackkit::detail::video
