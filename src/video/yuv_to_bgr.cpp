// yuv_to_bgr: argument checks, the coefficients of a YUV format, and the dispatch to the CPU or CUDA kernel
// (yuv_to_bgr_kernels.hpp).
#include "yuv_to_bgr.hpp"

#include <ATen/ATen.h>

#include <string>

#include "trackkit/check.hpp"
#include "trackkit/error.hpp"
#include "yuv_to_bgr_kernels.hpp"

#ifdef TRACKKIT_WITH_CUDA
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#endif

namespace trackkit {

namespace detail::video {

void luma_weights(ColorMatrix matrix, double& kr, double& kb) {
  switch (matrix) {
    case ColorMatrix::BT709: kr = 0.2126, kb = 0.0722; return;
    case ColorMatrix::BT2020: kr = 0.2627, kb = 0.0593; return;
    case ColorMatrix::BT601: break;
  }
  kr = 0.299, kb = 0.114;
}

YuvCoefficients coefficients(const YuvFormat& format) {
  double kr = 0, kb = 0;
  luma_weights(format.matrix, kr, kb);
  return yuv_coefficients(format.bits, format.full_range, kr, kb);
}

void convert_planes(const YuvPlanes& planes, const YuvFormat& format, bool rgb, uint8_t* out, int64_t out_row_bytes,
                    bool cuda, void* stream) {
  const YuvCoefficients c = coefficients(format);
  if (!cuda) return yuv_to_bgr_cpu(planes, c, rgb, out, out_row_bytes);
#ifdef TRACKKIT_WITH_CUDA
  yuv_to_bgr_cuda(planes, c, rgb, out, out_row_bytes, stream);
#else
  (void)stream;
  throw Error(ErrorCode::Unsupported, "yuv_to_bgr: CUDA planes, but trackkit was built without CUDA kernels");
#endif
}

} // namespace detail::video

const char* color_matrix_name(ColorMatrix matrix) noexcept {
  switch (matrix) {
    case ColorMatrix::BT709: return "bt709";
    case ColorMatrix::BT2020: return "bt2020";
    case ColorMatrix::BT601: break;
  }
  return "bt601";
}

// Standard-definition video (fewer than 720 rows) was made for BT.601 and high definition for BT.709; players and
// NVIDIA's decoder samples assume so when the stream does not say.
ColorMatrix default_color_matrix(int64_t height) noexcept {
  return height < 720 ? ColorMatrix::BT601 : ColorMatrix::BT709;
}

namespace {

detail::video::Plane plane_of(const at::Tensor& t) {
  const int64_t element = static_cast<int64_t>(t.element_size());
  return {static_cast<const uint8_t*>(t.data_ptr()), t.stride(0) * element, t.stride(1) * element,
          static_cast<int>(element), 0};
}

/// log2 of the chroma subsampling along one axis: 0 (as many samples as luma) or 1 (half, rounded up); else -1.
int subsampling(int64_t luma, int64_t chroma) { return chroma == luma ? 0 : chroma == (luma + 1) / 2 ? 1 : -1; }

} // namespace

at::Tensor yuv_to_bgr(const at::Tensor& y, const at::Tensor& u, const at::Tensor& v, const YuvFormat& format,
                      bool rgb) {
  constexpr const char* fn = "yuv_to_bgr";
  TensorCheck cy(fn, "y", y);
  cy.dtype({at::kByte, at::kUInt16}).dim(2).non_empty();
  if (!y.is_cpu() && !y.is_cuda()) cy.device_type(c10::kCPU);
  const bool bytes = y.scalar_type() == at::kByte;
  if (bytes ? format.bits != 8 : (format.bits < 9 || format.bits > 16)) {
    fail_argument(fn, "format.bits",
                  std::string("must be ") + (bytes ? "8 for uint8 planes" : "9..16 for uint16 planes") + ", got " +
                      std::to_string(format.bits));
  }
  TensorCheck(fn, "u", u).dtype(y.scalar_type()).dim(2).same_device(y, "y");
  TensorCheck(fn, "v", v).dtype(y.scalar_type()).dim(2).same_device(y, "y");
  const int shift_x = subsampling(y.size(1), u.size(1)), shift_y = subsampling(y.size(0), u.size(0));
  if (shift_x < 0 || shift_y < 0) {
    fail_argument(fn, "u",
                  "must be [H,W], [H,ceil(W/2)], [ceil(H/2),W] or [ceil(H/2),ceil(W/2)] for y " +
                      shape_string(y.sizes()) + ", got " + shape_string(u.sizes()));
  }
  if (!u.sizes().equals(v.sizes()))
    fail_argument(fn, "v", "must have u's shape " + shape_string(u.sizes()) + ", got " + shape_string(v.sizes()));
  for (const auto& [name, t] : {std::pair<const char*, const at::Tensor&>{"y", y}, {"u", u}, {"v", v}})
    if (t.stride(0) < 0 || t.stride(1) < 0) fail_argument(fn, name, "must have non-negative strides");
  detail::video::YuvPlanes planes{plane_of(y), plane_of(u), plane_of(v), shift_x, shift_y, y.size(1), y.size(0)};
  if (!bytes && format.msb_aligned) planes.y.shift = planes.u.shift = planes.v.shift = 16 - format.bits;
  at::Tensor out = at::empty({y.size(0), y.size(1), 3}, y.options().dtype(at::kByte));
  void* stream = nullptr;
#ifdef TRACKKIT_WITH_CUDA
  const c10::cuda::OptionalCUDAGuard guard(y.is_cuda() ? std::optional<c10::Device>(y.device()) : std::nullopt);
  if (y.is_cuda()) stream = c10::cuda::getCurrentCUDAStream(y.device().index()).stream();
#endif
  detail::video::convert_planes(planes, format, rgb, out.data_ptr<uint8_t>(), y.size(1) * 3, y.is_cuda(), stream);
  return out;
}

} // namespace trackkit
