// The preset registries (TrackerOptions::preset, GmcOptions::preset) and ultralytics' tracker YAML files
// (TrackerOptions::from_yaml, GmcOptions::from_yaml): names, field-by-field settings, and every error.
#include <cmath>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "catch.hpp"
#include "trackkit/error.hpp"
#include "trackkit/gmc.hpp"
#include "trackkit/tracker.hpp"
#include "ultralytics_trackers.h"

namespace {

using trackkit::GmcMethod;
using trackkit::GmcOptions;
using trackkit::TrackerOptions;
using Fields = std::vector<std::pair<std::string, double>>;

Fields fields(const TrackerOptions& o) {
  return {{"track_thresh", o.track_thresh},
          {"low_thresh", o.low_thresh},
          {"new_track_thresh", o.new_track_thresh},
          {"match_thresh", o.match_thresh},
          {"second_match_thresh", o.second_match_thresh},
          {"unconfirmed_match_thresh", o.unconfirmed_match_thresh},
          {"fuse_score", o.fuse_score},
          {"track_buffer", o.track_buffer},
          {"frame_rate", o.frame_rate},
          {"duplicate_distance", o.duplicate_distance},
          {"iou_plus_one", o.iou_plus_one},
          {"high_score_inclusive", o.high_score_inclusive},
          {"motion_model", static_cast<double>(o.motion_model)},
          {"warp_sizes_by_abs", o.warp_sizes_by_abs},
          {"proximity_thresh", o.proximity_thresh},
          {"appearance_thresh", o.appearance_thresh},
          {"feature_momentum", o.feature_momentum},
          {"output_lost", o.output_lost}};
}

Fields fields(const GmcOptions& o) {
  return {{"method", static_cast<double>(o.method)},
          {"ecc_motion", static_cast<double>(o.ecc_motion)},
          {"downscale", o.downscale},
          {"rgb", o.rgb},
          {"ecc_iterations", o.ecc_iterations},
          {"ecc_eps", o.ecc_eps},
          {"ecc_blur_sigma", o.ecc_blur_sigma},
          {"ecc_levels", o.ecc_levels},
          {"ecc_min_correlation", o.ecc_min_correlation},
          {"ecc_batched_on_cpu", o.ecc_batched_on_cpu},
          {"max_corners", o.max_corners},
          {"max_keypoints", o.max_keypoints},
          {"corner_quality", o.corner_quality},
          {"corner_level", o.corner_level},
          {"corner_min_distance", o.corner_min_distance},
          {"flow_window", o.flow_window},
          {"flow_levels", o.flow_levels},
          {"ransac_threshold", o.ransac_threshold},
          {"min_points", o.min_points},
          {"min_inlier_ratio", o.min_inlier_ratio},
          {"border", o.border},
          {"mask_detections", o.mask_detections},
          {"min_contrast", o.min_contrast},
          {"max_scale_change", o.max_scale_change}};
}

// Field by field, exactly (settings are copied, never recomputed differently).
template <typename Options>
void check_same(const Options& got, const Options& want) {
  const Fields g = fields(got), w = fields(want);
  for (size_t i = 0; i < w.size(); ++i) {
    INFO("field " << w[i].first);
    CHECK(g[i].second == w[i].second);
  }
}

struct Thrown {
  trackkit::ErrorCode code = trackkit::ErrorCode::Internal;
  std::string message; // "" when nothing was thrown
};
Thrown thrown_by(const std::function<void()>& f) {
  try {
    f();
  } catch (const trackkit::Error& e) {
    return {e.code(), e.what()};
  }
  return {};
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

} // namespace

TEST_CASE("every tracker preset name gives its static function's settings, field by field") {
  const std::vector<std::string> names = TrackerOptions::preset_names();
  REQUIRE(names == std::vector<std::string>{"bytetrack", "bytetrack_mot17", "botsort", "ultralytics_bytetrack",
                                            "ultralytics_botsort", "original_pipeline"});
  TrackerOptions bytetrack_25 = TrackerOptions::bytetrack();
  bytetrack_25.frame_rate = 25;
  // ultralytics' ignore the frame rate: their buffer is 30 frames at any rate.
  const std::vector<TrackerOptions> want = {bytetrack_25,
                                            TrackerOptions::bytetrack_mot17(25),
                                            TrackerOptions::botsort(25),
                                            TrackerOptions::ultralytics_bytetrack(),
                                            TrackerOptions::ultralytics_botsort(),
                                            TrackerOptions::original_pipeline(25)};
  for (size_t i = 0; i < names.size(); ++i) {
    INFO("preset " << names[i]);
    check_same(TrackerOptions::preset(names[i], 25), want[i]);
    check_same(TrackerOptions::from_name_or_file(names[i], 25), want[i]);
  }
  CHECK(TrackerOptions::preset("ultralytics_botsort", 25).frame_rate == 30);
  CHECK(TrackerOptions::preset("bytetrack").frame_rate == 30); // the default rate
}

TEST_CASE("an unknown tracker preset or a bad frame rate is an Error naming the argument and the valid names") {
  const std::string list =
      "bytetrack, bytetrack_mot17, botsort, ultralytics_bytetrack, ultralytics_botsort, "
      "original_pipeline";
  Thrown t = thrown_by([] { TrackerOptions::preset("sort"); });
  CHECK(t.code == trackkit::ErrorCode::InvalidArgument);
  CHECK(t.message == "TrackerOptions::preset: name must be one of " + list + "; got \"sort\"");
  t = thrown_by([] { TrackerOptions::from_name_or_file("bytetrack.json"); });
  CHECK(t.message ==
        "TrackerOptions::from_name_or_file: name_or_path must be a tracker YAML file (.yaml, .yml) or a "
        "preset: one of " +
            list + "; got \"bytetrack.json\"");
  for (double bad : {0.0, -30.0, std::nan(""), HUGE_VAL}) {
    t = thrown_by([&] { TrackerOptions::preset("ultralytics_botsort", bad); });
    CHECK(t.code == trackkit::ErrorCode::InvalidArgument);
    CHECK(contains(t.message, "TrackerOptions::preset: frame_rate must be finite and > 0"));
  }
}

TEST_CASE("every GMC preset name gives original_pipeline() or reference(method), field by field") {
  const std::vector<std::string> names = GmcOptions::preset_names();
  REQUIRE(names == std::vector<std::string>{"original_pipeline", "reference_none", "reference_ecc", "reference_orb",
                                            "reference_sift", "reference_sparse_optical_flow"});
  check_same(GmcOptions::preset("original_pipeline"), GmcOptions::original_pipeline());
  for (GmcMethod m : {GmcMethod::None, GmcMethod::Ecc, GmcMethod::Orb, GmcMethod::Sift, GmcMethod::SparseOpticalFlow}) {
    const std::string name = std::string("reference_") + trackkit::gmc_method_name(m);
    INFO("preset " << name);
    check_same(GmcOptions::preset(name), GmcOptions::reference(m));
  }
  const Thrown t = thrown_by([] { GmcOptions::preset("reference_sparseOptFlow"); });
  CHECK(t.code == trackkit::ErrorCode::InvalidArgument);
  CHECK(t.message ==
        "GmcOptions::preset: name must be one of original_pipeline, reference_none, reference_ecc, "
        "reference_orb, reference_sift, reference_sparse_optical_flow; got \"reference_sparseOptFlow\"");
}

#if TRACKKIT_HAVE_YAML_CPP

namespace {

// Files in a fresh temporary folder, removed with it.
struct Fixtures {
  Fixtures() { REQUIRE(tk_fixture_dir(dir)); }
  ~Fixtures() {
    std::vector<const char*> list;
    for (const std::string& n : names) list.push_back(n.c_str());
    tk_fixture_remove(dir, list.data(), static_cast<int>(list.size()));
  }
  std::string write(const std::string& name, const std::string& text) {
    char path[256];
    REQUIRE(tk_fixture_file(dir, name.c_str(), text.c_str(), path));
    names.push_back(name);
    return path;
  }
  char dir[32];
  std::vector<std::string> names;
};

} // namespace

TEST_CASE("ultralytics' botsort.yaml and bytetrack.yaml give ultralytics_botsort() and ultralytics_bytetrack()") {
  Fixtures files;
  const std::string botsort = files.write("botsort.yaml", TK_ULTRALYTICS_BOTSORT_YAML);
  const std::string bytetrack = files.write("bytetrack.yml", TK_ULTRALYTICS_BYTETRACK_YAML);
  check_same(TrackerOptions::from_yaml(botsort), TrackerOptions::ultralytics_botsort());
  check_same(TrackerOptions::from_yaml(bytetrack, 25), TrackerOptions::ultralytics_bytetrack()); // buffer in frames
  check_same(TrackerOptions::from_name_or_file(botsort, 60), TrackerOptions::ultralytics_botsort());
  check_same(TrackerOptions::from_name_or_file(bytetrack), TrackerOptions::ultralytics_bytetrack());
  const std::string upper = files.write("BOTSORT.YAML", TK_ULTRALYTICS_BOTSORT_YAML);
  check_same(TrackerOptions::from_name_or_file(upper), TrackerOptions::ultralytics_botsort());
  check_same(GmcOptions::from_yaml(botsort), GmcOptions::reference(GmcMethod::SparseOpticalFlow));
  check_same(GmcOptions::from_yaml(bytetrack), GmcOptions::reference(GmcMethod::None)); // ByteTrack has no GMC
}

TEST_CASE("a tracker YAML changes exactly the fields of the keys it has") {
  Fixtures files;
  const std::string all = files.write("all.yaml",
                                      "tracker_type: botsort\ntrack_high_thresh: 0.6\ntrack_low_thresh: 0.2\n"
                                      "new_track_thresh: 0.7\ntrack_buffer: 60\nmatch_thresh: 0.9\n"
                                      "fuse_score: false\ngmc_method: orb\nproximity_thresh: 0.4\n"
                                      "appearance_thresh: 0.75\nwith_reid: True\nmodel: osnet_x0_25.pt\n");
  TrackerOptions want = TrackerOptions::ultralytics_botsort();
  want.track_thresh = 0.6, want.low_thresh = 0.2, want.new_track_thresh = 0.7, want.track_buffer = 60;
  want.match_thresh = 0.9, want.fuse_score = false, want.proximity_thresh = 0.4;
  want.appearance_thresh = 0.25; // similarity 0.75 -> half cosine distance 0.25 (exact in binary)
  check_same(TrackerOptions::from_yaml(all), want);

  const std::string one = files.write("one.yaml", "tracker_type: bytetrack\ntrack_buffer: 50\n");
  want = TrackerOptions::ultralytics_bytetrack();
  want.track_buffer = 50;
  check_same(TrackerOptions::from_yaml(one, 15), want); // 50 frames at 15 fps too, as ultralytics keeps them
  check_same(GmcOptions::from_yaml(all), GmcOptions::reference(GmcMethod::Orb));
}

TEST_CASE("gmc_method maps each of ultralytics' names to its method") {
  Fixtures files;
  const std::vector<std::pair<std::string, GmcMethod>> cases = {{"sparseOptFlow", GmcMethod::SparseOpticalFlow},
                                                                {"orb", GmcMethod::Orb},
                                                                {"sift", GmcMethod::Sift},
                                                                {"ecc", GmcMethod::Ecc},
                                                                {"none", GmcMethod::None},
                                                                {"None", GmcMethod::None},
                                                                {"", GmcMethod::None}};
  for (size_t i = 0; i < cases.size(); ++i) {
    INFO("gmc_method: " << cases[i].first);
    const std::string path =
        files.write("gmc" + std::to_string(i) + ".yaml", "tracker_type: botsort\ngmc_method: " + cases[i].first + "\n");
    check_same(GmcOptions::from_yaml(path), GmcOptions::reference(cases[i].second));
    check_same(TrackerOptions::from_yaml(path), TrackerOptions::ultralytics_botsort()); // no tracker field
  }
  const std::string bad = files.write("bad.yaml", "tracker_type: botsort\ngmc_method: sparse_optical_flow\n");
  const std::string message = "gmc_method in \"" + bad +
                              "\" must be sparseOptFlow, orb, sift, ecc or none, got "
                              "sparse_optical_flow";
  CHECK(thrown_by([&] { GmcOptions::from_yaml(bad); }).message == "GmcOptions::from_yaml: " + message);
  CHECK(thrown_by([&] { TrackerOptions::from_yaml(bad); }).message == "TrackerOptions::from_yaml: " + message);
}

TEST_CASE("tracker YAML errors name the file and the key: typos, wrong types, ranges, no file") {
  Fixtures files;
  const std::string botsort_keys =
      "tracker_type, track_high_thresh, track_low_thresh, new_track_thresh, "
      "track_buffer, match_thresh, fuse_score, gmc_method, proximity_thresh, "
      "appearance_thresh, with_reid, model";
  struct Case {
    std::string text, key, problem;
  };
  const std::vector<Case> cases = {
      {"tracker_type: botsort\ntrack_hihg_thresh: 0.3\n", "",
       "has unknown key \"track_hihg_thresh\"; tracker_type botsort takes " + botsort_keys},
      {"tracker_type: bytetrack\nappearance_thresh: 0.8\n", "",
       "has unknown key \"appearance_thresh\"; tracker_type bytetrack takes tracker_type, track_high_thresh, "
       "track_low_thresh, new_track_thresh, track_buffer, match_thresh, fuse_score"},
      {"track_high_thresh: 0.3\n", "", "has no tracker_type (botsort or bytetrack)"},
      {"tracker_type: deepocsort\n", "tracker_type", "must be botsort or bytetrack, got deepocsort"},
      {"tracker_type: botsort\ntrack_high_thresh: 1.5\n", "track_high_thresh", "must be a number in [0,1], got 1.5"},
      {"tracker_type: botsort\ntrack_high_thresh: high\n", "track_high_thresh", "must be a number in [0,1], got high"},
      {"tracker_type: botsort\nnew_track_thresh: .nan\n", "new_track_thresh", "must be a number in [0,1], got .nan"},
      {"tracker_type: botsort\nproximity_thresh: \"0.5\"\n", "proximity_thresh",
       "must be a number in [0,1], got the string \"0.5\""},
      {"tracker_type: botsort\nappearance_thresh: -0.1\n", "appearance_thresh", "must be a number in [0,1], got -0.1"},
      {"tracker_type: botsort\nmatch_thresh: 1.0\n", "match_thresh", "must be a number in (0,1), got 1.0"},
      {"tracker_type: botsort\ntrack_low_thresh:\n", "track_low_thresh", "must be a number in [0,1], got nothing"},
      {"tracker_type: botsort\ntrack_high_thresh: 0.05\n", "track_low_thresh",
       "must be <= track_high_thresh, got 0.1 > 0.05"},
      {"tracker_type: botsort\ntrack_buffer: -1\n", "track_buffer", "must be a whole number >= 0, got -1"},
      {"tracker_type: botsort\ntrack_buffer: 30.5\n", "track_buffer", "must be a whole number >= 0, got 30.5"},
      {"tracker_type: botsort\nfuse_score: maybe\n", "fuse_score", "must be True or False, got maybe"},
      {"tracker_type: botsort\nwith_reid: 1\n", "with_reid", "must be True or False, got 1"},
      {"tracker_type: botsort\ntrack_buffer: [30, 60]\n", "track_buffer",
       "must be a single value, not a list or a mapping"},
      {"tracker_type: botsort\ntrack_buffer: 30\ntrack_buffer: 60\n", "track_buffer", "appears twice"},
      {"tracker_type: botsort: bytetrack\n", "", "is not valid YAML: line 1, column 22: illegal map value"},
      {"", "", "is not a YAML mapping of tracker settings (key: value lines)"},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    INFO("file:\n" << cases[i].text);
    const std::string path = files.write("case" + std::to_string(i) + ".yaml", cases[i].text);
    const std::string at = cases[i].key.empty() ? "path \"" + path + "\" " : cases[i].key + " in \"" + path + "\" ";
    const Thrown t = thrown_by([&] { TrackerOptions::from_yaml(path); });
    CHECK(t.code == trackkit::ErrorCode::InvalidArgument);
    CHECK(t.message == "TrackerOptions::from_yaml: " + at + cases[i].problem);
  }
  const std::string missing = std::string(files.dir) + "/missing.yaml";
  Thrown t = thrown_by([&] { TrackerOptions::from_name_or_file(missing); });
  CHECK(t.code == trackkit::ErrorCode::NotFound);
  CHECK(t.message == "TrackerOptions::from_yaml: path \"" + missing + "\" does not exist or cannot be read");
  t = thrown_by([&] { GmcOptions::from_yaml(files.dir); });
  CHECK(t.code == trackkit::ErrorCode::NotFound);
  CHECK(t.message == "GmcOptions::from_yaml: path \"" + std::string(files.dir) + "\" is a directory, not a YAML file");
  const std::string good = files.write("good.yaml", TK_ULTRALYTICS_BYTETRACK_YAML);
  t = thrown_by([&] { TrackerOptions::from_yaml(good, 0); });
  CHECK(t.message == "TrackerOptions::from_yaml: frame_rate must be finite and > 0 (at most 1e6), got 0.000000");
}

#else

TEST_CASE("without yaml-cpp, reading a tracker YAML is Unsupported with the reason") {
  char dir[32], path[256];
  REQUIRE(tk_fixture_dir(dir));
  REQUIRE(tk_fixture_file(dir, "botsort.yaml", TK_ULTRALYTICS_BOTSORT_YAML, path));
  const Thrown t = thrown_by([&] { TrackerOptions::from_name_or_file(path); });
  const Thrown g = thrown_by([&] { GmcOptions::from_yaml(path); });
  const char* names[] = {"botsort.yaml"};
  tk_fixture_remove(dir, names, 1);
  CHECK(t.code == trackkit::ErrorCode::Unsupported);
  CHECK(t.message == "TrackerOptions::from_yaml: this trackkit was built without yaml-cpp, so it cannot read \"" +
                         std::string(path) + "\" (install libyaml-cpp-dev and rebuild)");
  CHECK(g.code == trackkit::ErrorCode::Unsupported);
}

#endif
