#pragma once
// The frame-rate argument of the tracker presets and YAML reader: the same bound Tracker checks, so a preset never
// hands out options the Tracker then refuses.
#include <string>

#include "trackkit/error.hpp"

namespace trackkit::detail {

inline void check_frame_rate(const char* function, double frame_rate) {
  if (!(frame_rate > 0 && frame_rate <= 1e6)) // NaN and infinity fail here too
    fail_argument(function, "frame_rate", "must be finite and > 0 (at most 1e6), got " + std::to_string(frame_rate));
}

} // namespace trackkit::detail
