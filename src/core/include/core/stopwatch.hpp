#pragma once
// Wall-clock timing of stages (the components' StageTimes, the pipeline's and frame reader's figures). Callers that
// time GPU work synchronise the device first, so queued kernels count towards the stage that queued them.
#include <chrono>

namespace trackkit::detail {

using Clock = std::chrono::steady_clock;

inline double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

/// Seconds since `mark`, which then moves to now: consecutive laps time consecutive stages.
inline double lap(Clock::time_point& mark) {
  const Clock::time_point now = Clock::now();
  const double seconds = std::chrono::duration<double>(now - mark).count();
  mark = now;
  return seconds;
}

} // namespace trackkit::detail
