#pragma once
// The YUV -> BGR dispatch the decoder calls with its frames' planes (yuv_to_bgr.cpp), and the planes of a frame in
// any FFmpeg YUV pixel format (ffmpeg_frames.cpp).
#include <cstdint>

#include "trackkit/video.hpp"
#include "yuv_to_bgr_formula.hpp"

namespace trackkit::detail::video {

/// The matrix's luma weights (kr, kb).
void luma_weights(ColorMatrix matrix, double& kr, double& kb);
YuvCoefficients coefficients(const YuvFormat& format);
/// planes -> out (height rows of width * 3 bytes, out_row_bytes apart): on the CPU, or on CUDA on `stream` (the
/// planes and out then being device memory of the current device).
void convert_planes(const YuvPlanes& planes, const YuvFormat& format, bool rgb, uint8_t* out, int64_t out_row_bytes,
                    bool cuda, void* stream);

} // namespace trackkit::detail::video
