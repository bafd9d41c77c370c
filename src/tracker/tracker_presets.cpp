// TrackerOptions' presets: the named settings and the one table of names that preset(), preset_names(),
// from_name_or_file() and the C ABI read.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <string>
#include <vector>

#include "frame_rate_check.hpp"
#include "trackkit/error.hpp"
#include "trackkit/tracker.hpp"

namespace trackkit {

TrackerOptions TrackerOptions::bytetrack() {
  TrackerOptions o;
  o.iou_plus_one = true;
  return o;
}

TrackerOptions TrackerOptions::ultralytics_bytetrack() {
  TrackerOptions o;
  o.track_thresh = 0.25;
  o.new_track_thresh = 0.25;
  o.high_score_inclusive = true;
  return o;
}

TrackerOptions TrackerOptions::original_pipeline(double frame_rate) {
  TrackerOptions o;
  o.low_thresh = 0.4; // its detector's confidence threshold: nothing lower reaches the tracker
  o.track_thresh = 0.5;
  o.track_buffer = 90;
  o.frame_rate = frame_rate;
  return o;
}

TrackerOptions TrackerOptions::botsort(double frame_rate) {
  TrackerOptions o = bytetrack();
  o.track_thresh = 0.6;
  o.new_track_thresh = 0.7;
  o.motion_model = MotionModel::XYWH;
  o.frame_rate = frame_rate;
  return o;
}

TrackerOptions TrackerOptions::ultralytics_botsort() {
  TrackerOptions o = ultralytics_bytetrack();
  o.motion_model = MotionModel::XYWH;
  o.warp_sizes_by_abs = true;
  o.appearance_thresh = 1 - 0.8; // botsort.yaml's similarity 0.8, as ultralytics compares it
  return o;
}

TrackerOptions TrackerOptions::bytetrack_mot17(double frame_rate) {
  TrackerOptions o = bytetrack();
  o.track_thresh = 0.6;
  o.new_track_thresh = 0.7;
  o.match_thresh = 0.9;
  o.frame_rate = frame_rate;
  return o;
}

namespace {

struct Preset {
  const char* name;
  TrackerOptions (*make)(double frame_rate);
};

// bytetrack() predates frame_rate arguments; its preset applies the video's rate as the others do.
TrackerOptions bytetrack_at(double frame_rate) {
  TrackerOptions o = TrackerOptions::bytetrack();
  o.frame_rate = frame_rate;
  return o;
}
// ultralytics' trackers keep track_buffer frames whatever the video's rate.
template <TrackerOptions (*Make)()>
TrackerOptions fixed_buffer(double) {
  return Make();
}

constexpr Preset presets[] = {
    {"bytetrack", &bytetrack_at},
    {"bytetrack_mot17", &TrackerOptions::bytetrack_mot17},
    {"botsort", &TrackerOptions::botsort},
    {"ultralytics_bytetrack", &fixed_buffer<&TrackerOptions::ultralytics_bytetrack>},
    {"ultralytics_botsort", &fixed_buffer<&TrackerOptions::ultralytics_botsort>},
    {"original_pipeline", &TrackerOptions::original_pipeline},
};

std::string joined_names() {
  std::string out;
  for (const Preset& p : presets) out += (out.empty() ? "" : ", ") + std::string(p.name);
  return out;
}

const Preset* find_preset(const std::string& name) {
  for (const Preset& p : presets)
    if (name == p.name) return &p;
  return nullptr;
}

bool is_yaml_path(const std::string& text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  auto ends_with = [&](const std::string& tail) {
    return lower.size() > tail.size() && lower.compare(lower.size() - tail.size(), tail.size(), tail) == 0;
  };
  return ends_with(".yaml") || ends_with(".yml");
}

} // namespace

TrackerOptions TrackerOptions::preset(const std::string& name, double frame_rate) {
  constexpr const char* fn = "TrackerOptions::preset";
  const Preset* p = find_preset(name);
  if (p == nullptr) fail_argument(fn, "name", "must be one of " + joined_names() + "; got \"" + name + "\"");
  detail::check_frame_rate(fn, frame_rate);
  return p->make(frame_rate);
}

std::vector<std::string> TrackerOptions::preset_names() {
  std::vector<std::string> names;
  for (const Preset& p : presets) names.emplace_back(p.name);
  return names;
}

TrackerOptions TrackerOptions::from_name_or_file(const std::string& name_or_path, double frame_rate) {
  if (is_yaml_path(name_or_path)) return from_yaml(name_or_path, frame_rate);
  if (find_preset(name_or_path) == nullptr) {
    fail_argument("TrackerOptions::from_name_or_file", "name_or_path",
                  "must be a tracker YAML file (.yaml, .yml) or a preset: one of " + joined_names() + "; got \"" +
                      name_or_path + "\"");
  }
  return preset(name_or_path, frame_rate);
}

} // namespace trackkit
