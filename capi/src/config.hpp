#pragma once
// Structs that cross the C ABI (docs/c-abi.md): initialised in place, read and written only up to the caller's
// struct_size. A caller built against an older header has a smaller struct: the fields it lacks keep the library's
// defaults. A caller built against a newer header has a larger one: the bytes this library does not know must be
// zero (their meaning is "as before the field existed"), else TK_ERR_UNSUPPORTED.
#include <algorithm>
#include <cstring>
#include <string>

#include "abi_layout.hpp"
#include "guard.hpp"
#include "trackkit/device.hpp"

namespace trackkit {
struct DetectorOptions;
struct GmcOptions;
struct TrackerOptions;
} // namespace trackkit

namespace trackkit::capi {

// The components' config conversions (defined beside their wrappers), for configs that refer to them.
DetectorOptions detector_options(const char* function, const tk_detector_config* config);
GmcOptions gmc_options(const char* function, const tk_gmc_config* config);
TrackerOptions tracker_options(const char* function, const tk_tracker_config* config);
tk_tracker_config tracker_config(const TrackerOptions& options);
tk_gmc_config gmc_config(const GmcOptions& options);

/// Checks a caller's struct_size: at least T's first published layout; beyond this library's sizeof(T) only zeros.
template <typename T>
void check_struct_size(const char* function, const std::string& argument, const T* given) {
  const size_t size = given->struct_size;
  if (size < FirstLayout<T>::size) {
    fail_argument(function, argument + "->struct_size",
                  "is " + std::to_string(size) + ", smaller than any " + FirstLayout<T>::name + " (" +
                      std::to_string(FirstLayout<T>::size) + " bytes); set it with " + FirstLayout<T>::how_to_set);
  }
  const auto* bytes = reinterpret_cast<const unsigned char*>(given);
  for (size_t i = sizeof(T); i < size; ++i) {
    if (bytes[i] != 0) {
      fail_argument(function, argument,
                    "sets a field at byte " + std::to_string(i) + " that this library (" + FirstLayout<T>::name +
                        " of " + std::to_string(sizeof(T)) + " bytes, trackkit " + TK_VERSION_STRING +
                        ") does not know; update libtrackkit_c",
                    ErrorCode::Unsupported);
    }
  }
}

/// A caller's input struct: the fields it has over `defaults`, the struct_size set to sizeof(T).
template <typename T>
T read_struct(const char* function, const T* given, const T& defaults, const std::string& argument = "config") {
  require_pointer(function, argument.c_str(), given);
  check_struct_size(function, argument, given);
  T value = defaults;
  std::memcpy(&value, given, std::min(given->struct_size, sizeof(T)));
  value.struct_size = sizeof(T);
  return value;
}

/// tk_*_init: `defaults` into the first struct_size bytes of *out, zeros beyond sizeof(T), out->struct_size set.
template <typename T>
void init_struct(const char* function, T* out, size_t struct_size, const T& defaults,
                 const std::string& argument = "config") {
  require_pointer(function, argument.c_str(), out);
  if (struct_size < FirstLayout<T>::size) {
    fail_argument(function, "struct_size",
                  "is " + std::to_string(struct_size) + ", smaller than any " + FirstLayout<T>::name + " (" +
                      std::to_string(FirstLayout<T>::size) + " bytes); pass sizeof(" + FirstLayout<T>::name + ")");
  }
  std::memcpy(out, &defaults, std::min(struct_size, sizeof(T)));
  if (struct_size > sizeof(T))
    std::memset(reinterpret_cast<unsigned char*>(out) + sizeof(T), 0, struct_size - sizeof(T));
  out->struct_size = struct_size;
}

/// An output (or in-out) struct the caller sized: `value` written up to its struct_size, which stays as it was.
template <typename T>
void write_struct(const char* function, T* out, const T& value, const std::string& argument) {
  require_pointer(function, argument.c_str(), out);
  if (out->struct_size < FirstLayout<T>::size) {
    fail_argument(function, argument + "->struct_size",
                  "is " + std::to_string(out->struct_size) + ", smaller than any " + FirstLayout<T>::name +
                      "; set it with " + FirstLayout<T>::how_to_set);
  }
  const size_t size = out->struct_size;
  std::memcpy(out, &value, std::min(size, sizeof(T)));
  if (size > sizeof(T)) std::memset(reinterpret_cast<unsigned char*>(out) + sizeof(T), 0, size - sizeof(T));
  out->struct_size = size;
}

/// The int a C caller passed as a C enum type (a parameter or a field typed as the enum). C allows any int there,
/// while loading an out-of-range value as the C++ enum type is undefined behaviour (UBSan's -fsanitize=enum), so
/// the bytes are read as an int32 before anything is compared.
template <typename Enum>
int32_t enum_bits(const Enum& value) {
  static_assert(sizeof(Enum) == sizeof(int32_t), "C enums are int-sized");
  int32_t bits = 0;
  std::memcpy(&bits, &value, sizeof bits);
  return bits;
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
