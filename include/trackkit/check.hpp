#pragma once
// Argument checks for tensors. Each failure throws trackkit::Error whose message names the function, the
// argument, what was expected and what was given. Components check every public input with these.
//
//   TensorCheck("box_iou", "boxes1", boxes1).shape({"N", 4}).floating().device(boxes2.device(), "boxes2");
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include "trackkit/error.hpp"
#include "trackkit/export.hpp"

namespace trackkit {

/// One dimension of an expected shape: a fixed size, or a named free size ("N") that matches any size.
struct Dim {
  Dim(int64_t fixed_size) : size(fixed_size) {}   // NOLINT(google-explicit-constructor): {"N", 4} reads well
  Dim(const char* free_name) : name(free_name) {} // NOLINT(google-explicit-constructor)
  int64_t size = -1;
  const char* name = nullptr;
};

class TRACKKIT_API TensorCheck {
 public:
  /// Fails at once if the tensor is undefined.
  TensorCheck(std::string_view function, std::string_view argument, const at::Tensor& tensor);

  TensorCheck& dim(int64_t ndim);
  /// Exact rank and sizes; free dims match any size.
  TensorCheck& shape(std::initializer_list<Dim> dims);
  /// Rank within [min_dim, max_dim] and last dimension equal to `last`.
  TensorCheck& last_dim(int64_t last, int64_t min_dim = 1, int64_t max_dim = 8);
  TensorCheck& dtype(at::ScalarType type);
  TensorCheck& dtype(std::initializer_list<at::ScalarType> types);
  /// float16, bfloat16, float32 or float64.
  TensorCheck& floating();
  TensorCheck& device_type(c10::DeviceType type);
  /// Same device as another argument (named in the message).
  TensorCheck& same_device(const at::Tensor& other, std::string_view other_argument);
  TensorCheck& contiguous();
  TensorCheck& non_empty();
  /// No NaN or infinity. On CUDA this waits for the device (one reduction and a copy of one flag).
  TensorCheck& finite();

  /// Throws the error finite() throws (for kernels that detect non-finite values themselves).
  [[noreturn]] void fail_nonfinite() const;
  /// Throws Error(code, "<function>: <argument> <problem>").
  [[noreturn]] void fail(std::string_view problem, ErrorCode code = ErrorCode::InvalidArgument) const;

 private:
  std::string_view function_;
  std::string_view argument_;
  const at::Tensor& tensor_;
};

/// "[5,3]"-style shape text for messages.
TRACKKIT_API std::string shape_string(at::IntArrayRef sizes);

} // namespace trackkit
