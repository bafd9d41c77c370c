// read_seqinfo (src/mot/mot_io.cpp) on arbitrary file contents: a SeqInfo within its documented ranges or
// trackkit::Error; anything else (another exception, a crash, a sanitizer report) is a finding.
#include <cmath>
#include <cstdint>
#include <string>

#include "fuzz_input.hpp"
#include "trackkit/error.hpp"
#include "trackkit/mot.hpp"

using trackkit::fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const trackkit::fuzz::ScratchFile input("seqinfo");
  input.write(data, size);
  trackkit::mot::SeqInfo info;
  try {
    info = trackkit::mot::read_seqinfo(input.path());
  } catch (const trackkit::Error&) {
    return 0;
  }
  const auto got = [&] {
    return "frameRate " + std::to_string(info.frame_rate) + " seqLength " + std::to_string(info.length) + " imWidth " +
           std::to_string(info.width) + " imHeight " + std::to_string(info.height);
  };
  require(std::isfinite(info.frame_rate) && info.frame_rate >= 0, "read_seqinfo: frameRate is finite and >= 0", got);
  // Integers are read through a double: the reader promises [0, 9e15], where a double holds every integer.
  constexpr int64_t kLargest = 9'000'000'000'000'000;
  for (const int64_t v : {info.length, info.width, info.height})
    require(v >= 0 && v <= kLargest, "read_seqinfo: seqLength, imWidth and imHeight are in [0, 9e15]", got);
  return 0;
}
