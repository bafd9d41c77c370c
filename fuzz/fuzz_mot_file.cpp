// read_mot_file (src/mot/mot_io.cpp) on arbitrary file contents. It must return rows that keep its documented
// guarantees or throw trackkit::Error; another exception, a crash or a sanitizer report is a finding. The rows it
// returns also survive write_mot_results and a second read unchanged (the writer prints the shortest text that
// reads back to the same double), which checks the reader against the writer on every accepted input.
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_input.hpp"
#include "trackkit/error.hpp"
#include "trackkit/mot.hpp"

using trackkit::fuzz::require;
using trackkit::mot::Row;

namespace {

std::string describe(size_t index, const Row& r) {
  return "row " + std::to_string(index) + " frame " + std::to_string(r.frame) + " id " + std::to_string(r.id) +
         " box " + std::to_string(r.x) + "," + std::to_string(r.y) + "," + std::to_string(r.w) + "," +
         std::to_string(r.h) + " score " + std::to_string(r.score);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const trackkit::fuzz::ScratchFile input("mot"), copy("mot-copy");
  input.write(data, size);
  std::vector<Row> rows;
  try {
    rows = trackkit::mot::read_mot_file(input.path());
  } catch (const trackkit::Error&) {
    return 0;
  }
  for (size_t i = 0; i < rows.size(); ++i) {
    const Row& r = rows[i];
    require(r.frame >= 0, "read_mot_file: frames are 0-based and >= 0", [&] { return describe(i, r); });
    require(
        std::isfinite(r.x) && std::isfinite(r.y) && std::isfinite(r.w) && std::isfinite(r.h) && std::isfinite(r.score),
        "read_mot_file: x, y, w, h and score are finite", [&] { return describe(i, r); });
    require(r.w >= 0 && r.h >= 0, "read_mot_file: w and h are >= 0", [&] { return describe(i, r); });
  }
  trackkit::mot::write_mot_results(copy.path(), rows);
  const std::vector<Row> back = trackkit::mot::read_mot_file(copy.path());
  require(back.size() == rows.size(), "write_mot_results + read_mot_file keep the number of rows");
  for (size_t i = 0; i < rows.size(); ++i) {
    const Row &a = rows[i], &b = back[i];
    require(a.frame == b.frame && a.id == b.id && a.x == b.x && a.y == b.y && a.w == b.w && a.h == b.h &&
                a.score == b.score,
            "write_mot_results + read_mot_file give the rows back",
            [&] { return describe(i, a) + " came back as " + describe(i, b); });
  }
  return 0;
}
