// trackkit::capi::borrow_dltensor (capi/src/tensor.cpp), the DLPack import behind every tk_* function that takes a
// tensor, on a DLTensor decoded from the fuzzer's bytes: ndim, shape (or NULL), strides (or NULL), byte_offset,
// dtype, device, data (or NULL). It must return a tensor or throw trackkit::Error; another exception, a crash or a
// sanitizer report is a finding.
//
// The harness places the view in a fixed heap buffer wherever it fits there. Then every element of the returned
// tensor (a sample of 4096 for larger views) must hold the bytes DLPack's rule locates,
// data + byte_offset + sum(index[d] * strides[d]) * element bytes, and ASan checks each read. A view that does not
// fit the buffer is passed only where the import reads no memory (no negative stride, or an extent that overflows
// int64, which the import must refuse); the library cannot know how large the caller's memory is.
#include <ATen/core/Tensor.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "fuzz_input.hpp"
#include "tensor.hpp"
#include "trackkit/error.hpp"

using trackkit::fuzz::require;

namespace {

constexpr int64_t kBufferBytes = 4096;
constexpr int64_t kSampledElements = 4096;
constexpr int64_t kMaxCopyBytes = int64_t{8} << 20; // a negative-stride view is copied; keep copies small

const uint8_t* buffer() {
  static const uint8_t* const bytes = [] {
    auto* b = new uint8_t[kBufferBytes];
    for (int64_t i = 0; i < kBufferBytes; ++i) b[i] = static_cast<uint8_t>(i * 131 + 7); // no two neighbours alike
    return b;
  }();
  return bytes;
}

// A value that is mostly small (what real tensors have), sometimes any 64-bit value (what overflows).
int64_t small_or_raw(trackkit::fuzz::Bytes& in, int64_t modulus, int64_t shift) {
  const uint8_t b = in.byte();
  return b >= 0xF0 ? in.take<int64_t>() : static_cast<int64_t>(b % modulus) - shift;
}

DLDataType decode_dtype(trackkit::fuzz::Bytes& in) {
  static const DLDataType kValid[] = {{kDLInt, 8, 1},       {kDLInt, 16, 1},    {kDLInt, 32, 1},   {kDLInt, 64, 1},
                                      {kDLUInt, 8, 1},      {kDLUInt, 16, 1},   {kDLFloat, 16, 1}, {kDLFloat, 32, 1},
                                      {kDLFloat, 64, 1},    {kDLBfloat, 16, 1}, {kDLBool, 8, 1},   {kDLComplex, 64, 1},
                                      {kDLComplex, 128, 1}, {kDLUInt, 32, 1},   {kDLUInt, 64, 1}};
  const uint8_t b = in.byte();
  if (b < 0xF0) return kValid[b % (sizeof(kValid) / sizeof(kValid[0]))];
  DLDataType raw{};
  raw.code = in.byte(), raw.bits = in.byte(), raw.lanes = in.take<uint16_t>();
  return raw;
}

// The lowest and highest element offsets a view spans (numel > 0), or false where they overflow int64.
bool element_extent(const std::vector<int64_t>& sizes, const std::vector<int64_t>& strides, int64_t& lo, int64_t& hi) {
  lo = hi = 0;
  for (size_t d = 0; d < sizes.size(); ++d) {
    int64_t reach = 0;
    if (__builtin_mul_overflow(strides[d], sizes[d] - 1, &reach)) return false;
    if (reach < 0 ? __builtin_add_overflow(lo, reach, &lo) : __builtin_add_overflow(hi, reach, &hi)) return false;
  }
  return true;
}

std::string describe(const DLTensor& t) {
  std::string s = "ndim " + std::to_string(t.ndim) + " dtype " + std::to_string(t.dtype.code) + "/" +
                  std::to_string(t.dtype.bits) + "/" + std::to_string(t.dtype.lanes) + " byte_offset " +
                  std::to_string(t.byte_offset) + " shape";
  for (int32_t d = 0; t.shape != nullptr && d < t.ndim && d < 16; ++d) s += " " + std::to_string(t.shape[d]);
  s += t.strides == nullptr ? " strides NULL" : " strides";
  for (int32_t d = 0; t.strides != nullptr && d < t.ndim && d < 16; ++d) s += " " + std::to_string(t.strides[d]);
  return s;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  trackkit::fuzz::Bytes in(data, size);
  DLTensor t{};
  const uint8_t ndim_byte = in.byte();
  t.ndim = ndim_byte >= 0xF8 ? in.take<int32_t>() : ndim_byte >= 0xE0 ? 6 + ndim_byte % 11 : ndim_byte % 6;
  const uint8_t mode = in.byte();
  const int32_t dims = std::clamp<int32_t>(t.ndim, 0, 16); // what the import may read
  std::vector<int64_t> shape(static_cast<size_t>(dims) + 1), strides(static_cast<size_t>(dims) + 1);
  for (int32_t d = 0; d < dims; ++d) shape[d] = small_or_raw(in, 13, 0);
  const bool given_strides = (mode & 1) != 0;
  for (int32_t d = 0; given_strides && d < dims; ++d) strides[d] = small_or_raw(in, 25, 12);
  t.shape = (mode & 6) == 6 && dims > 0 ? nullptr : shape.data();
  t.strides = given_strides ? strides.data() : nullptr;
  t.dtype = decode_dtype(in);
  const uint8_t device = in.byte();
  t.device = device < 0xF0 ? DLDevice{device % 2 == 0 ? kDLCPU : kDLCUDAHost, 0}
                           : DLDevice{static_cast<DLDeviceType>(in.take<int32_t>()), in.take<int32_t>()};
  const uint8_t placement = in.byte();
  const int64_t shift = placement % 16; // bytes past the view's lowest element: 1 to 15 misalign wider types

  // Where the harness can, it computes the view's extent and puts the view into the buffer.
  const int64_t element_bytes = std::max<int64_t>(1, t.dtype.bits / 8);
  const std::vector<int64_t> sizes(shape.begin(), shape.begin() + dims);
  std::vector<int64_t> used(strides.begin(), strides.begin() + dims);
  int64_t numel = 1;
  bool computable = t.ndim >= 0 && t.ndim <= 16 && t.shape != nullptr;
  for (int32_t d = 0; computable && d < dims; ++d)
    computable = sizes[d] >= 0 && !__builtin_mul_overflow(numel, sizes[d], &numel);
  for (int64_t d = dims - 1, step = 1; computable && numel > 0 && !given_strides && d >= 0; --d) {
    used[d] = step;
    computable = !__builtin_mul_overflow(step, std::max<int64_t>(sizes[d], 1), &step);
  }
  // DLPack's extent: (highest - lowest element + 1) * element bytes must fit int64 for a non-empty view.
  int64_t lo = 0, hi = 0, span = 0, start = 0, end = 0;
  computable =
      computable &&
      (numel == 0 || (element_extent(sizes, used, lo, hi) && !__builtin_sub_overflow(hi, lo, &span) &&
                      !__builtin_add_overflow(span, 1, &span) && !__builtin_mul_overflow(span, element_bytes, &span)));
  // In the buffer: the lowest element `shift` bytes from its start.
  bool fits = computable && numel > 0 && !__builtin_mul_overflow(-lo, element_bytes, &start) &&
              !__builtin_add_overflow(start, shift, &start) && !__builtin_add_overflow(span, shift, &end) &&
              end <= kBufferBytes;
  auto* base = const_cast<uint8_t*>(buffer());
  t.data = base;
  t.byte_offset = fits ? static_cast<uint64_t>(start) : static_cast<uint64_t>(shift);
  if (placement >= 0xF0) { // any offset from the bytes: rarely a fitting one
    t.byte_offset = in.take<uint64_t>();
    fits = false;
  } else if (placement >= 0xE8) { // no memory at all: right only for an empty view
    t.data = nullptr;
    fits = false;
  }
  bool copies = false; // the import copies (and so reads) a view with a negative stride over a size > 1
  int64_t copy_bytes = 0;
  for (int32_t d = 0; computable && given_strides && d < dims; ++d) copies = copies || (used[d] < 0 && sizes[d] > 1);
  if (copies && (__builtin_mul_overflow(numel, element_bytes, &copy_bytes) || copy_bytes > kMaxCopyBytes)) return 0;
  if (!fits && computable && numel > 0 && copies) return 0; // it would read memory the harness does not own

  at::Tensor view;
  try {
    view = trackkit::capi::borrow_dltensor("fuzz_dltensor", "tensor", &t);
  } catch (const trackkit::Error&) {
    return 0;
  }
  require(computable, "borrow_dltensor accepts only views whose extent fits int64", [&] { return describe(t); });
  require(view.sizes().vec() == sizes, "borrow_dltensor keeps the shape", [&] { return describe(t); });
  if (!fits || numel == 0) return 0;
  require(view.element_size() == element_bytes, "borrow_dltensor: element size = bits / 8",
          [&] { return describe(t); });
  const auto* got = static_cast<const uint8_t*>(view.data_ptr());
  const uint8_t* want = base + t.byte_offset;
  const int64_t step = std::max<int64_t>(1, numel / kSampledElements);
  for (int64_t i = 0; i < numel; i += step) {
    int64_t rest = i, got_at = 0, want_at = 0;
    for (int64_t d = dims - 1; d >= 0; --d) {
      const int64_t index = rest % sizes[d];
      rest /= sizes[d];
      got_at += index * view.stride(d);
      want_at += index * used[d];
    }
    require(std::memcmp(got + got_at * element_bytes, want + want_at * element_bytes, element_bytes) == 0,
            "borrow_dltensor: element i holds DLPack's bytes",
            [&] { return describe(t) + ", element " + std::to_string(i); });
  }
  return 0;
}
