#pragma once
// The one place where C++ exceptions stop: every tk_* entry point runs its body through tk_guard, which
// turns whatever is thrown into a tk_status and the thread-local message behind tk_last_error().
#include <c10/util/Exception.h>

#include <exception>
#include <new>
#include <stdexcept>
#include <string>
#include <utility>

#include "trackkit/error.hpp"
#include "trackkit/trackkit.h"

namespace trackkit::capi {

void set_last_error(std::string message);

inline tk_status status_of(ErrorCode code) { return static_cast<tk_status>(static_cast<int>(code)); }

/// LibTorch reports CUDA runtime and driver failures (an illegal address, a launch failure, a NVRTC error) as
/// c10::Error whose message begins so; they are TK_ERR_CUDA, not a trackkit bug.
inline bool is_cuda_message(const std::string& message) {
  return message.rfind("CUDA error", 0) == 0 || message.rfind("CUDA driver error", 0) == 0 ||
         message.rfind("CUDA kernel errors", 0) == 0 || message.find("cudaError") != std::string::npos;
}

/// LibTorch's CPU allocator reports an allocation it cannot make as a plain c10::Error ("DefaultCPUAllocator: not
/// enough memory: you tried to allocate ..."): that is TK_ERR_OUT_OF_MEMORY, as CUDA's OutOfMemoryError is.
inline bool is_host_memory_message(const std::string& message) {
  return message.find("DefaultCPUAllocator: not enough memory") != std::string::npos ||
         message.find("DefaultCPUAllocator: can't allocate memory") != std::string::npos;
}

template <typename Body>
tk_status tk_guard(const char* function, Body&& body) noexcept {
  try {
    std::forward<Body>(body)();
    set_last_error({});
    return TK_OK;
  } catch (const Error& e) {
    set_last_error(e.what());
    return status_of(e.code());
  } catch (const c10::OutOfMemoryError& e) {
    set_last_error(std::string(function) + ": out of memory: " + e.what_without_backtrace());
    return TK_ERR_OUT_OF_MEMORY;
  } catch (const c10::AcceleratorError& e) {
    set_last_error(std::string(function) + ": " + e.what_without_backtrace());
    return TK_ERR_CUDA;
  } catch (const c10::Error& e) {
    const std::string message = e.what_without_backtrace();
    if (is_host_memory_message(message)) {
      set_last_error(std::string(function) + ": out of host memory: " + message);
      return TK_ERR_OUT_OF_MEMORY;
    }
    set_last_error(std::string(function) + ": " + message);
    return is_cuda_message(message) ? TK_ERR_CUDA : TK_ERR_INTERNAL;
  } catch (const std::bad_alloc&) {
    set_last_error(std::string(function) + ": out of host memory");
    return TK_ERR_OUT_OF_MEMORY;
  } catch (const std::length_error& e) { // a container asked for more elements than memory can hold
    set_last_error(std::string(function) + ": out of host memory (" + e.what() + ")");
    return TK_ERR_OUT_OF_MEMORY;
  } catch (const std::exception& e) {
    set_last_error(std::string(function) + ": " + e.what());
    return TK_ERR_INTERNAL;
  } catch (...) {
    set_last_error(std::string(function) + ": unknown exception");
    return TK_ERR_INTERNAL;
  }
}

/// Fails with "<function>: <argument> is NULL" when a required pointer is missing.
template <typename T>
void require_pointer(const char* function, const char* argument, const T* pointer) {
  if (pointer == nullptr) fail_argument(function, argument, "is NULL");
}

} // namespace trackkit::capi
