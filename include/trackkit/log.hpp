#pragma once
// Logging: trackkit writes through fmt to stderr, or to a sink the application sets.
// The level starts from the environment variable TRACKKIT_LOG_LEVEL (trace/debug/info/warn/error/off),
// default warn.
#include <functional>
#include <string_view>

#include "trackkit/export.hpp"

namespace trackkit {

enum class LogLevel { Trace = 0, Debug = 1, Info = 2, Warn = 3, Error = 4, Off = 5 };

/// Receives each message at or above the level; called from whatever thread logs, one call at a time.
using LogSink = std::function<void(LogLevel level, std::string_view message)>;

TRACKKIT_API void set_log_level(LogLevel level) noexcept;
TRACKKIT_API LogLevel log_level() noexcept;
/// Replaces the sink; an empty sink restores the default (stderr, "[trackkit warn] message").
TRACKKIT_API void set_log_sink(LogSink sink);
/// Sets level and sink together, then logs one info line saying what is in force.
TRACKKIT_API void configure_logging(LogLevel level, LogSink sink);
/// "trace", "debug", "info", "warn"/"warning", "error", "off"; throws Error naming `argument`.
TRACKKIT_API LogLevel parse_log_level(std::string_view text, std::string_view argument = "level");
TRACKKIT_API const char* log_level_name(LogLevel level) noexcept;

} // namespace trackkit
