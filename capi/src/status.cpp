// Status, errors and version of the C ABI.
#include <string>

#include "guard.hpp"
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
  if (status == TK_OK) return "ok";
  if (status < TK_ERR_INVALID_ARGUMENT || status > TK_ERR_INTERNAL) return "unknown status";
  return trackkit::error_code_name(static_cast<trackkit::ErrorCode>(status));
}

TK_API const char* tk_version(void) { return trackkit::version(); }

TK_API const char* tk_build_info(void) { return trackkit::build_info(); }

TK_API uint32_t tk_abi_version(void) { return TK_ABI_VERSION; }

TK_API int32_t tk_cuda_device_count(void) { return trackkit::cuda_device_count(); }

} // extern "C"
