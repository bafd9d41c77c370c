// YUV -> BGR on the CPU: rows in parallel (at::parallel_for), each row in passes the compiler vectorises: the
// chroma terms once per chroma sample (spread over the pixels they serve), the luma, the three channels, then the
// interleaving into packed pixels. Every float is the one yuv_pixel() (yuv_to_bgr_formula.hpp) computes, in the
// same order, so the bytes equal the formula's and the CUDA kernel's.
#include <ATen/Parallel.h>

#include <algorithm>
#include <vector>

#include "yuv_to_bgr_kernels.hpp"

namespace trackkit::detail::video {

namespace {

/// One row's intermediate values, per pixel.
struct RowBuffers {
  std::vector<float> luma, r_cr, g_cb, g_cr, b_cb;
  std::vector<uint8_t> red, green, blue;
  explicit RowBuffers(int64_t width) {
    const auto n = static_cast<size_t>(width);
    for (auto* v : {&luma, &r_cr, &g_cb, &g_cr, &b_cb}) v->resize(n);
    for (auto* v : {&red, &green, &blue}) v->resize(n);
  }
};

void convert_row(const YuvPlanes& f, const YuvCoefficients& c, bool rgb, int64_t row, uint8_t* out, RowBuffers& b) {
  const int64_t width = f.width, chroma_row = row >> f.chroma_shift_y, sx = f.chroma_shift_x;
  float *luma = b.luma.data(), *r_cr = b.r_cr.data(), *g_cb = b.g_cb.data(), *g_cr = b.g_cr.data(),
        *b_cb = b.b_cb.data();
  // Chroma: each sample's four products, given to the 1 or 2 pixels it serves.
  const auto spread = [&](int64_t k, uint32_t u, uint32_t v) {
    const float cb = static_cast<float>(u) * c.chroma_scale + c.chroma_bias;
    const float cr = static_cast<float>(v) * c.chroma_scale + c.chroma_bias;
    const float rc = c.r_cr * cr, gb = c.g_cb * cb, gc = c.g_cr * cr, bb = c.b_cb * cb;
    const int64_t i = k << sx;
    r_cr[i] = rc, g_cb[i] = gb, g_cr[i] = gc, b_cb[i] = bb;
    if (sx == 1 && i + 1 < width) r_cr[i + 1] = rc, g_cb[i + 1] = gb, g_cr[i + 1] = gc, b_cb[i + 1] = bb;
  };
  const int64_t chroma_width = (width + sx) >> sx;
  if (f.u.bytes == 1 && f.v.bytes == 1 && f.u.shift == 0 && f.v.shift == 0) { // 8-bit: planar or interleaved
    const uint8_t* u = f.u.base + chroma_row * f.u.row_bytes;
    const uint8_t* v = f.v.base + chroma_row * f.v.row_bytes;
    for (int64_t k = 0; k < chroma_width; ++k) spread(k, u[k * f.u.step_bytes], v[k * f.v.step_bytes]);
  } else {
    for (int64_t k = 0; k < chroma_width; ++k) spread(k, sample(f.u, chroma_row, k), sample(f.v, chroma_row, k));
  }
  if (f.y.bytes == 1 && f.y.step_bytes == 1 && f.y.shift == 0) { // contiguous 8-bit luma: the common case
    const uint8_t* y = f.y.base + row * f.y.row_bytes;
    for (int64_t i = 0; i < width; ++i) luma[i] = static_cast<float>(y[i]) * c.luma_scale + c.luma_bias;
  } else {
    for (int64_t i = 0; i < width; ++i) luma[i] = static_cast<float>(sample(f.y, row, i)) * c.luma_scale + c.luma_bias;
  }
  uint8_t *red = b.red.data(), *green = b.green.data(), *blue = b.blue.data();
  for (int64_t i = 0; i < width; ++i) {
    red[i] = to_byte(luma[i] + r_cr[i]);
    green[i] = to_byte(luma[i] - g_cb[i] - g_cr[i]);
    blue[i] = to_byte(luma[i] + b_cb[i]);
  }
  const uint8_t* first = rgb ? red : blue;
  const uint8_t* last = rgb ? blue : red;
  for (int64_t i = 0; i < width; ++i) out[3 * i] = first[i], out[3 * i + 1] = green[i], out[3 * i + 2] = last[i];
}

} // namespace

void yuv_to_bgr_cpu(const YuvPlanes& planes, const YuvCoefficients& c, bool rgb, uint8_t* out, int64_t out_row_bytes) {
  // About a quarter of a million pixels a task: smaller frames convert on the calling thread (no OpenMP team to
  // wake, whose spinning would take cores from libavcodec's decoding threads).
  const int64_t grain = std::max<int64_t>(1, (int64_t{1} << 18) / std::max<int64_t>(1, planes.width));
  at::parallel_for(0, planes.height, grain, [&](int64_t first, int64_t last) {
    RowBuffers buffers(planes.width);
    for (int64_t j = first; j < last; ++j) convert_row(planes, c, rgb, j, out + j * out_row_bytes, buffers);
  });
}

} // namespace trackkit::detail::video
