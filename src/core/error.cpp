#include "trackkit/error.hpp"

#include <string>

namespace trackkit {

const char* error_code_name(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::InvalidArgument: return "invalid argument";
    case ErrorCode::Device: return "device error";
    case ErrorCode::NotFound: return "not found";
    case ErrorCode::Model: return "model error";
    case ErrorCode::OutOfMemory: return "out of memory";
    case ErrorCode::Cuda: return "CUDA error";
    case ErrorCode::Unsupported: return "unsupported";
    case ErrorCode::Internal: return "internal error";
  }
  return "unknown error";
}

Error::Error(ErrorCode code, const std::string& message) : std::runtime_error(message), code_(code) {}

void fail_argument(std::string_view function, std::string_view argument, std::string_view problem, ErrorCode code) {
  std::string message;
  message.reserve(function.size() + argument.size() + problem.size() + 3);
  message.append(function).append(": ").append(argument).append(" ").append(problem);
  throw Error(code, message);
}

} // namespace trackkit
