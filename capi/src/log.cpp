// C ABI for trackkit/log.hpp.
#include <cstddef>
#include <string>
#include <utility>

#include "config.hpp"
#include "guard.hpp"
#include "trackkit/log.hpp"

extern "C" {

namespace {
tk_log_config log_defaults() {
  tk_log_config config{};
  config.struct_size = sizeof(tk_log_config);
  config.level = static_cast<tk_log_level>(trackkit::log_level());
  return config;
}
} // namespace

TK_API tk_status tk_log_config_init(tk_log_config* config, size_t struct_size) {
  return trackkit::capi::tk_guard("tk_log_config_init", [&] {
    trackkit::capi::init_struct("tk_log_config_init", config, struct_size, log_defaults());
  });
}

TK_API tk_status tk_set_log_config(const tk_log_config* config) {
  constexpr const char* fn = "tk_set_log_config";
  return trackkit::capi::tk_guard(fn, [&] {
    const tk_log_config c = trackkit::capi::read_struct(fn, config, log_defaults());
    const int32_t level = trackkit::capi::enum_bits(c.level);
    if (level < TK_LOG_TRACE || level > TK_LOG_OFF) {
      trackkit::fail_argument(fn, "config->level", "is not a tk_log_level value (" + std::to_string(level) + ")");
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
