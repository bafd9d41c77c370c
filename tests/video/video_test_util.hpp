#pragma once
// What the video tests share: the videos of scripts/test-videos.sh (in <build>/test-videos, or
// $TRACKKIT_TEST_VIDEOS), ffprobe's timestamps and the ffmpeg CLI's bgr24 frames beside them, and whole decodes.
#include <ATen/ATen.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "trackkit/error.hpp"
#include "trackkit/video.hpp"

namespace video_test {

inline std::string videos_dir() {
  const char* dir = std::getenv("TRACKKIT_TEST_VIDEOS");
  return dir != nullptr ? std::string(dir) : std::string(TK_TEST_VIDEOS);
}

/// The path of a test video, "" when it is missing (the test then skips, naming it).
inline std::string video(const std::string& name) {
  const std::string path = videos_dir() + "/" + name;
  return std::filesystem::exists(path) ? path : std::string();
}

/// ffprobe's pts_time of every frame (X.pts.csv beside video X).
inline std::vector<double> probe_timestamps(const std::string& video_path) {
  std::ifstream in(std::filesystem::path(video_path).replace_extension(".pts.csv"));
  std::vector<double> times;
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) times.push_back(std::stod(line));
  return times;
}

/// The ffmpeg CLI's frames of video X as uint8 [N,H,W,3] BGR (X.bgr, raw bgr24), undefined when missing.
inline at::Tensor cli_frames(const std::string& video_path, int64_t height, int64_t width) {
  const auto path = std::filesystem::path(video_path).replace_extension(".bgr");
  if (!std::filesystem::exists(path)) return {};
  const int64_t frame_bytes = height * width * 3;
  const auto bytes = static_cast<int64_t>(std::filesystem::file_size(path));
  at::Tensor frames = at::empty({bytes / frame_bytes, height, width, 3}, at::kByte);
  std::ifstream(path, std::ios::binary).read(reinterpret_cast<char*>(frames.data_ptr<uint8_t>()), frames.numel());
  return frames;
}

/// The ffmpeg CLI's decoded 4:2:0 8-bit planes of video X (X.yuv, raw yuv420p): y [N,H,W], u and v
/// [N,H/2,W/2]; empty when missing.
inline std::vector<at::Tensor> cli_planes(const std::string& video_path, int64_t height, int64_t width) {
  const auto path = std::filesystem::path(video_path).replace_extension(".yuv");
  if (!std::filesystem::exists(path)) return {};
  const int64_t luma = height * width, chroma = (height / 2) * (width / 2), frame = luma + 2 * chroma;
  const auto n = static_cast<int64_t>(std::filesystem::file_size(path)) / frame;
  at::Tensor all = at::empty({n, frame}, at::kByte);
  std::ifstream(path, std::ios::binary).read(reinterpret_cast<char*>(all.data_ptr<uint8_t>()), all.numel());
  return {all.narrow(1, 0, luma).view({n, height, width}),
          all.narrow(1, luma, chroma).reshape({n, height / 2, width / 2}),
          all.narrow(1, luma + chroma, chroma).reshape({n, height / 2, width / 2})};
}

/// Every frame (up to `limit`) on the CPU, with their timestamps, read in batches of `batch`.
struct Decoded {
  at::Tensor frames;
  std::vector<double> timestamps;
};
inline Decoded decode_all(trackkit::VideoDecoder& decoder, int64_t batch = 16, int64_t limit = INT64_MAX) {
  std::vector<at::Tensor> parts;
  Decoded d;
  for (int64_t total = 0; total < limit;) {
    const at::Tensor b = decoder.read(std::min(batch, limit - total));
    if (b.size(0) == 0) break;
    parts.push_back(b.cpu());
    d.timestamps.insert(d.timestamps.end(), decoder.last_timestamps().begin(), decoder.last_timestamps().end());
    total += b.size(0);
  }
  d.frames = parts.empty() ? at::empty({0}, at::kByte) : at::cat(parts);
  return d;
}

/// Reads until the end or an error: the frames (CPU) and the error's message ("" at a clean end).
inline std::pair<at::Tensor, std::string> read_until_error(trackkit::VideoDecoder& d) {
  std::vector<at::Tensor> parts;
  std::string error;
  try {
    for (at::Tensor b = d.read(32); b.size(0) > 0; b = d.read(32)) parts.push_back(b.cpu());
  } catch (const trackkit::Error& e) {
    error = e.what();
  }
  return {parts.empty() ? at::empty({0, 1, 1, 3}, at::kByte) : at::cat(parts), error};
}

