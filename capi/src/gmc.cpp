// C ABI for trackkit/gmc.hpp.
#include <ATen/ATen.h>

#include <string>

#include "config.hpp"
#include "guard.hpp"
#include "tensor.hpp"
#include "trackkit/gmc.hpp"

struct tk_gmc {
  trackkit::GMC gmc;
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
  const tk_gmc_config c = trackkit::capi::read_config(fn, config, to_config({}), sizeof(tk_gmc_config));
  if (c.method < TK_GMC_NONE || c.method > TK_GMC_SPARSE_OPTICAL_FLOW) {
    trackkit::fail_argument(fn, "config->method", "must be a tk_gmc_method, got " + std::to_string(c.method));
  }
  if (c.ecc_motion < TK_ECC_TRANSLATION || c.ecc_motion > TK_ECC_HOMOGRAPHY) {
    trackkit::fail_argument(fn, "config->ecc_motion", "must be a tk_ecc_motion, got " + std::to_string(c.ecc_motion));
  }
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

} // namespace

trackkit::GmcOptions trackkit::capi::gmc_options(const char* function, const tk_gmc_config* config) {
  return to_options(function, config);
}

extern "C" {

TK_API tk_gmc_config tk_gmc_config_defaults(void) { return to_config({}); }

TK_API tk_status tk_gmc_config_preset(const char* name, tk_gmc_config* config) {
  constexpr const char* fn = "tk_gmc_config_preset";
  return trackkit::capi::tk_guard(fn, [&] {
    trackkit::capi::require_pointer(fn, "name", name);
    trackkit::capi::require_pointer(fn, "config", config);
    *config = to_config(trackkit::GmcOptions::preset(name));
  });
}

TK_API tk_status tk_gmc_config_from_yaml(const char* path, tk_gmc_config* config) {
  constexpr const char* fn = "tk_gmc_config_from_yaml";
  return trackkit::capi::tk_guard(fn, [&] {
    trackkit::capi::require_pointer(fn, "path", path);
    trackkit::capi::require_pointer(fn, "config", config);
    *config = to_config(trackkit::GmcOptions::from_yaml(path));
  });
}

TK_API const char* tk_gmc_status_name(tk_gmc_status status) {
  return trackkit::gmc_status_name(static_cast<trackkit::GmcStatus>(status));
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

TK_API tk_status tk_gmc_apply(tk_gmc* gmc, const DLTensor* frame, const DLTensor* detections,
                              DLManagedTensorVersioned** warp, tk_gmc_quality* quality) {
  constexpr const char* fn = "tk_gmc_apply";
  return trackkit::capi::tk_guard(fn, [&] {
    trackkit::capi::require_pointer(fn, "gmc", gmc);
    trackkit::capi::require_pointer(fn, "warp", warp);
    const at::Tensor f = trackkit::capi::borrow_dltensor(fn, "frame", frame);
    const trackkit::GmcResult r = gmc->gmc.apply(f, optional_tensor(fn, "detections", detections));
    trackkit::capi::give_dltensor(fn, "warp", r.warp, warp);
    if (quality != nullptr) {
      *quality = {static_cast<int32_t>(r.quality.status), r.quality.points, r.quality.inliers, r.quality.score};
    }
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
    const trackkit::GmcBatchResult r =
        gmc->gmc.estimate(f, optional_tensor(fn, "previous", previous), optional_tensor(fn, "detections", detections));
    at::Tensor q;
    if (quality != nullptr) {
      q = at::stack({r.status.to(at::kDouble), r.points.to(at::kDouble), r.inliers.to(at::kDouble), r.score}, 1);
    }
    trackkit::capi::give_dltensor(fn, "warps", r.warps, warps);
    if (quality != nullptr) trackkit::capi::give_dltensor(fn, "quality", q, quality);
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
