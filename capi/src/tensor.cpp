#include "tensor.hpp"

#include <ATen/ATen.h>
#include <ATen/DLConvertor.h>

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
    numel *= s;
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
  void* data = static_cast<char*>(tensor->data) + tensor->byte_offset;
  if (tensor->strides == nullptr) return at::from_blob(data, sizes, options); // compact row-major
  std::vector<int64_t> strides(tensor->strides, tensor->strides + tensor->ndim);
  // LibTorch has no negative strides: view the same elements from the lowest address with |stride| and flip
  // those dimensions back (a copy, the only one borrowing makes).
  std::vector<int64_t> flipped;
  int64_t lowest = 0;
  for (int64_t d = 0; d < tensor->ndim; ++d) {
    if (strides[d] < 0 && sizes[d] > 1) {
      lowest += strides[d] * (sizes[d] - 1);
      strides[d] = -strides[d];
      flipped.push_back(d);
    }
  }
  if (flipped.empty()) return at::from_blob(data, sizes, strides, options);
  if (numel == 0) return at::empty(sizes, options);
  void* start = static_cast<char*>(data) + lowest * static_cast<int64_t>(at::elementSize(type));
  return at::flip(at::from_blob(start, sizes, strides, options), flipped);
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
