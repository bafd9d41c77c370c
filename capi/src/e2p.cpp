// C ABI for trackkit/e2p.hpp.
#include <ATen/ATen.h>
#include <ATen/DLConvertor.h>

#include <string>
#include <type_traits>
#include <vector>

#include "config.hpp"
#include "guard.hpp"
#include "stream.hpp"
#include "tensor.hpp"
#include "trackkit/e2p.hpp"

struct tk_e2p {
  trackkit::EquirectToPinhole e2p;
  void* cuda_stream = nullptr; ///< tk_e2p_set_cuda_stream's: used for frames on its device
};

namespace {

using trackkit::fail_argument;

tk_e2p_view to_c(const trackkit::PinholeView& v) {
  tk_e2p_view c{};
  c.struct_size = sizeof(c);
  c.yaw = v.yaw, c.pitch = v.pitch, c.roll = v.roll, c.width = v.width, c.height = v.height;
  c.hfov = v.hfov, c.vfov = v.vfov, c.fx = v.fx, c.fy = v.fy;
  return c;
}

trackkit::PinholeView from_c(const tk_e2p_view& c) {
  trackkit::PinholeView v;
  v.yaw = c.yaw, v.pitch = c.pitch, v.roll = c.roll, v.width = c.width, v.height = c.height;
  v.hfov = c.hfov, v.vfov = c.vfov, v.fx = c.fx, v.fy = c.fy;
  return v;
}

tk_e2p_config to_config(const trackkit::E2POptions& o) {
  tk_e2p_config c{};
  c.struct_size = sizeof(c);
  c.interpolation = static_cast<int32_t>(o.interpolation), c.layout = static_cast<int32_t>(o.layout);
  c.cuda_pixels_per_thread = o.cuda_pixels_per_thread, c.cuda_wide_loads = o.cuda_wide_loads ? 1 : 0;
  c.cuda_tiles = o.cuda_tiles ? 1 : 0;
  return c;
}

trackkit::E2POptions to_options(const char* fn, const tk_e2p_config* config) {
  const tk_e2p_config c = trackkit::capi::read_struct(fn, config, to_config({}));
  trackkit::capi::require_enum(fn, "config->interpolation", c.interpolation, TK_E2P_BICUBIC, "tk_e2p_interpolation");
  trackkit::capi::require_enum(fn, "config->layout", c.layout, TK_E2P_NCHW, "tk_e2p_layout");
  if (c.reserved != 0) fail_argument(fn, "config->reserved", "must be 0, got " + std::to_string(c.reserved));
  trackkit::E2POptions o;
  o.interpolation = static_cast<trackkit::E2PInterpolation>(c.interpolation);
  o.layout = static_cast<trackkit::E2PLayout>(c.layout);
  o.cuda_pixels_per_thread = c.cuda_pixels_per_thread, o.cuda_wide_loads = c.cuda_wide_loads != 0;
  o.cuda_tiles = c.cuda_tiles != 0;
  return o;
}

/// The byte distance between the elements of a caller's view array: views[0].struct_size (docs/c-abi.md), which
/// must keep every element aligned.
size_t view_stride(const char* fn, const tk_e2p_view* views) {
  trackkit::capi::require_pointer(fn, "views", views);
  const size_t stride = views->struct_size;
  if (stride < trackkit::capi::FirstLayout<tk_e2p_view>::size || stride % alignof(tk_e2p_view) != 0) {
    fail_argument(fn, "views[0].struct_size",
                  "is " + std::to_string(stride) + ": set each view with tk_e2p_view_init(&views[i], sizeof views[i])");
  }
  return stride;
}

/// views[i] of an array whose elements lie `stride` bytes apart; each must carry that same struct_size.
template <typename View>
View* element(const char* fn, View* views, size_t stride, size_t i) {
  using Byte = std::conditional_t<std::is_const_v<View>, const char, char>;
  View* e = reinterpret_cast<View*>(reinterpret_cast<Byte*>(views) + i * stride);
  if (e->struct_size != stride) {
    fail_argument(fn, "views[" + std::to_string(i) + "].struct_size",
                  "is " + std::to_string(e->struct_size) + " but views[0].struct_size is " + std::to_string(stride) +
                      " (the elements of a view array lie views[0].struct_size bytes apart; initialise each with "
                      "tk_e2p_view_init)");
  }
  return e;
}

std::vector<trackkit::PinholeView> read_views(const char* fn, const tk_e2p_view* views, size_t count) {
  const size_t stride = view_stride(fn, views);
  const tk_e2p_view defaults = to_c({});
  std::vector<trackkit::PinholeView> out;
  for (size_t i = 0; i < count; ++i) {
    const tk_e2p_view* e = element(fn, views, stride, i);
    out.push_back(from_c(trackkit::capi::read_struct(fn, e, defaults, "views[" + std::to_string(i) + "]")));
  }
  return out;
}

/// Every element is checked before the first is written, so a failed call leaves the array as it was.
void write_views(const char* fn, const std::vector<trackkit::PinholeView>& views, tk_e2p_view* out) {
  const size_t stride = view_stride(fn, out);
  for (size_t i = 0; i < views.size(); ++i) element(fn, out, stride, i);
  for (size_t i = 0; i < views.size(); ++i) {
    trackkit::capi::write_struct(fn, element(fn, out, stride, i), to_c(views[i]), "views[" + std::to_string(i) + "]");
  }
}

/// The handle's stream for frames on a CUDA device (it must be that device's); CPU frames need none.
void* stream_for_frames(const char* fn, const tk_e2p& e2p, const at::Tensor& frames) {
  return trackkit::capi::stream_for(fn, e2p.cuda_stream, frames);
}

/// `out` of tk_e2p_project_into must be compact row-major in the caller's memory: any other strides would make the
/// borrowed tensor a copy (negative strides) or a layout the kernels do not write.
void require_compact(const char* fn, const DLTensor* out) {
  trackkit::capi::require_pointer(fn, "out", out);
  if (out->strides == nullptr || out->ndim <= 0 || out->shape == nullptr) return; // NULL strides: compact
  int64_t expected = 1;
  for (int32_t d = out->ndim - 1; d >= 0; --d) {
    if (out->shape[d] != 1 && out->strides[d] != expected) {
      fail_argument(fn, "out",
                    "must be compact row-major (C-contiguous), but dimension " + std::to_string(d) + " has stride " +
                        std::to_string(out->strides[d]) + " where " + std::to_string(expected) + " is expected");
    }
    expected *= out->shape[d];
  }
}

c10::ScalarType frame_dtype(const char* fn, DLDataType dtype) {
  c10::ScalarType type = c10::kByte;
  bool known = dtype.lanes == 1;
  if (known) {
    try {
      type = at::toScalarType(dtype);
    } catch (const c10::Error&) {
      known = false;
    }
  }
  if (!known || (type != c10::kByte && type != c10::kHalf && type != c10::kFloat)) {
    fail_argument(fn, "dtype",
                  "must be uint8, float16 or float32 (DLPack code, bits, lanes 1/8/1, 2/16/1 or 2/32/1), got " +
                      std::to_string(dtype.code) + "/" + std::to_string(dtype.bits) + "/" +
                      std::to_string(dtype.lanes));
  }
  return type;
}

c10::Device frame_device(const char* fn, DLDevice device) {
  switch (device.device_type) {
    case kDLCPU:
    case kDLCUDAHost: return c10::Device(c10::kCPU);
    case kDLCUDA:
    case kDLCUDAManaged:
      if (device.device_id < 0 || device.device_id >= trackkit::cuda_device_count()) {
        fail_argument(fn, "device",
                      "is CUDA device " + std::to_string(device.device_id) + " but " +
                          std::to_string(trackkit::cuda_device_count()) + " GPU(s) are visible",
                      trackkit::ErrorCode::Device);
      }
      return c10::Device(c10::kCUDA, static_cast<c10::DeviceIndex>(device.device_id));
    default:
      fail_argument(fn, "device", "has an unsupported DLPack device type " + std::to_string(device.device_type),
                    trackkit::ErrorCode::Device);
  }
}

} // namespace

