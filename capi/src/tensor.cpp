#include "tensor.hpp"

#include <ATen/ATen.h>
#include <ATen/DLConvertor.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "guard.hpp"
#include "trackkit/device.hpp"

namespace trackkit::capi {
namespace {
constexpr int32_t kMaxDims = 16;
}

at::Tensor borrow_dltensor(const char* function, const char* argument, const DLTensor* tensor) {
  require_pointer(function, argument, tensor);
  if (tensor->ndim < 0 || tensor->ndim > kMaxDims) {
    fail_argument(function, argument, "has ndim " + std::to_string(tensor->ndim) + ", expected 0 to 16");
  }
  if (tensor->ndim > 0 && tensor->shape == nullptr) fail_argument(function, argument, "has a NULL shape");
  std::vector<int64_t> sizes(tensor->shape, tensor->shape + tensor->ndim);
  int64_t numel = 1;
  for (int64_t s : sizes) {
    if (s < 0) fail_argument(function, argument, "has a negative size in its shape");
    if (__builtin_mul_overflow(numel, s, &numel))
      fail_argument(function, argument, "has a shape whose element count overflows int64");
  }
  if (tensor->dtype.lanes != 1) fail_argument(function, argument, "has vector lanes; only lanes == 1 is supported");
  at::ScalarType type;
  try {
    type = at::toScalarType(tensor->dtype);
  } catch (const c10::Error&) {
    fail_argument(function, argument,
                  "has an unsupported DLPack dtype (code " + std::to_string(tensor->dtype.code) + ", bits " +
                      std::to_string(tensor->dtype.bits) + ")");
  }
  at::Device device(at::kCPU);
  switch (tensor->device.device_type) {
    case kDLCPU:
    case kDLCUDAHost: break; // pinned host memory is CPU memory to ATen
    case kDLCUDA:
    case kDLCUDAManaged:
      if (!built_with_cuda()) {
        fail_argument(function, argument, "is CUDA memory but trackkit was built without CUDA", ErrorCode::Unsupported);
      }
      if (tensor->device.device_id < 0 || tensor->device.device_id >= cuda_device_count()) {
        fail_argument(function, argument,
                      "is on CUDA device " + std::to_string(tensor->device.device_id) + " but " +
                          std::to_string(cuda_device_count()) + " GPU(s) are visible",
                      ErrorCode::Device);
      }
      device = at::Device(at::kCUDA, static_cast<c10::DeviceIndex>(tensor->device.device_id));
      break;
    default:
      fail_argument(function, argument,
                    "is on an unsupported DLPack device type " + std::to_string(tensor->device.device_type),
                    ErrorCode::Device);
  }
  if (numel > 0 && tensor->data == nullptr) fail_argument(function, argument, "has NULL data");
  auto options = at::TensorOptions().dtype(type).device(device);
  const auto element_size = static_cast<int64_t>(at::elementSize(type));
  // Pointer arithmetic on NULL (an empty tensor may have no data) or past the address space is undefined.
  if (tensor->byte_offset > UINTPTR_MAX - reinterpret_cast<uintptr_t>(tensor->data))
    fail_argument(function, argument, "has a byte_offset beyond the end of the address space");
  void* data = tensor->data == nullptr ? nullptr : static_cast<char*>(tensor->data) + tensor->byte_offset;
  // Misaligned elements are undefined behaviour for CPU loads and a fault for CUDA ones.
  if (numel > 0 && reinterpret_cast<uintptr_t>(data) % static_cast<uintptr_t>(element_size) != 0)
    fail_argument(function, argument,
                  "has data + byte_offset not aligned to its " + std::to_string(element_size) + "-byte elements");
  // Row-major strides: LibTorch computes them for this shape (from_blob without strides, empty, contiguous) and
  // throws where they overflow, which only an empty tensor's shape can make them do (a zero beside huge sizes).
  std::vector<int64_t> strides(tensor->ndim);
  for (int64_t d = tensor->ndim - 1, step = 1; d >= 0; --d) {
    strides[d] = step;
    if (d > 0 && __builtin_mul_overflow(step, std::max<int64_t>(sizes[d], 1), &step))
      fail_argument(function, argument, "has a shape whose row-major strides overflow int64");
  }
  if (tensor->strides != nullptr) strides.assign(tensor->strides, tensor->strides + tensor->ndim);
  // The bytes the view spans must be computable: LibTorch computes them in a noexcept function that aborts on
  // overflow (a huge stride from a caller would end the process).
  int64_t span = 1;
  for (int64_t d = 0; numel > 0 && d < tensor->ndim; ++d) {
    int64_t step = 0;
    if (strides[d] == INT64_MIN || __builtin_mul_overflow(std::abs(strides[d]), sizes[d] - 1, &step) ||
        __builtin_add_overflow(span, step, &span) || __builtin_mul_overflow(span, element_size, &step))
      fail_argument(function, argument, "has strides whose byte extent overflows int64");
  }
  if (tensor->strides == nullptr) return at::from_blob(data, sizes, options); // compact row-major
  if (numel == 0) return at::empty(sizes, options); // no element to view: the strides (unchecked above) do not matter
  // LibTorch has no negative strides: view the same elements from the lowest address with |stride| and flip
  // those dimensions back (a copy, the only one borrowing makes).
  std::vector<int64_t> flipped;
  int64_t lowest = 0;
  for (int64_t d = 0; d < tensor->ndim; ++d) {
    if (strides[d] < 0 && sizes[d] > 1) {
      lowest += strides[d] * (sizes[d] - 1);
      strides[d] = -strides[d];
      flipped.push_back(d);
    } else if (strides[d] < 0) { // size 1: index 0 only, whatever the stride; LibTorch would replace a negative
      strides[d] = 0;            // one with a stride of its own, which can overflow
    }
  }
  if (flipped.empty()) return at::from_blob(data, sizes, strides, options);
  void* start = static_cast<char*>(data) + lowest * element_size;
  // at::flip has no kernel for some dtypes (uint16/32/64): flip the same bytes as a type of that size it has.
  const at::ScalarType carrier = element_size == 1   ? at::kByte
                                 : element_size == 2 ? at::kShort
                                 : element_size == 4 ? at::kInt
                                 : element_size == 8 ? at::kLong
                                                     : at::kComplexDouble;
  return at::flip(at::from_blob(start, sizes, strides, options).view(carrier), flipped).view(type);
}

void give_dltensor(const char* function, const char* argument, const at::Tensor& tensor,
                   DLManagedTensorVersioned** out) {
  require_pointer(function, argument, out);
  *out = at::toDLPackVersioned(tensor);
}

} // namespace trackkit::capi

extern "C" TK_API void tk_tensor_free(DLManagedTensorVersioned* tensor) {
  if (tensor != nullptr && tensor->deleter != nullptr) tensor->deleter(tensor);
}
