// read_gmc_file (src/mot/mot_io.cpp) on arbitrary file contents: entries with strictly increasing frames >= 0 and
// finite warps, or trackkit::Error; anything else (another exception, a crash, a sanitizer report) is a finding.
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_input.hpp"
#include "trackkit/error.hpp"
#include "trackkit/mot.hpp"

using trackkit::fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const trackkit::fuzz::ScratchFile input("gmc");
  input.write(data, size);
  std::vector<trackkit::mot::GmcEntry> entries;
  try {
    entries = trackkit::mot::read_gmc_file(input.path());
  } catch (const trackkit::Error&) {
    return 0;
  }
  for (size_t i = 0; i < entries.size(); ++i) {
    const auto at = [&] { return "entry " + std::to_string(i) + " frame " + std::to_string(entries[i].frame); };
    require(entries[i].frame >= 0, "read_gmc_file: frames are >= 0", at);
    require(i == 0 || entries[i].frame > entries[i - 1].frame, "read_gmc_file: frames strictly increase", at);
    for (const double v : entries[i].warp) require(std::isfinite(v), "read_gmc_file: warps are finite", at);
  }
  return 0;
}
