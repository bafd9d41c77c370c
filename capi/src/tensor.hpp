#pragma once
// DLPack <-> at::Tensor for the C ABI.
#include <ATen/core/Tensor.h>

#include "trackkit/trackkit.h"

namespace trackkit::capi {

/// A tensor viewing the caller's DLTensor memory (no copy). Validates every field, naming `argument`.
at::Tensor borrow_dltensor(const char* function, const char* argument, const DLTensor* tensor);

/// Hands a tensor to the caller as a DLManagedTensorVersioned it owns; `out` must not be NULL.
void give_dltensor(const char* function, const char* argument, const at::Tensor& tensor,
                   DLManagedTensorVersioned** out);

} // namespace trackkit::capi
