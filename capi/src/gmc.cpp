// C ABI for trackkit/gmc.hpp.
#include <ATen/ATen.h>

#include <string>

#include "config.hpp"
#include "guard.hpp"
#include "stream.hpp"
#include "tensor.hpp"
#include "trackkit/gmc.hpp"

struct tk_gmc {
  trackkit::GMC gmc;
  void* cuda_stream = nullptr; // tk_gmc_set_cuda_stream's; CUDA frames' work runs on it
};

namespace {

tk_gmc_config to_config(const trackkit::GmcOptions& o) {
  tk_gmc_config c{};
  c.struct_size = sizeof(c);
  c.method = static_cast<int32_t>(o.method), c.ecc_motion = static_cast<int32_t>(o.ecc_motion);
  c.downscale = o.downscale, c.rgb = o.rgb, c.ecc_iterations = o.ecc_iterations, c.ecc_levels = o.ecc_levels;
  c.ecc_eps = o.ecc_eps, c.ecc_blur_sigma = o.ecc_blur_sigma, c.ecc_min_correlation = o.ecc_min_correlation;
  c.ecc_batched_on_cpu = o.ecc_batched_on_cpu, c.max_corners = o.max_corners, c.max_keypoints = o.max_keypoints;
  c.corner_level = o.corner_level, c.corner_quality = o.corner_quality;
  c.corner_min_distance = o.corner_min_distance, c.flow_window = o.flow_window, c.flow_levels = o.flow_levels;
  c.ransac_threshold = o.ransac_threshold, c.min_points = o.min_points, c.mask_detections = o.mask_detections;
  c.min_inlier_ratio = o.min_inlier_ratio, c.border = o.border, c.min_contrast = o.min_contrast;
  c.max_scale_change = o.max_scale_change;
  return c;
}

trackkit::GmcOptions to_options(const char* fn, const tk_gmc_config* config) {
  const tk_gmc_config c = trackkit::capi::read_struct(fn, config, to_config({}));
  trackkit::capi::require_enum(fn, "config->method", c.method, TK_GMC_SPARSE_OPTICAL_FLOW, "tk_gmc_method");
  trackkit::capi::require_enum(fn, "config->ecc_motion", c.ecc_motion, TK_ECC_HOMOGRAPHY, "tk_ecc_motion");
  trackkit::GmcOptions o;
  o.method = static_cast<trackkit::GmcMethod>(c.method), o.ecc_motion = static_cast<trackkit::EccMotion>(c.ecc_motion);
  o.downscale = c.downscale, o.rgb = c.rgb != 0, o.ecc_iterations = c.ecc_iterations, o.ecc_levels = c.ecc_levels;
  o.ecc_eps = c.ecc_eps, o.ecc_blur_sigma = c.ecc_blur_sigma, o.ecc_min_correlation = c.ecc_min_correlation;
  o.ecc_batched_on_cpu = c.ecc_batched_on_cpu != 0, o.max_corners = c.max_corners, o.max_keypoints = c.max_keypoints;
  o.corner_level = c.corner_level, o.corner_quality = c.corner_quality;
  o.corner_min_distance = c.corner_min_distance, o.flow_window = c.flow_window, o.flow_levels = c.flow_levels;
  o.ransac_threshold = c.ransac_threshold, o.min_points = c.min_points, o.mask_detections = c.mask_detections != 0;
  o.min_inlier_ratio = c.min_inlier_ratio, o.border = c.border, o.min_contrast = c.min_contrast;
  o.max_scale_change = c.max_scale_change;
  return o;
}

at::Tensor optional_tensor(const char* fn, const char* argument, const DLTensor* t) {
  return t == nullptr ? at::Tensor() : trackkit::capi::borrow_dltensor(fn, argument, t);
}

// float64 [N,4] = status, points, inliers, score, on the warps' device.
at::Tensor quality_rows(const trackkit::GmcBatchResult& r) {
  const auto as_double = [&](const at::Tensor& t) { return t.to(r.warps.device(), at::kDouble); };
  return at::stack({as_double(r.status), as_double(r.points), as_double(r.inliers), as_double(r.score)}, 1);
}

// Hands out a batch's warps and (when asked for) its quality rows: both or neither.
void give_batch(const char* fn, const trackkit::GmcBatchResult& r, DLManagedTensorVersioned** warps,
                DLManagedTensorVersioned** quality) {
  const at::Tensor q = quality != nullptr ? quality_rows(r) : at::Tensor();
  trackkit::capi::give_dltensor(fn, "warps", r.warps, warps);
  if (quality == nullptr) return;
  try {
    trackkit::capi::give_dltensor(fn, "quality", q, quality);
  } catch (...) {
    tk_tensor_free(*warps);
    *warps = nullptr;
    throw;
  }
}

} // namespace

trackkit::GmcOptions trackkit::capi::gmc_options(const char* function, const tk_gmc_config* config) {
  return to_options(function, config);
}
tk_gmc_config trackkit::capi::gmc_config(const trackkit::GmcOptions& options) { return to_config(options); }

