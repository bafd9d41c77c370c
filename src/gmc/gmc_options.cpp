// GMC's names, presets and option validation.
#include <cmath>
#include <string>
#include <vector>

#include "trackkit/error.hpp"
#include "trackkit/gmc.hpp"

namespace trackkit {

const char* gmc_status_name(GmcStatus status) noexcept {
  switch (status) {
    case GmcStatus::Ok: return "ok";
    case GmcStatus::FirstFrame: return "first frame";
    case GmcStatus::TooFewPoints: return "too few points";
    case GmcStatus::SceneCut: return "scene cut";
    case GmcStatus::Textureless: return "textureless";
    case GmcStatus::SizeChanged: return "size changed";
    case GmcStatus::Failed: return "failed";
  }
  return "unknown";
}

const char* gmc_method_name(GmcMethod method) noexcept {
  switch (method) {
    case GmcMethod::None: return "none";
    case GmcMethod::Ecc: return "ecc";
    case GmcMethod::Orb: return "orb";
    case GmcMethod::Sift: return "sift";
    case GmcMethod::SparseOpticalFlow: return "sparse_optical_flow";
  }
  return "unknown";
}

GmcMethod parse_gmc_method(const std::string& text, const std::string& argument) {
  if (text == "none") return GmcMethod::None;
  if (text == "ecc") return GmcMethod::Ecc;
  if (text == "orb") return GmcMethod::Orb;
  if (text == "sift") return GmcMethod::Sift;
  if (text == "sparse_optical_flow" || text == "sparseOptFlow") return GmcMethod::SparseOpticalFlow;
  fail_argument("parse_gmc_method", argument,
                "must be none, ecc, orb, sift or sparse_optical_flow, got '" + text + "'");
}

GmcOptions GmcOptions::reference(GmcMethod method) {
  GmcOptions o;
  o.method = method;
  o.downscale = 2;
  o.ecc_motion = EccMotion::Euclidean;
  o.ecc_iterations = 5000;
  o.ecc_eps = 1e-6;
  o.ecc_levels = 1;
  o.max_corners = 1000;
  o.corner_min_distance = 1;
  o.corner_level = 0;
  o.flow_window = 21;
  o.flow_levels = 3;
  o.ransac_threshold = 3;
  return o;
}

GmcOptions GmcOptions::original_pipeline() {
  GmcOptions o = reference(GmcMethod::Ecc);
  o.ecc_iterations = 500;
  o.ecc_eps = 1e-4;
  o.downscale = 4;
  return o;
}

namespace {

template <GmcMethod Method>
GmcOptions reference_of() {
  return GmcOptions::reference(Method);
}

struct Preset {
  const char* name;
  GmcOptions (*make)();
};
// The one list of names preset(), preset_names() and the C ABI read: reference_<gmc_method_name()> per method.
constexpr Preset presets[] = {
    {"original_pipeline", &GmcOptions::original_pipeline},
    {"reference_none", &reference_of<GmcMethod::None>},
    {"reference_ecc", &reference_of<GmcMethod::Ecc>},
    {"reference_orb", &reference_of<GmcMethod::Orb>},
    {"reference_sift", &reference_of<GmcMethod::Sift>},
    {"reference_sparse_optical_flow", &reference_of<GmcMethod::SparseOpticalFlow>},
};

} // namespace

GmcOptions GmcOptions::preset(const std::string& name) {
  std::string valid;
  for (const Preset& p : presets) {
    if (name == p.name) return p.make();
    valid += (valid.empty() ? "" : ", ") + std::string(p.name);
  }
  fail_argument("GmcOptions::preset", "name", "must be one of " + valid + "; got \"" + name + "\"");
}

std::vector<std::string> GmcOptions::preset_names() {
  std::vector<std::string> names;
  for (const Preset& p : presets) names.emplace_back(p.name);
  return names;
}

// GmcOptions::from_yaml is defined with the reader of ultralytics' tracker files (src/tracker/ultralytics_yaml.cpp).

namespace detail::gmc {

void validate_options(const GmcOptions& o) {
  constexpr const char* fn = "GMC";
  auto require = [&](bool ok, const char* name, const std::string& rule, double value) {
    if (!ok) fail_argument(fn, std::string("options.") + name, "must be " + rule + ", got " + std::to_string(value));
  };
  require(o.downscale >= 1 && o.downscale <= 64, "downscale", "in [1,64]", o.downscale);
  require(o.ecc_iterations >= 1, "ecc_iterations", ">= 1", o.ecc_iterations);
  require(o.ecc_eps >= 0 && std::isfinite(o.ecc_eps), "ecc_eps", "finite and >= 0", o.ecc_eps);
  require(o.ecc_blur_sigma >= 0 && o.ecc_blur_sigma <= 20, "ecc_blur_sigma", "in [0,20]", o.ecc_blur_sigma);
  require(o.ecc_levels >= 1 && o.ecc_levels <= 8, "ecc_levels", "in [1,8]", o.ecc_levels);
  require(o.ecc_min_correlation >= -1 && o.ecc_min_correlation <= 1, "ecc_min_correlation", "in [-1,1]",
          o.ecc_min_correlation);
  require(o.max_corners >= 4, "max_corners", ">= 4", o.max_corners);
  require(o.max_keypoints >= 4, "max_keypoints", ">= 4", o.max_keypoints);
  require(o.corner_quality > 0 && o.corner_quality < 1, "corner_quality", "in (0,1)", o.corner_quality);
  require(o.corner_min_distance >= 0 && std::isfinite(o.corner_min_distance), "corner_min_distance", "finite and >= 0",
          o.corner_min_distance);
  require(o.corner_level >= 0 && o.corner_level <= o.flow_levels, "corner_level", "in [0, flow_levels]",
          o.corner_level);
  require(o.flow_window >= 3 && o.flow_window <= 101, "flow_window", "in [3,101]", o.flow_window);
  require(o.flow_levels >= 0 && o.flow_levels <= 8, "flow_levels", "in [0,8]", o.flow_levels);
  require(o.ransac_threshold > 0 && std::isfinite(o.ransac_threshold), "ransac_threshold", "finite and > 0",
          o.ransac_threshold);
  require(o.min_points >= 3, "min_points", ">= 3", o.min_points);
  require(o.min_inlier_ratio >= 0 && o.min_inlier_ratio <= 1, "min_inlier_ratio", "in [0,1]", o.min_inlier_ratio);
  require(o.border >= 0 && o.border < 0.5, "border", "in [0,0.5)", o.border);
  require(o.min_contrast >= 0 && std::isfinite(o.min_contrast), "min_contrast", "finite and >= 0", o.min_contrast);
  require(o.max_scale_change > 0 && o.max_scale_change < 1, "max_scale_change", "in (0,1)", o.max_scale_change);
}

} // namespace detail::gmc
} // namespace trackkit
