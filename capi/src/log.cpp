// C ABI for trackkit/log.hpp.
#include <cstddef>
#include <string>
#include <utility>

#include "guard.hpp"
#include "trackkit/log.hpp"

extern "C" {

TK_API tk_log_config tk_log_config_defaults(void) {
  tk_log_config config{};
  config.struct_size = sizeof(tk_log_config);
  config.level = static_cast<tk_log_level>(trackkit::log_level());
  return config;
}

TK_API tk_status tk_set_log_config(const tk_log_config* config) {
  constexpr const char* fn = "tk_set_log_config";
  return trackkit::capi::tk_guard(fn, [&] {
    trackkit::capi::require_pointer(fn, "config", config);
    // Fields past struct_size (a caller built against an older header) keep their defaults.
    tk_log_config c = tk_log_config_defaults();
    constexpr size_t kFirstVersionSize = offsetof(tk_log_config, user_data) + sizeof(void*);
    if (config->struct_size < kFirstVersionSize) {
      trackkit::fail_argument(
          fn, "config->struct_size",
          "is " + std::to_string(config->struct_size) + "; initialise the struct with tk_log_config_defaults()");
    }
    c.level = config->level;
    c.callback = config->callback;
    c.user_data = config->user_data;
    if (c.level < TK_LOG_TRACE || c.level > TK_LOG_OFF) {
      trackkit::fail_argument(fn, "config->level", "is not a tk_log_level value (" + std::to_string(c.level) + ")");
    }
    trackkit::LogSink sink;
    if (c.callback != nullptr) {
      sink = [callback = c.callback, user = c.user_data](trackkit::LogLevel level, std::string_view message) {
        const std::string text(message); // callbacks get a NUL-terminated copy
        callback(static_cast<tk_log_level>(level), text.c_str(), user);
      };
    }
    trackkit::configure_logging(static_cast<trackkit::LogLevel>(c.level), std::move(sink));
  });
}

} // extern "C"
