#pragma once
// Command-line pieces shared by the example programs (CLI11). An option that means the same thing in several
// programs is declared here once, so that it has one name, one default and one description everywhere.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "trackkit/detector.hpp"
#include "trackkit/device.hpp"
#include "trackkit/tracker.hpp"

namespace examples {

/// $TRACKKIT_DATA, else ../shared/data (the layout of this project's checkout).
inline std::string default_data_dir() {
  const char* env = std::getenv("TRACKKIT_DATA");
  return env != nullptr ? env : "../shared/data";
}

inline std::string join(const std::vector<std::string>& items, const char* separator = ", ") {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : separator) + item;
  return out;
}

/// Numbers > 0 (`strict`) or >= 0. CLI11 2.1's PositiveNumber / NonNegativeNumber print their range as
/// "0.000000 to 1797693..." (300 digits): these say what is wrong in a few words.
inline CLI::Validator sign_check(bool strict) {
  return CLI::Validator(
      [strict](std::string& text) -> std::string {
        double value = 0;
        if (!CLI::detail::lexical_cast(text, value)) return "Value " + text + " is not a number";
        if (value > 0 || (!strict && value == 0)) return {};
        return "Value " + text + (strict ? " is not positive" : " is negative");
      },
      strict ? "POSITIVE" : "NONNEGATIVE");
}
inline CLI::Validator positive() { return sign_check(true); }
inline CLI::Validator non_negative() { return sign_check(false); }

/// Old spellings of options (--limit for --max-frames, ...): accepted, and named in their errors, but not listed
/// by --help. (CLI11's hidden group "" would also drop the name from the errors.)
inline CLI::Option* old_spelling(CLI::Option* option) { return option->group("old spellings"); }
class Formatter : public CLI::Formatter {
 public:
  std::string make_group(std::string group, bool positional, std::vector<const CLI::Option*> opts) const override {
    return group == "old spellings" ? std::string() : CLI::Formatter::make_group(group, positional, opts);
  }
};

/// Text that is one of `names` (CLI::IsMember would print the whole list as the option's type, too).
inline CLI::Validator one_of(const std::vector<std::string>& names, const std::string& type) {
  return CLI::Validator(
      [names](std::string& text) -> std::string {
        if (std::find(names.begin(), names.end(), text) != names.end()) return {};
        return "Value " + text + " is not one of " + join(names);
      },
      type);
}

/// --data DIR: the shared data folder (MOT sequences, videos, models).
inline CLI::Option* add_data_option(CLI::App& app, std::string& data) {
  data = default_data_dir();
  return app.add_option("--data", data, "data folder ($TRACKKIT_DATA, else ../shared/data)")
      ->capture_default_str()
      ->check(CLI::ExistingDirectory);
}

/// --device auto|cpu|cuda|cuda:N, checked by trackkit::parse_device (so "cuda" without a GPU fails here).
inline CLI::Option* add_device_option(CLI::App& app, std::string& device) {
  const CLI::Validator valid(
      [](std::string& text) -> std::string {
        try {
          trackkit::parse_device(text, "--device");
          return {};
        } catch (const std::exception& e) {
          return e.what();
        }
      },
      "auto|cpu|cuda[:N]");
  return app.add_option("--device", device, "where to compute (auto: cuda:0 where a GPU is visible, else cpu)")
      ->capture_default_str()
      ->check(valid);
}

/// --max-frames N: stop after N frames (the programs' other spellings, --limit and --frames, are hidden aliases).
inline CLI::Option* add_max_frames_option(CLI::App& app, int64_t& max_frames, const char* alias = nullptr) {
  max_frames = -1;
  if (alias != nullptr) old_spelling(app.add_option(alias, max_frames))->check(positive());
  return app.add_option("--max-frames", max_frames, "stop after N frames")->default_str("all")->check(positive());
}

/// --det FILE: a MOT sequence's detection file, in its det/ folder.
inline CLI::Option* add_detections_option(CLI::App& app, std::string& det) {
  return app.add_option("--det", det, "detection file in each sequence's det/ folder (e.g. yolox_x_ablation.txt)")
      ->capture_default_str();
}

/// --mot15: TrackEval's MOT15 scoring.
inline CLI::Option* add_mot15_flag(CLI::App& app, bool& mot15) {
  return app.add_flag("--mot15", mot15, "score every ground-truth row (MOT15: no MOT17 distractor preprocessing)");
}

/// --tracker NAME|FILE.yaml, for trackkit::TrackerOptions::from_name_or_file (--preset: hidden alias).
inline CLI::Option* add_tracker_option(CLI::App& app, std::string& tracker) {
  const std::vector<std::string> names = trackkit::TrackerOptions::preset_names();
  const CLI::Validator valid(
      [names](std::string& text) -> std::string {
        const std::string ext = std::filesystem::path(text).extension().string();
        if (ext == ".yaml" || ext == ".yml") return CLI::ExistingFile(text);
        if (std::find(names.begin(), names.end(), text) != names.end()) return {};
        return "Value " + text + " is neither a preset (" + join(names) + ") nor a .yaml/.yml file";
      },
      "NAME|FILE.yaml");
  old_spelling(app.add_option("--preset", tracker))->check(valid);
  return app
      .add_option("--tracker", tracker,
                  "tracker settings: a preset (" + join(names) +
                      ") or an ultralytics tracker YAML (botsort.yaml / bytetrack.yaml keys)")
      ->capture_default_str()
      ->check(valid);
}