extern "C" {

TK_API tk_status tk_gmc_config_init(tk_gmc_config* config, size_t struct_size) {
  constexpr const char* fn = "tk_gmc_config_init";
  return trackkit::capi::tk_guard(fn, [&] { trackkit::capi::init_struct(fn, config, struct_size, to_config({})); });
}

TK_API tk_status tk_gmc_config_preset(const char* name, tk_gmc_config* config) {
  constexpr const char* fn = "tk_gmc_config_preset";
  return trackkit::capi::tk_guard(fn, [&] {
    trackkit::capi::require_pointer(fn, "name", name);
    trackkit::capi::require_pointer(fn, "config", config);
    trackkit::capi::write_struct(fn, config, to_config(trackkit::GmcOptions::preset(name)), "config");
  });
}

TK_API tk_status tk_gmc_config_from_yaml(const char* path, tk_gmc_config* config) {
  constexpr const char* fn = "tk_gmc_config_from_yaml";
  return trackkit::capi::tk_guard(fn, [&] {
    trackkit::capi::require_pointer(fn, "path", path);
    trackkit::capi::require_pointer(fn, "config", config);
    trackkit::capi::write_struct(fn, config, to_config(trackkit::GmcOptions::from_yaml(path)), "config");
  });
}

TK_API const char* tk_gmc_status_name(tk_gmc_status status) {
  // Read as an int: a C caller may pass any int, which loaded as the C++ enum type would be undefined behaviour.
  return trackkit::gmc_status_name(static_cast<trackkit::GmcStatus>(trackkit::capi::enum_bits(status)));
}

TK_API tk_status tk_gmc_create(const tk_gmc_config* config, tk_gmc** gmc) {
  constexpr const char* fn = "tk_gmc_create";
  return trackkit::capi::tk_guard(fn, [&] {
    trackkit::capi::require_pointer(fn, "gmc", gmc);
    *gmc = nullptr;
    *gmc = new tk_gmc{trackkit::GMC(to_options(fn, config))};
  });
}

TK_API void tk_gmc_destroy(tk_gmc* gmc) { delete gmc; }

TK_API tk_status tk_gmc_set_cuda_stream(tk_gmc* gmc, void* cuda_stream) {
  constexpr const char* fn = "tk_gmc_set_cuda_stream";
  return trackkit::capi::tk_guard(fn, [&] {
    trackkit::capi::require_pointer(fn, "gmc", gmc);
    // GMC has no device of its own: any valid stream; each call checks it against its CUDA frames' device.
    gmc->cuda_stream = trackkit::capi::checked_stream(fn, cuda_stream, c10::Device(c10::kCPU));
  });
}

TK_API tk_status tk_gmc_apply(tk_gmc* gmc, const DLTensor* frame, const DLTensor* detections,
                              DLManagedTensorVersioned** warp, tk_gmc_quality* quality) {
  constexpr const char* fn = "tk_gmc_apply";
  return trackkit::capi::tk_guard(fn, [&] {
    trackkit::capi::require_pointer(fn, "gmc", gmc);
    trackkit::capi::require_pointer(fn, "warp", warp);
    // Checked (and cleared) before the stream advances, so a bad struct_size leaves the stream as it was.
    if (quality != nullptr) trackkit::capi::write_struct(fn, quality, tk_gmc_quality{}, "quality");
    const at::Tensor f = trackkit::capi::borrow_dltensor(fn, "frame", frame);
    const at::Tensor d = optional_tensor(fn, "detections", detections);
    const trackkit::CudaStreamScope stream_scope(trackkit::capi::stream_for(fn, gmc->cuda_stream, f));
    const trackkit::GmcResult r = gmc->gmc.apply(f, d);
    trackkit::capi::give_dltensor(fn, "warp", r.warp, warp);
    if (quality == nullptr) return;
    tk_gmc_quality q{};
    q.struct_size = sizeof(q);
    q.status = static_cast<int32_t>(r.quality.status), q.points = r.quality.points;
    q.inliers = r.quality.inliers, q.score = r.quality.score;
    trackkit::capi::write_struct(fn, quality, q, "quality");
  });
}

TK_API tk_status tk_gmc_apply_batch(tk_gmc* gmc, const DLTensor* frames, const DLTensor* detections,
                                    DLManagedTensorVersioned** warps, DLManagedTensorVersioned** quality) {
  constexpr const char* fn = "tk_gmc_apply_batch";
  return trackkit::capi::tk_guard(fn, [&] {
    trackkit::capi::require_pointer(fn, "gmc", gmc);
    trackkit::capi::require_pointer(fn, "warps", warps);
    const at::Tensor f = trackkit::capi::borrow_dltensor(fn, "frames", frames);
    const at::Tensor d = optional_tensor(fn, "detections", detections);
    const trackkit::CudaStreamScope stream_scope(trackkit::capi::stream_for(fn, gmc->cuda_stream, f));
    give_batch(fn, gmc->gmc.apply_batch(f, d), warps, quality);
  });
}

TK_API tk_status tk_gmc_estimate(const tk_gmc* gmc, const DLTensor* frames, const DLTensor* previous,
                                 const DLTensor* detections, DLManagedTensorVersioned** warps,
                                 DLManagedTensorVersioned** quality) {
  constexpr const char* fn = "tk_gmc_estimate";
  return trackkit::capi::tk_guard(fn, [&] {
    trackkit::capi::require_pointer(fn, "gmc", gmc);
    trackkit::capi::require_pointer(fn, "warps", warps);
    const at::Tensor f = trackkit::capi::borrow_dltensor(fn, "frames", frames);
    const at::Tensor p = optional_tensor(fn, "previous", previous);
    const at::Tensor d = optional_tensor(fn, "detections", detections);
    const trackkit::CudaStreamScope stream_scope(trackkit::capi::stream_for(fn, gmc->cuda_stream, f));
    give_batch(fn, gmc->gmc.estimate(f, p, d), warps, quality);
  });
}

TK_API tk_status tk_gmc_reset(tk_gmc* gmc) {
  constexpr const char* fn = "tk_gmc_reset";
  return trackkit::capi::tk_guard(fn, [&] {
    trackkit::capi::require_pointer(fn, "gmc", gmc);
    gmc->gmc.reset();
  });
}

} // extern "C"
