// C ABI for trackkit/e2p.hpp.
#include <ATen/ATen.h>

#include <string>
#include <vector>

#include "config.hpp"
#include "guard.hpp"
#include "tensor.hpp"
#include "trackkit/e2p.hpp"

struct tk_e2p {
  trackkit::EquirectToPinhole e2p;
};

namespace {

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
  c.cuda_pixels_per_thread = o.cuda_pixels_per_thread, c.cuda_wide_loads = o.cuda_wide_loads;
  c.cuda_tiles = o.cuda_tiles;
  return c;
}

trackkit::E2POptions to_options(const char* fn, const tk_e2p_config* config) {
  const tk_e2p_config c = trackkit::capi::read_config(fn, config, to_config({}), sizeof(tk_e2p_config));
  if (c.interpolation < TK_E2P_NEAREST || c.interpolation > TK_E2P_BICUBIC) {
    trackkit::fail_argument(fn, "config->interpolation",
                            "must be a tk_e2p_interpolation, got " + std::to_string(c.interpolation));
  }
  if (c.layout != TK_E2P_NHWC && c.layout != TK_E2P_NCHW) {
    trackkit::fail_argument(fn, "config->layout", "must be a tk_e2p_layout, got " + std::to_string(c.layout));
  }
  trackkit::E2POptions o;
  o.interpolation = static_cast<trackkit::E2PInterpolation>(c.interpolation);
  o.layout = static_cast<trackkit::E2PLayout>(c.layout);
  o.cuda_pixels_per_thread = c.cuda_pixels_per_thread, o.cuda_wide_loads = c.cuda_wide_loads != 0;
  o.cuda_tiles = c.cuda_tiles != 0;
  return o;
}

/// views[i] of an array whose elements lie views[0].struct_size bytes apart (an older, shorter struct keeps the
/// library's defaults for the fields it lacks).
std::vector<trackkit::PinholeView> read_views(const char* fn, const tk_e2p_view* views, size_t count) {
  trackkit::capi::require_pointer(fn, "views", views);
  const tk_e2p_view defaults = to_c({});
  const size_t stride = views->struct_size;
  std::vector<trackkit::PinholeView> out;
  for (size_t i = 0; i < count; ++i) {
    const auto* element = reinterpret_cast<const tk_e2p_view*>(reinterpret_cast<const char*>(views) + i * stride);
    out.push_back(from_c(
        trackkit::capi::read_config(fn, element, defaults, sizeof(tk_e2p_view), "views[" + std::to_string(i) + "]")));
  }
  return out;
}

void write_views(const std::vector<trackkit::PinholeView>& views, tk_e2p_view* out) {
  for (size_t i = 0; i < views.size(); ++i) out[i] = to_c(views[i]);
}

} // namespace

extern "C" {

TK_API tk_e2p_view tk_e2p_view_defaults(void) { return to_c({}); }
TK_API tk_e2p_config tk_e2p_config_defaults(void) { return to_config({}); }

TK_API tk_status tk_e2p_horizon_views(int32_t n, int64_t width, int64_t height, double hfov, double pitch,
                                      double first_yaw, tk_e2p_view* views) {
  constexpr const char* fn = "tk_e2p_horizon_views";
  return trackkit::capi::tk_guard(fn, [&] {
    trackkit::capi::require_pointer(fn, "views", views);
    write_views(trackkit::EquirectToPinhole::horizon(n, width, height, hfov, pitch, first_yaw), views);
  });
}

TK_API tk_status tk_e2p_cube_views(int64_t size, tk_e2p_view* views) {
  constexpr const char* fn = "tk_e2p_cube_views";
  return trackkit::capi::tk_guard(fn, [&] {
    trackkit::capi::require_pointer(fn, "views", views);
    write_views(trackkit::EquirectToPinhole::cube_faces(size), views);
  });
}

TK_API tk_status tk_e2p_create(const tk_e2p_config* config, const tk_e2p_view* views, size_t count, tk_e2p** e2p) {
  constexpr const char* fn = "tk_e2p_create";
  return trackkit::capi::tk_guard(fn, [&] {
    trackkit::capi::require_pointer(fn, "e2p", e2p);
    *e2p = nullptr;
    *e2p = new tk_e2p{trackkit::EquirectToPinhole(read_views(fn, views, count), to_options(fn, config))};
  });
}

TK_API void tk_e2p_destroy(tk_e2p* e2p) { delete e2p; }

TK_API tk_status tk_e2p_project(const tk_e2p* e2p, const DLTensor* frames, DLManagedTensorVersioned** views) {
  constexpr const char* fn = "tk_e2p_project";
  return trackkit::capi::tk_guard(fn, [&] {
    trackkit::capi::require_pointer(fn, "e2p", e2p);
    trackkit::capi::require_pointer(fn, "views", views);
    const at::Tensor f = trackkit::capi::borrow_dltensor(fn, "frames", frames);
    trackkit::capi::give_dltensor(fn, "views", e2p->e2p.project(f), views);
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
