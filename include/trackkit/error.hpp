#pragma once
// trackkit::Error: the one exception type the library throws, with a code the C ABI maps to tk_status.
#include <stdexcept>
#include <string>
#include <string_view>

#include "trackkit/export.hpp"

namespace trackkit {

/// What went wrong. The numeric values equal the C ABI's tk_status codes (capi/include/trackkit/trackkit.h).
enum class ErrorCode : int {
  InvalidArgument = 1, ///< wrong shape, dtype, value, option or empty input
  Device = 2,          ///< wrong, mixed or unavailable device
  NotFound = 3,        ///< a file (model, data) does not exist
  Model = 4,           ///< a model file is corrupt or not of the expected kind
  OutOfMemory = 5,     ///< host or device memory exhausted
  Cuda = 6,            ///< a CUDA runtime or kernel error
  Unsupported = 7,     ///< a feature this build or device lacks (e.g. CUDA tensors in a CPU-only build)
  Internal = 8,        ///< a bug in trackkit or an unexpected error from a dependency
};

/// Short lower-case name of a code, e.g. "invalid argument".
TRACKKIT_API const char* error_code_name(ErrorCode code) noexcept;

/// Thrown for every error trackkit reports. what() is a complete sentence that names the function and
/// the argument at fault, e.g. "box_iou: boxes1 must have shape [N,4], got [5,3]".
class TRACKKIT_API Error : public std::runtime_error {
 public:
  Error(ErrorCode code, const std::string& message);
  ErrorCode code() const noexcept { return code_; }

 private:
  ErrorCode code_;
};

/// Throws Error(code, "<function>: <argument> <problem>").
[[noreturn]] TRACKKIT_API void fail_argument(std::string_view function, std::string_view argument,
                                             std::string_view problem, ErrorCode code = ErrorCode::InvalidArgument);

} // namespace trackkit
