#pragma once
// Raw frame arrays in NumPy's .npy format (uint8 [N,H,W,3], C order): the frame source that needs no codec.
#include <cstddef>
#include <cstdint>
#include <string>

namespace trackkit::detail {

/// A read-only memory map of a .npy frame array.
class NpyFrames {
 public:
  /// Throws Error naming `path`: NotFound, or InvalidArgument for anything but uint8 [N,H,W,3] in C order.
  explicit NpyFrames(const std::string& path);
  ~NpyFrames();
  NpyFrames(const NpyFrames&) = delete;
  NpyFrames& operator=(const NpyFrames&) = delete;

  int64_t frames() const { return frames_; }
  int64_t height() const { return height_; }
  int64_t width() const { return width_; }
  size_t frame_bytes() const { return frame_bytes_; }
  const uint8_t* frame(int64_t index) const { return data_ + static_cast<size_t>(index) * frame_bytes(); }

 private:
  void parse(const std::string& path);

  const uint8_t* data_ = nullptr;
  void* map_ = nullptr;
  size_t map_bytes_ = 0;
  int64_t frames_ = 0, height_ = 0, width_ = 0;
  size_t frame_bytes_ = 0; // H * W * 3, checked against overflow
};

} // namespace trackkit::detail
