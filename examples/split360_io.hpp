#pragma once
// Image and video I/O for split360: JPEG through libjpeg-turbo's TurboJPEG API when the build found it
// (TRACKKIT_HAVE_TURBOJPEG), else OpenCV's imgcodecs; PNG through imgcodecs; video through OpenCV's videoio.
// Pixels are 8-bit BGR, rows packed (H x W x 3), the order OpenCV uses. Every function is thread-safe.
#include <cstdint>
#include <memory>
#include <string>

namespace split360 {

struct ImageSize {
  int width = 0, height = 0;
};

/// Which libraries this build reads and writes images with, e.g. "TurboJPEG (JPEG), OpenCV imgcodecs (PNG)".
std::string io_backends();
/// Width and height from the file's header; throws std::runtime_error naming the file when unreadable.
ImageSize probe_image(const std::string& path);
/// Decodes into dst (height x width x 3 bytes; the size must be probe_image's); throws naming the file.
void read_image(const std::string& path, uint8_t* dst, ImageSize size);
/// Encodes a BGR image as a JPEG file at quality 1..100; throws naming the file.
void write_jpeg(const std::string& path, const uint8_t* bgr, ImageSize size, int quality);

/// Frames of a video file in order (OpenCV videoio); throws where this build has no videoio.
class VideoReader {
 public:
  explicit VideoReader(const std::string& path);
  ~VideoReader();
  ImageSize size() const;
  int64_t frame_count() const; ///< the container's count (may be an estimate), 0 when unknown
  /// The next frame into dst (height x width x 3); false at the end.
  bool read(uint8_t* dst);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

} // namespace split360