extern "C" {

TK_API tk_status tk_e2p_view_init(tk_e2p_view* view, size_t struct_size) {
  constexpr const char* fn = "tk_e2p_view_init";
  return trackkit::capi::tk_guard(fn, [&] { trackkit::capi::init_struct(fn, view, struct_size, to_c({}), "view"); });
}

TK_API tk_status tk_e2p_config_init(tk_e2p_config* config, size_t struct_size) {
  constexpr const char* fn = "tk_e2p_config_init";
  return trackkit::capi::tk_guard(fn, [&] { trackkit::capi::init_struct(fn, config, struct_size, to_config({})); });
}

TK_API tk_status tk_e2p_horizon_views(int32_t n, int64_t width, int64_t height, double hfov, double pitch,
                                      double first_yaw, tk_e2p_view* views) {
  constexpr const char* fn = "tk_e2p_horizon_views";
  return trackkit::capi::tk_guard(fn, [&] {
    trackkit::capi::require_pointer(fn, "views", views);
    write_views(fn, trackkit::EquirectToPinhole::horizon(n, width, height, hfov, pitch, first_yaw), views);
  });
}

TK_API tk_status tk_e2p_cube_views(int64_t size, tk_e2p_view* views) {
  constexpr const char* fn = "tk_e2p_cube_views";
  return trackkit::capi::tk_guard(fn, [&] {
    trackkit::capi::require_pointer(fn, "views", views);
    write_views(fn, trackkit::EquirectToPinhole::cube_faces(size), views);
  });
}

TK_API tk_status tk_e2p_create(const tk_e2p_config* config, const tk_e2p_view* views, size_t count, tk_e2p** e2p) {
  constexpr const char* fn = "tk_e2p_create";
  return trackkit::capi::tk_guard(fn, [&] {
    trackkit::capi::require_pointer(fn, "e2p", e2p);
    *e2p = nullptr;
    const trackkit::E2POptions options = to_options(fn, config);
    *e2p = new tk_e2p{trackkit::EquirectToPinhole(read_views(fn, views, count), options)};
  });
}

TK_API void tk_e2p_destroy(tk_e2p* e2p) { delete e2p; }

TK_API tk_status tk_e2p_set_cuda_stream(tk_e2p* e2p, void* cuda_stream) {
  constexpr const char* fn = "tk_e2p_set_cuda_stream";
  return trackkit::capi::tk_guard(fn, [&] {
    trackkit::capi::require_pointer(fn, "e2p", e2p);
    // The handle has no device of its own: any valid stream is kept, and each call checks it against its frames.
    e2p->cuda_stream = trackkit::capi::checked_stream(fn, cuda_stream, c10::Device(c10::kCPU));
  });
}

TK_API tk_status tk_e2p_project(const tk_e2p* e2p, const DLTensor* frames, DLManagedTensorVersioned** views) {
  constexpr const char* fn = "tk_e2p_project";
  return trackkit::capi::tk_guard(fn, [&] {
    trackkit::capi::require_pointer(fn, "e2p", e2p);
    trackkit::capi::require_pointer(fn, "views", views);
    const at::Tensor f = trackkit::capi::borrow_dltensor(fn, "frames", frames);
    const trackkit::CudaStreamScope stream_scope(stream_for_frames(fn, *e2p, f));
    trackkit::capi::give_dltensor(fn, "views", e2p->e2p.project(f), views);
  });
}

TK_API tk_status tk_e2p_project_into(const tk_e2p* e2p, const DLTensor* frames, const DLTensor* out) {
  constexpr const char* fn = "tk_e2p_project_into";
  return trackkit::capi::tk_guard(fn, [&] {
    trackkit::capi::require_pointer(fn, "e2p", e2p);
    const at::Tensor f = trackkit::capi::borrow_dltensor(fn, "frames", frames);
    require_compact(fn, out);
    at::Tensor o = trackkit::capi::borrow_dltensor(fn, "out", out);
    const trackkit::CudaStreamScope stream_scope(stream_for_frames(fn, *e2p, f));
    e2p->e2p.project_into(f, o); // checks out's shape, dtype and device against the frames, naming `out`
  });
}

TK_API tk_status tk_e2p_batch_capacity(const tk_e2p* e2p, int64_t height, int64_t width, int64_t channels,
                                       DLDataType dtype, DLDevice device, double fraction, int64_t* capacity) {
  constexpr const char* fn = "tk_e2p_batch_capacity";
  return trackkit::capi::tk_guard(fn, [&] {
    trackkit::capi::require_pointer(fn, "e2p", e2p);
    trackkit::capi::require_pointer(fn, "capacity", capacity);
    if (height <= 0) fail_argument(fn, "height", "must be > 0, got " + std::to_string(height));
    if (width <= 0) fail_argument(fn, "width", "must be > 0, got " + std::to_string(width));
    if (channels <= 0) fail_argument(fn, "channels", "must be > 0, got " + std::to_string(channels));
    const c10::ScalarType type = frame_dtype(fn, dtype);
    // A frame's bytes must be representable: the capacity divides free memory by them (in int64).
    int64_t bytes = static_cast<int64_t>(c10::elementSize(type));
    if (__builtin_mul_overflow(bytes, height, &bytes) || __builtin_mul_overflow(bytes, width, &bytes) ||
        __builtin_mul_overflow(bytes, channels, &bytes)) {
      fail_argument(fn, "height",
                    "x width x channels is beyond int64 bytes (" + std::to_string(height) + " x " +
                        std::to_string(width) + " x " + std::to_string(channels) + ")");
    }
    const c10::Device where = frame_device(fn, device);
    if (fraction == 0) fraction = 0.5; // the documented default
    if (!(fraction > 0 && fraction <= 1)) {
      fail_argument(fn, "fraction", "must be in (0,1] (0: 0.5), got " + std::to_string(fraction));
    }
    *capacity = e2p->e2p.batch_capacity(height, width, channels, type, where, fraction);
  });
}

TK_API tk_status tk_e2p_source_coordinates(const tk_e2p* e2p, int64_t height, int64_t width,
                                           DLManagedTensorVersioned** coordinates) {
  constexpr const char* fn = "tk_e2p_source_coordinates";
  return trackkit::capi::tk_guard(fn, [&] {
    trackkit::capi::require_pointer(fn, "e2p", e2p);
    trackkit::capi::require_pointer(fn, "coordinates", coordinates);
    trackkit::capi::give_dltensor(fn, "coordinates", e2p->e2p.source_coordinates(height, width), coordinates);
  });
}

} // extern "C"