inline trackkit::VideoDecoderOptions on(const std::string& mode) {
  trackkit::VideoDecoderOptions o;
  o.decode = mode;
  return o;
}

/// The reference conversion: codes y, u, v of format.bits bits -> B, G, R on the 0..255 scale before rounding, from
/// the ITU-R recommendations' definitions (E'Y, E'Cb, E'Cr; R and B from the colour differences, G from the luma
/// equation), in double precision.
inline std::array<double, 3> reference_bgr(double y, double u, double v, const trackkit::YuvFormat& f) {
  const double scale = std::ldexp(1.0, f.bits - 8), max_code = std::ldexp(1.0, f.bits) - 1;
  const double ey = f.full_range ? y / max_code : (y - 16 * scale) / (219 * scale);
  const double half = f.full_range ? std::ldexp(1.0, f.bits - 1) : 128 * scale;
  const double cb = (u - half) / (f.full_range ? max_code : 224 * scale);
  const double cr = (v - half) / (f.full_range ? max_code : 224 * scale);
  const double kr = f.matrix == trackkit::ColorMatrix::BT709    ? 0.2126
                    : f.matrix == trackkit::ColorMatrix::BT2020 ? 0.2627
                                                                : 0.299;
  const double kb = f.matrix == trackkit::ColorMatrix::BT709    ? 0.0722
                    : f.matrix == trackkit::ColorMatrix::BT2020 ? 0.0593
                                                                : 0.114;
  const double r = ey + 2 * (1 - kr) * cr, b = ey + 2 * (1 - kb) * cb, g = (ey - kr * r - kb * b) / (1 - kr - kb);
  return {255 * b, 255 * g, 255 * r};
}

/// How a conversion compares with round-half-up of reference_bgr: it must be exact away from x.5 ties and within
/// 1 level within 1e-3 of one (where float32 and float64 arithmetic may round apart).
struct Agreement {
  int64_t values = 0, off_tie_mismatches = 0, near_ties = 0, near_tie_mismatches = 0, max_diff = 0;
};

/// bgr: uint8 [H,W,3] CPU; y [H,W] and u, v (4:2:0, 4:2:2 or 4:4:4 by their shapes): any integer dtype, CPU.
inline void compare_with_reference(const at::Tensor& bgr, const at::Tensor& y, const at::Tensor& u, const at::Tensor& v,
                                   const trackkit::YuvFormat& f, Agreement& a) {
  const at::Tensor yi = y.to(at::kInt).contiguous(), ui = u.to(at::kInt).contiguous(), vi = v.to(at::kInt).contiguous();
  const at::Tensor out = bgr.contiguous();
  const int64_t h = y.size(0), w = y.size(1), cw = u.size(1);
  const int sy = u.size(0) == h ? 0 : 1, sx = u.size(1) == w ? 0 : 1;
  const int32_t *py = yi.data_ptr<int32_t>(), *pu = ui.data_ptr<int32_t>(), *pv = vi.data_ptr<int32_t>();
  const uint8_t* po = out.data_ptr<uint8_t>();
  for (int64_t j = 0; j < h; ++j) {
    for (int64_t i = 0; i < w; ++i) {
      const int64_t c = (j >> sy) * cw + (i >> sx);
      const std::array<double, 3> exact = reference_bgr(py[j * w + i], pu[c], pv[c], f);
      for (int k = 0; k < 3; ++k) {
        const double expected = std::clamp(std::floor(exact[k] + 0.5), 0.0, 255.0);
        const int64_t diff = std::llabs(static_cast<int64_t>(po[(j * w + i) * 3 + k]) - static_cast<int64_t>(expected));
        const bool near_tie =
            std::abs(exact[k] - std::floor(exact[k]) - 0.5) < 1e-3 && exact[k] > -0.5 && exact[k] < 255.5;
        ++a.values;
        a.near_ties += near_tie;
        a.near_tie_mismatches += near_tie && diff > 0;
        a.off_tie_mismatches += !near_tie && diff > 0;
        a.max_diff = std::max(a.max_diff, diff);
      }
    }
  }
}

/// Largest absolute difference of two uint8 tensors.
inline int64_t max_abs_diff(const at::Tensor& a, const at::Tensor& b) {
  return (a.to(at::kInt) - b.to(at::kInt)).abs().max().item<int64_t>();
}

} // namespace video_test
