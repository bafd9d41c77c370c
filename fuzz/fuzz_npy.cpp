// The .npy frame reader (trackkit::detail::NpyFrames, src/pipeline/npy_frames.cpp; FrameReader opens .npy paths
// through it) on arbitrary file contents. It must map a uint8 [N,H,W,3] array whose frames lie inside the file or
// throw trackkit::Error; anything else (another exception, a crash, a sanitizer report) is a finding.
// The frames it hands out are compared with the bytes after the header, located from the .npy layout itself
// (magic, version, 2- or 4-byte little-endian header length), so a frame pointer outside the file or a size the
// header does not back is caught even where the memory map would read without a fault.
#include <cstdint>
#include <cstring>
#include <string>

#include "fuzz_input.hpp"
#include "npy_frames.hpp"
#include "trackkit/error.hpp"

using trackkit::fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const trackkit::fuzz::ScratchFile input("npy");
  input.write(data, size);
  try {
    const trackkit::detail::NpyFrames npy(input.path());
    const auto shape = [&] {
      return "(" + std::to_string(npy.frames()) + ", " + std::to_string(npy.height()) + ", " +
             std::to_string(npy.width()) + ", 3), " + std::to_string(size) + " bytes";
    };
    require(npy.frames() >= 0 && npy.height() >= 0 && npy.width() >= 0, "NpyFrames: a shape of sizes >= 0", shape);
    require(size >= 12 || (size >= 10 && data[6] == 1), "NpyFrames: a file holding a whole preamble", shape);
    const size_t length_bytes = data[6] == 1 ? 2 : 4;
    size_t header = 0;
    for (size_t i = 0; i < length_bytes; ++i) header |= static_cast<size_t>(data[8 + i]) << (8 * i);
    const size_t start = 8 + length_bytes + header;
    require(start <= size, "NpyFrames: the header lies inside the file", shape);
    const auto frames = static_cast<size_t>(npy.frames());
    const size_t frame_bytes = npy.frame_bytes();
    require(frame_bytes == static_cast<size_t>(npy.height()) * static_cast<size_t>(npy.width()) * 3,
            "NpyFrames: frame_bytes is H * W * 3", shape);
    require(frames == 0 || frame_bytes <= (size - start) / frames, "NpyFrames: the frames fit in the file", shape);
    for (size_t f = 0; f < frames; ++f) {
      require(std::memcmp(npy.frame(static_cast<int64_t>(f)), data + start + f * frame_bytes, frame_bytes) == 0,
              "NpyFrames: frame f holds the file's bytes after the header",
              [&] { return shape() + ", frame " + std::to_string(f); });
    }
  } catch (const trackkit::Error&) {
  }
  return 0;
}
