// Status, errors and version of the C ABI.
#include <string>

#include "config.hpp"
#include "guard.hpp"
#include "trackkit/cuda_stream.hpp"
#include "trackkit/device.hpp"
#include "trackkit/version.hpp"

namespace trackkit::capi {
namespace {
thread_local std::string last_error;
}
void set_last_error(std::string message) { last_error = std::move(message); }
} // namespace trackkit::capi

extern "C" {

TK_API const char* tk_last_error(void) { return trackkit::capi::last_error.c_str(); }

TK_API const char* tk_status_name(tk_status status) {
  // Read as an int: a C caller may pass any int, which loaded as the C++ enum type would be undefined behaviour.
  const int32_t value = trackkit::capi::enum_bits(status);
  if (value == TK_OK) return "ok";
  if (value < TK_ERR_INVALID_ARGUMENT || value > TK_ERR_INTERNAL) return "unknown status";
  return trackkit::error_code_name(static_cast<trackkit::ErrorCode>(value));
}

TK_API const char* tk_version(void) { return trackkit::version(); }

TK_API const char* tk_build_info(void) { return trackkit::build_info(); }

TK_API void tk_version_numbers(int32_t* major, int32_t* minor, int32_t* patch) {
  if (major != nullptr) *major = TK_VERSION_MAJOR;
  if (minor != nullptr) *minor = TK_VERSION_MINOR;
  if (patch != nullptr) *patch = TK_VERSION_PATCH;
}

TK_API void tk_abi_version(int32_t* major, int32_t* minor) {
  if (major != nullptr) *major = TK_ABI_VERSION_MAJOR;
  if (minor != nullptr) *minor = TK_ABI_VERSION_MINOR;
}

TK_API void tk_dlpack_version(int32_t* major, int32_t* minor) {
  if (major != nullptr) *major = DLPACK_MAJOR_VERSION;
  if (minor != nullptr) *minor = DLPACK_MINOR_VERSION;
}

TK_API tk_status tk_release_cached_memory(void) {
  return trackkit::capi::tk_guard("tk_release_cached_memory", [] { trackkit::release_cached_device_memory(); });
}

TK_API int32_t tk_cuda_device_count(void) { return trackkit::cuda_device_count(); }

} // extern "C"
