// Decoded FFmpeg frames -> packed BGR/RGB: the planes of any 8- to 16-bit YUV layout from its pixel format
// descriptor (planar yuv420p / yuv422p / yuv444p and their 9..16-bit versions, semi-planar NV12 / NV21 / P010 /
// P016, ...), and libswscale for everything else.
#include "ffmpeg_frames.hpp"

#include <string>

#include "trackkit/error.hpp"

namespace trackkit::detail::video {

ColorMatrix matrix_of(AVColorSpace colorspace, int64_t height) {
  switch (colorspace) {
    case AVCOL_SPC_BT709:
    case AVCOL_SPC_SMPTE240M: return ColorMatrix::BT709;
    case AVCOL_SPC_BT470BG:
    case AVCOL_SPC_SMPTE170M:
    case AVCOL_SPC_FCC: return ColorMatrix::BT601;
    case AVCOL_SPC_BT2020_NCL:
    case AVCOL_SPC_BT2020_CL: return ColorMatrix::BT2020;
    default: return default_color_matrix(height);
  }
}

namespace {

bool full_range_of(const AVFrame& frame, AVPixelFormat format) {
  // The yuvj* formats are full range whatever color_range says (FFmpeg's deprecated way to tag it).
  return frame.color_range == AVCOL_RANGE_JPEG || format == AV_PIX_FMT_YUVJ420P || format == AV_PIX_FMT_YUVJ422P ||
         format == AV_PIX_FMT_YUVJ444P || format == AV_PIX_FMT_YUVJ440P;
}

} // namespace

bool frame_planes(const AVFrame& frame, AVPixelFormat format, YuvPlanes& planes, YuvFormat& yuv) {
  const AVPixFmtDescriptor* d = av_pix_fmt_desc_get(format);
  constexpr uint64_t kNotYuv = AV_PIX_FMT_FLAG_RGB | AV_PIX_FMT_FLAG_PAL | AV_PIX_FMT_FLAG_BITSTREAM |
                               AV_PIX_FMT_FLAG_HWACCEL | AV_PIX_FMT_FLAG_BE | AV_PIX_FMT_FLAG_FLOAT;
  if (d == nullptr || d->nb_components < 3 || (d->flags & kNotYuv) != 0) return false;
  if (d->log2_chroma_w > 1 || d->log2_chroma_h > 1) return false;
  const int depth = d->comp[0].depth;
  if (depth < 8 || depth > 16) return false;
  const int bytes = depth > 8 ? 2 : 1;
  Plane* out[3] = {&planes.y, &planes.u, &planes.v};
  for (int c = 0; c < 3; ++c) {
    const AVComponentDescriptor& comp = d->comp[c];
    const int line = frame.linesize[comp.plane];
    if (comp.depth != depth || comp.step % bytes != 0 || comp.shift + depth > 8 * bytes || line < 0 ||
        frame.data[comp.plane] == nullptr)
      return false;
    *out[c] = {frame.data[comp.plane] + comp.offset, line, comp.step, bytes, comp.shift};
  }
  planes.chroma_shift_x = d->log2_chroma_w, planes.chroma_shift_y = d->log2_chroma_h;
  planes.width = frame.width, planes.height = frame.height;
  yuv.matrix = matrix_of(frame.colorspace, frame.height);
  yuv.full_range = full_range_of(frame, format);
  yuv.bits = depth; // the planes' shifts already bring the samples down to their significant bits
  yuv.msb_aligned = false;
  return true;
}

void SwsConverter::convert(const AVFrame& frame, bool rgb, uint8_t* out, int64_t out_row_bytes) {
  const auto format = static_cast<AVPixelFormat>(frame.format);
  const AVPixelFormat target = rgb ? AV_PIX_FMT_RGB24 : AV_PIX_FMT_BGR24;
  context_.reset(sws_getCachedContext(context_.release(), frame.width, frame.height, format, frame.width, frame.height,
                                      target, SWS_BICUBIC, nullptr, nullptr, nullptr));
  if (!context_) {
    const char* name = av_get_pix_fmt_name(format);
    throw Error(ErrorCode::Unsupported, std::string("libswscale cannot convert pixel format ") +
                                            (name != nullptr ? name : "?") + " to " + (rgb ? "rgb24" : "bgr24"));
  }
  const ColorMatrix m = matrix_of(frame.colorspace, frame.height);
  const int cs = m == ColorMatrix::BT709 ? SWS_CS_ITU709 : m == ColorMatrix::BT2020 ? SWS_CS_BT2020 : SWS_CS_ITU601;
  // Output full range; the input's range from the frame (ignored by swscale for RGB inputs).
  sws_setColorspaceDetails(context_.get(), sws_getCoefficients(cs), full_range_of(frame, format) ? 1 : 0,
                           sws_getCoefficients(SWS_CS_DEFAULT), 1, 0, 1 << 16, 1 << 16);
  uint8_t* dst[4] = {out, nullptr, nullptr, nullptr};
  const int dst_lines[4] = {static_cast<int>(out_row_bytes), 0, 0, 0};
  const int rows = sws_scale(context_.get(), frame.data, frame.linesize, 0, frame.height, dst, dst_lines);
  if (rows != frame.height) throw Error(ErrorCode::Internal, "libswscale converted " + std::to_string(rows) + " rows");
}

} // namespace trackkit::detail::video
