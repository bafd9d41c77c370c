#include "core/log.hpp"

#include <atomic>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <utility>

#include "trackkit/error.hpp"

namespace trackkit {
namespace {

LogLevel initial_level() {
  const char* env = std::getenv("TRACKKIT_LOG_LEVEL");
  if (env == nullptr || *env == '\0') return LogLevel::Warn;
  try {
    return parse_log_level(env, "TRACKKIT_LOG_LEVEL");
  } catch (const Error& e) {
    std::fprintf(stderr, "[trackkit warn] %s; using warn\n", e.what());
    return LogLevel::Warn;
  }
}

std::atomic<int>& level_store() {
  static std::atomic<int> level{static_cast<int>(initial_level())};
  return level;
}

struct SinkState {
  std::mutex mutex; // one message at a time, so sinks need no locking of their own
  LogSink sink;
};

SinkState& sink_state() {
  static SinkState state;
  return state;
}

} // namespace

void set_log_level(LogLevel level) noexcept { level_store().store(static_cast<int>(level)); }

LogLevel log_level() noexcept { return static_cast<LogLevel>(level_store().load()); }

void set_log_sink(LogSink sink) {
  SinkState& state = sink_state();
  std::lock_guard<std::mutex> lock(state.mutex);
  state.sink = std::move(sink);
}

void configure_logging(LogLevel level, LogSink sink) {
  const bool custom = static_cast<bool>(sink);
  set_log_sink(std::move(sink));
  set_log_level(level);
  detail::log_info("logging configured: level={}, sink={}", log_level_name(level), custom ? "custom" : "stderr");
}

const char* log_level_name(LogLevel level) noexcept {
  switch (level) {
    case LogLevel::Trace: return "trace";
    case LogLevel::Debug: return "debug";
    case LogLevel::Info: return "info";
    case LogLevel::Warn: return "warn";
    case LogLevel::Error: return "error";
    case LogLevel::Off: return "off";
  }
  return "?";
}

LogLevel parse_log_level(std::string_view text, std::string_view argument) {
  std::string t(text);
  for (char& c : t) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (t == "trace") return LogLevel::Trace;
  if (t == "debug") return LogLevel::Debug;
  if (t == "info") return LogLevel::Info;
  if (t == "warn" || t == "warning") return LogLevel::Warn;
  if (t == "error") return LogLevel::Error;
  if (t == "off" || t == "none") return LogLevel::Off;
  fail_argument("parse_log_level", argument,
                "must be trace, debug, info, warn, error or off, got '" + std::string(text) + "'");
}

namespace detail {

bool log_enabled(LogLevel level) noexcept {
  return level != LogLevel::Off && static_cast<int>(level) >= level_store().load(std::memory_order_relaxed);
}

void log_message(LogLevel level, std::string_view message) {
  SinkState& state = sink_state();
  std::lock_guard<std::mutex> lock(state.mutex);
  if (state.sink) {
    state.sink(level, message);
  } else {
    fmt::print(stderr, "[trackkit {}] {}\n", log_level_name(level), message);
  }
}

} // namespace detail
} // namespace trackkit