/// "WIDTHxHEIGHT" (positive integers) into width and height; false when the text is not that.
inline bool parse_size(const std::string& text, int64_t& width, int64_t& height) {
  long long w = 0, h = 0;
  char x = 0, extra = 0;
  if (std::sscanf(text.c_str(), "%lld%c%lld%c", &w, &x, &h, &extra) != 3 || x != 'x' || w <= 0 || h <= 0) return false;
  width = w, height = h;
  return true;
}

/// An option taking WIDTHxHEIGHT (e.g. --size 1920x1080); the default shown is width x height as given.
inline CLI::Option* add_size_option(CLI::App& app, const std::string& name, int64_t& width, int64_t& height,
                                    const std::string& description) {
  const CLI::Validator valid(
      [](std::string& text) -> std::string {
        int64_t w = 0, h = 0;
        return parse_size(text, w, h) ? std::string() : "Value " + text + " is not WIDTHxHEIGHT (e.g. 1920x1080)";
      },
      "");
  auto* option = app.add_option_function<std::string>(
      name, [&width, &height](const std::string& text) { parse_size(text, width, height); }, description);
  if (width > 0 && height > 0) option->default_str(std::to_string(width) + "x" + std::to_string(height));
  return option->type_name("WxH")->check(valid);
}

/// The detector's options: --model FILE (default $TRACKKIT_MODEL, else yolov5n.torchscript here), --device,
/// --fp16 and --conf (default: `detector.conf_threshold` as the caller set it).
inline void add_detector_options(CLI::App& app, std::string& model, trackkit::DetectorOptions& detector) {
  const char* env = std::getenv("TRACKKIT_MODEL");
  model = env != nullptr && *env != '\0' ? env : "yolov5n.torchscript";
  app.add_option("--model", model,
                 "detector: a YOLO TorchScript export (default $TRACKKIT_MODEL, else yolov5n.torchscript here)")
      ->capture_default_str();
  add_device_option(app, detector.device);
  app.add_flag_callback(
      "--fp16", [&detector] { detector.precision = trackkit::Precision::FP16; }, "run the model in half precision");
  app.add_option("--conf", detector.conf_threshold, "detections scored above this are kept")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
}

/// Throws, saying how to make one, when the detector model `model` is not a file.
inline void require_detector_model(const std::string& model) {
  if (std::filesystem::is_regular_file(model)) return;
  throw std::runtime_error("no detector model at " + model +
                           ": pass --model FILE or set TRACKKIT_MODEL (the default is yolov5n.torchscript in the "
                           "current folder). scripts/detector-models.sh [BUILD_DIR] writes the shared YOLOv5n to "
                           "BUILD_DIR/detector-models/yolov5n.torchscript; docs/detector-export.md exports others");
}

/// The sequence folders under DATA/mot/MOT17/train that have det/DET, sorted; throws when there is none.
inline std::vector<std::string> mot17_train_sequences(const std::string& data, const std::string& det) {
  const std::filesystem::path root = std::filesystem::path(data) / "mot" / "MOT17" / "train";
  std::vector<std::string> sequences;
  if (std::filesystem::is_directory(root))
    for (const auto& e : std::filesystem::directory_iterator(root))
      if (std::filesystem::exists(e.path() / "det" / det)) sequences.push_back(e.path().string());
  if (sequences.empty())
    throw std::runtime_error("no MOT17 sequences with det/" + det + " in " + root.string() +
                             " (set --data or TRACKKIT_DATA)");
  std::sort(sequences.begin(), sequences.end());
  return sequences;
}

/// Parses the command line (--help, or an error naming the option and value: CLI11's exit codes), then runs
/// `body`. An exception from it is printed after the program's name, exit status 1. `after_progress`: the
/// message starts on a new line (for a program whose progress bar may hold the line).
template <typename Body>
int run(CLI::App& app, int argc, char** argv, Body&& body, bool after_progress = false) {
  app.formatter(std::make_shared<Formatter>());
  try {
    // CLI11 2.1 validates positionals before it reports unknown options: `--bacth 4 IN` would say "4 does not exist".
    for (int i = 1; i < argc; ++i) {
      const std::string arg = argv[i];
      if (arg == "--") break;
      const bool option = arg.size() > 1 && arg[0] == '-' && !std::isdigit(static_cast<unsigned char>(arg[1])) &&
                          arg[1] != '.'; // negative numbers are values
      if (option && app.get_option_no_throw(arg.substr(0, arg.find('='))) == nullptr) throw CLI::ExtrasError({arg});
    }
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  try {
    return body();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s%s: %s\n", after_progress ? "\n" : "", app.get_name().c_str(), e.what());
    return 1;
  }
}

} // namespace examples
