// ultralytics' tracker YAML files (ultralytics/cfg/trackers/botsort.yaml, bytetrack.yaml) as TrackerOptions and
// GmcOptions. Parsed with yaml-cpp where trackkit was built with it: OpenCV's FileStorage, already linked, needs a
// %YAML header and reads `key: value # comment` as the value with its comment (or as a nested map).
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <locale>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#if TRACKKIT_HAVE_YAML_CPP
#include <yaml-cpp/yaml.h>
#endif

#include "frame_rate_check.hpp"
#include "trackkit/error.hpp"
#include "trackkit/gmc.hpp"
#include "trackkit/tracker.hpp"

namespace trackkit {
namespace {

std::string shown(double x) {
  std::ostringstream s;
  s.imbue(std::locale::classic());
  s << x;
  return s.str();
}

// A file of flat settings: each top-level key with its scalar value as text.
class SettingsFile {
 public:
  SettingsFile(const char* function, const std::string& path) : function_(function), path_(path) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) fail_file("is a directory, not a YAML file", ErrorCode::NotFound);
    std::ifstream in(path, std::ios::binary);
    if (!in) fail_file("does not exist or cannot be read", ErrorCode::NotFound);
#if TRACKKIT_HAVE_YAML_CPP
    std::ostringstream text;
    text << in.rdbuf();
    YAML::Node root;
    try {
      root = YAML::Load(text.str());
    } catch (const YAML::Exception& e) {
      fail_file("is not valid YAML: line " + std::to_string(e.mark.line + 1) + ", column " +
                std::to_string(e.mark.column + 1) + ": " + e.msg);
    }
    if (!root.IsMap()) fail_file("is not a YAML mapping of tracker settings (key: value lines)");
    for (const auto& entry : root) {
      if (!entry.first.IsScalar()) fail_file("has a key that is not a name");
      const std::string key = entry.first.Scalar();
      const YAML::Node& v = entry.second;
      if (values_.count(key) != 0) fail(key, "appears twice");
      if (!v.IsScalar() && !v.IsNull()) fail(key, "must be a single value, not a list or a mapping");
      keys_.push_back(key);
      // Quoted scalars (tag "!") are strings in YAML, whatever they spell.
      values_[key] = Value{v.IsScalar() ? v.Scalar() : "", v.IsNull(), v.IsScalar() && v.Tag() == "!"};
    }
#else
    throw Error(ErrorCode::Unsupported, std::string(function_) + ": this trackkit was built without yaml-cpp, so it " +
                                            "cannot read \"" + path_ + "\" (install libyaml-cpp-dev and rebuild)");
#endif
  }

  const std::vector<std::string>& keys() const { return keys_; }
  bool has(const std::string& key) const { return values_.count(key) != 0; }
  bool is_null(const std::string& key) const { return values_.at(key).null; }
  std::string text(const std::string& key) const { return values_.at(key).text; }

  /// A finite number in [lo,hi], or in (lo,hi) when `open`.
  double number(const std::string& key, double lo, double hi, bool open = false) const {
    double x = 0;
    const bool in_range = parse(key, x) && std::isfinite(x) && (open ? x > lo && x < hi : x >= lo && x <= hi);
    if (!in_range) {
      fail(key, "must be a number in " + std::string(open ? "(" : "[") + shown(lo) + "," + shown(hi) +
                    (open ? ")" : "]") + ", got " + given(key));
    }
    return x;
  }
  /// A whole number >= 0 that fits an int.
  int count(const std::string& key) const {
    long long n = -1;
    if (!parse(key, n) || n < 0 || n > std::numeric_limits<int>::max()) {
      fail(key, "must be a whole number >= 0, got " + given(key));
    }
    return static_cast<int>(n);
  }
  /// YAML 1.1's booleans as PyYAML (which ultralytics reads these files with) resolves them.
  bool boolean(const std::string& key) const {
    static const std::map<std::string, bool> words = {
        {"true", true}, {"True", true}, {"TRUE", true}, {"yes", true},    {"Yes", true},    {"YES", true},
        {"on", true},   {"On", true},   {"ON", true},   {"false", false}, {"False", false}, {"FALSE", false},
        {"no", false},  {"No", false},  {"NO", false},  {"off", false},   {"Off", false},   {"OFF", false}};
    const Value& v = values_.at(key);
    const auto word = words.find(v.text);
    if (v.quoted || word == words.end()) fail(key, "must be True or False, got " + given(key));
    return word->second;
  }

  [[noreturn]] void fail(const std::string& key, const std::string& problem) const {
    fail_argument(function_, key + " in \"" + path_ + "\"", problem);
  }
  [[noreturn]] void fail_file(const std::string& problem, ErrorCode code = ErrorCode::InvalidArgument) const {
    fail_argument(function_, "path \"" + path_ + "\"", problem, code);
  }

 private:
  struct Value {
    std::string text;
    bool null = false;
    bool quoted = false;
  };

