#include "trackkit/check.hpp"

#include <ATen/ATen.h>

#include <algorithm>
#include <sstream>
#include <string>

namespace trackkit {
namespace {

std::string dtype_list(std::initializer_list<at::ScalarType> types) {
  std::string text;
  for (auto type : types) {
    if (!text.empty()) text += " or ";
    text += c10::toString(type);
  }
  return text;
}

std::string expected_shape(std::initializer_list<Dim> dims) {
  std::string text = "[";
  for (const Dim& d : dims) {
    if (text.size() > 1) text += ",";
    text += d.name != nullptr ? std::string(d.name) : std::to_string(d.size);
  }
  return text + "]";
}

} // namespace

std::string shape_string(at::IntArrayRef sizes) {
  std::string text = "[";
  for (size_t i = 0; i < sizes.size(); ++i) {
    if (i) text += ",";
    text += std::to_string(sizes[i]);
  }
  return text + "]";
}

TensorCheck::TensorCheck(std::string_view function, std::string_view argument, const at::Tensor& tensor)
    : function_(function), argument_(argument), tensor_(tensor) {
  if (!tensor_.defined()) fail("is an undefined tensor");
}

void TensorCheck::fail(std::string_view problem, ErrorCode code) const {
  fail_argument(function_, argument_, problem, code);
}

TensorCheck& TensorCheck::dim(int64_t ndim) {
  if (tensor_.dim() != ndim) {
    fail("must have " + std::to_string(ndim) + " dimensions, got shape " + shape_string(tensor_.sizes()));
  }
  return *this;
}

TensorCheck& TensorCheck::shape(std::initializer_list<Dim> dims) {
  bool ok = tensor_.dim() == static_cast<int64_t>(dims.size());
  int64_t i = 0;
  for (auto it = dims.begin(); ok && it != dims.end(); ++it, ++i) {
    ok = it->name != nullptr || tensor_.size(i) == it->size;
  }
  if (!ok) fail("must have shape " + expected_shape(dims) + ", got " + shape_string(tensor_.sizes()));
  return *this;
}

TensorCheck& TensorCheck::last_dim(int64_t last, int64_t min_dim, int64_t max_dim) {
  const int64_t n = tensor_.dim();
  if (n < min_dim || n > max_dim || tensor_.size(-1) != last) {
    std::ostringstream os;
    os << "must have shape [...," << last << "] with " << min_dim << " to " << max_dim << " dimensions, got "
       << shape_string(tensor_.sizes());
    fail(os.str());
  }
  return *this;
}

TensorCheck& TensorCheck::dtype(at::ScalarType type) { return dtype({type}); }

TensorCheck& TensorCheck::dtype(std::initializer_list<at::ScalarType> types) {
  if (std::find(types.begin(), types.end(), tensor_.scalar_type()) == types.end()) {
    fail("must have dtype " + dtype_list(types) + ", got " + c10::toString(tensor_.scalar_type()));
  }
  return *this;
}

TensorCheck& TensorCheck::floating() { return dtype({at::kHalf, at::kBFloat16, at::kFloat, at::kDouble}); }

TensorCheck& TensorCheck::device_type(c10::DeviceType type) {
  if (tensor_.device().type() != type) {
    fail("must be on " + c10::DeviceTypeName(type, /*lower_case=*/true) + ", got a tensor on " + tensor_.device().str(),
         ErrorCode::Device);
  }
  return *this;
}

TensorCheck& TensorCheck::same_device(const at::Tensor& other, std::string_view other_argument) {
  if (other.defined() && tensor_.device() != other.device()) {
    fail("is on " + tensor_.device().str() + " but " + std::string(other_argument) + " is on " + other.device().str() +
             "; both must be on the same device",
         ErrorCode::Device);
  }
  return *this;
}

TensorCheck& TensorCheck::contiguous() {
  if (!tensor_.is_contiguous()) fail("must be contiguous (call .contiguous() first)");
  return *this;
}

TensorCheck& TensorCheck::non_empty() {
  if (tensor_.numel() == 0) fail("must not be empty, got shape " + shape_string(tensor_.sizes()));
  return *this;
}

TensorCheck& TensorCheck::finite() {
  if (tensor_.numel() > 0 && at::isfinite(tensor_).logical_not().any().item<bool>()) {
    fail_nonfinite();
  }
  return *this;
}

void TensorCheck::fail_nonfinite() const { fail("contains NaN or infinite values"); }

} // namespace trackkit
