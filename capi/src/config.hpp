#pragma once
// Reading a C config struct whose first field is size_t struct_size: fields the caller's struct does not
// have (built against an older header) keep the library's defaults.
#include <algorithm>
#include <cstring>
#include <string>

#include "guard.hpp"
#include "trackkit/device.hpp"

namespace trackkit {
struct DetectorOptions;
struct GmcOptions;
struct TrackerOptions;
} // namespace trackkit

namespace trackkit::capi {

// The components' config conversions (defined beside their wrappers), for configs that nest them.
DetectorOptions detector_options(const char* function, const tk_detector_config* config);
GmcOptions gmc_options(const char* function, const tk_gmc_config* config);
TrackerOptions tracker_options(const char* function, const tk_tracker_config* config);
tk_tracker_config tracker_config(const TrackerOptions& options);

template <typename Config>
Config read_config(const char* function, const Config* given, const Config& defaults, size_t first_version_size,
                   const std::string& argument = "config") {
  require_pointer(function, argument.c_str(), given);
  if (given->struct_size < first_version_size) {
    fail_argument(
        function, argument + "->struct_size",
        "is " + std::to_string(given->struct_size) + "; initialise the struct with its *_defaults() function");
  }
  Config c = defaults;
  std::memcpy(&c, given, std::min(given->struct_size, sizeof(Config)));
  c.struct_size = sizeof(Config);
  return c;
}

/// An enum field of a C struct: any int32 may arrive, so it is checked before it is cast.
inline void require_enum(const char* function, const char* field, int32_t value, int32_t last, const char* type) {
  if (value < 0 || value > last)
    fail_argument(function, field, std::string("must be a ") + type + ", got " + std::to_string(value));
}

/// The device string and tk_precision of a model component's config, into its options.
template <typename Config, typename Options>
void read_device_and_precision(const char* function, const Config& c, Options& o) {
  require_pointer(function, "config->device", c.device);
  require_enum(function, "config->precision", c.precision, TK_PRECISION_BF16, "tk_precision");
  o.device = c.device;
  o.precision = static_cast<Precision>(c.precision);
}

} // namespace trackkit::capi