  template <typename T>
  bool parse(const std::string& key, T& out) const {
    const Value& v = values_.at(key);
    std::istringstream s(v.text);
    s.imbue(std::locale::classic()); // "0.25" whatever the program's locale
    return !v.quoted && !v.null && (s >> out) && (s >> std::ws).eof();
  }
  std::string given(const std::string& key) const {
    const Value& v = values_.at(key);
    return v.null ? "nothing" : v.quoted ? "the string \"" + v.text + "\"" : v.text;
  }

  const char* function_;
  std::string path_;
  std::vector<std::string> keys_;
  std::map<std::string, Value> values_;
};

// ultralytics' GMC(method=...) names; YAML's null is Python's None there too.
GmcMethod ultralytics_gmc_method(const SettingsFile& file, const std::string& key) {
  static const std::map<std::string, GmcMethod> methods = {{"sparseOptFlow", GmcMethod::SparseOpticalFlow},
                                                           {"orb", GmcMethod::Orb},
                                                           {"sift", GmcMethod::Sift},
                                                           {"ecc", GmcMethod::Ecc},
                                                           {"none", GmcMethod::None},
                                                           {"None", GmcMethod::None}};
  if (file.is_null(key)) return GmcMethod::None;
  const auto m = methods.find(file.text(key));
  if (m == methods.end()) file.fail(key, "must be sparseOptFlow, orb, sift, ecc or none, got " + file.text(key));
  return m->second;
}

// The keys ultralytics' BYTETracker and BOTSORT read, and what each sets (ultralytics 8.4.190's trackers).
struct Key {
  const char* name;
  bool botsort_only;
  void (*apply)(const SettingsFile& file, const std::string& key, TrackerOptions& o);
};
const Key tracker_keys[] = {
    {"tracker_type", false, nullptr}, // chooses the preset the other keys override
    {"track_high_thresh", false, [](const auto& f, const auto& k, auto& o) { o.track_thresh = f.number(k, 0, 1); }},
    {"track_low_thresh", false, [](const auto& f, const auto& k, auto& o) { o.low_thresh = f.number(k, 0, 1); }},
    {"new_track_thresh", false, [](const auto& f, const auto& k, auto& o) { o.new_track_thresh = f.number(k, 0, 1); }},
    // Frames, at any frame rate: options.frame_rate stays 30, as ultralytics' track.py gives BYTETracker 30.
    {"track_buffer", false, [](const auto& f, const auto& k, auto& o) { o.track_buffer = f.count(k); }},
    // Open range: Tracker takes cost limits below 1 only.
    {"match_thresh", false, [](const auto& f, const auto& k, auto& o) { o.match_thresh = f.number(k, 0, 1, true); }},
    {"fuse_score", false, [](const auto& f, const auto& k, auto& o) { o.fuse_score = f.boolean(k); }},
    // Checked only: the tracker takes warps; GmcOptions::from_yaml reads the method.
    {"gmc_method", true, [](const auto& f, const auto& k, auto&) { ultralytics_gmc_method(f, k); }},
    {"proximity_thresh", true, [](const auto& f, const auto& k, auto& o) { o.proximity_thresh = f.number(k, 0, 1); }},
    // ultralytics gates (1 - cos) / 2 <= 1 - appearance_thresh: a similarity; trackkit's field is the distance.
    {"appearance_thresh", true,
     [](const auto& f, const auto& k, auto& o) { o.appearance_thresh = 1 - f.number(k, 0, 1); }},
    // ReID is on when update() is given embeddings; trackkit runs no ReID model of its own.
    {"with_reid", true, [](const auto& f, const auto& k, auto&) { f.boolean(k); }},
    {"model", true, nullptr},
};

} // namespace

TrackerOptions TrackerOptions::from_yaml(const std::string& path, double frame_rate) {
  constexpr const char* fn = "TrackerOptions::from_yaml";
  detail::check_frame_rate(fn, frame_rate);
  const SettingsFile file(fn, path);
  if (!file.has("tracker_type")) file.fail_file("has no tracker_type (botsort or bytetrack)");
  const std::string type = file.text("tracker_type");
  if (type != "botsort" && type != "bytetrack") file.fail("tracker_type", "must be botsort or bytetrack, got " + type);
  const bool botsort = type == "botsort";
  TrackerOptions o = botsort ? ultralytics_botsort() : ultralytics_bytetrack();
  for (const std::string& name : file.keys()) {
    const Key* key = nullptr;
    std::string valid;
    for (const Key& k : tracker_keys) {
      if (k.botsort_only && !botsort) continue;
      if (name == k.name) key = &k;
      valid += (valid.empty() ? "" : ", ") + std::string(k.name);
    }
    if (key == nullptr) file.fail_file("has unknown key \"" + name + "\"; tracker_type " + type + " takes " + valid);
    if (key->apply != nullptr) key->apply(file, name, o);
  }
  if (o.low_thresh > o.track_thresh) {
    file.fail("track_low_thresh",
              "must be <= track_high_thresh, got " + shown(o.low_thresh) + " > " + shown(o.track_thresh));
  }
  return o;
}

GmcOptions GmcOptions::from_yaml(const std::string& path) {
  const SettingsFile file("GmcOptions::from_yaml", path);
  return reference(file.has("gmc_method") ? ultralytics_gmc_method(file, "gmc_method") : GmcMethod::None);
}

} // namespace trackkit
