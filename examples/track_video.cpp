// track_video: the main job. A video, an image folder, a MOT sequence folder or a .npy frame array in; frames
// read ahead on their own threads, detected in batches (on the GPU when there is one), camera motion estimated
// per frame pair, tracked in frame order; MOT results, a CSV of tracks and an annotated video out.
//
//   track_video [INPUT] [--model M.torchscript] [--device auto|cpu|cuda] [--fp16] [--batch N]
//               [--gmc METHOD|PRESET] [--downscale N] [--tracker NAME|FILE.yaml]
//               [--conf 0.1] [--classes 0,2] [--out DIR] [--no-annotate] [--max-frames N]
//               [--gt gt.txt] [--gt-scale S|SX,SY] [--mot15] [--data DIR] [--decode auto|gpu|cpu]
//
// Without INPUT it tracks <data>/video/PETS09-S2L1_480x360.avi (persons only; data: $TRACKKIT_DATA, else
// ../shared/data) and scores it against MOT15's PETS09-S2L1 ground truth (scaled by 0.625 to the video's size). A
// MOT sequence folder is scored against its gt/gt.txt. The model defaults to $TRACKKIT_MODEL, else
// yolov5n.torchscript in the current folder (scripts/detector-models.sh BUILD exports the shared YOLOv5n to
// BUILD/detector-models/yolov5n.torchscript). --tracker takes a trackkit::TrackerOptions preset or an ultralytics
// tracker YAML; with a YAML and no --gmc, GMC follows the YAML's gmc_method too. --gmc takes a method (trackkit's
// measured settings) or a GmcOptions preset. --decode says where a video is decoded (docs/video.md): "auto" on the
// GPU through FFmpeg's NVDEC where it can, else on the CPU. --help lists every option with its default.
#include <ATen/ATen.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <future>
#include <sstream>
#include <string>
#include <vector>

#include "cli.hpp"
#include "track_video_output.hpp"
#include "trackkit/pipeline.hpp"
#include "trackkit/version.hpp"
#include "trackkit/video_io.hpp"

namespace fs = std::filesystem;
namespace mot = trackkit::mot;

namespace {

struct Options {
  std::string input, data, model, gmc = "sparse_optical_flow", tracker = "ultralytics_botsort", out, gt;
  std::string decode = "auto";
  trackkit::PipelineOptions pipeline; // the detector's options are read into it directly
  bool annotate = true, mot15 = false;
  int64_t max_frames = -1;
  int downscale = 2;
  double gt_scale_x = 1, gt_scale_y = 1;
  std::vector<int64_t> classes;
};

// S or SX,SY (positive numbers).
bool parse_scale(const std::string& text, double& x, double& y) {
  char* end = nullptr;
  x = std::strtod(text.c_str(), &end);
  y = *end == ',' ? std::strtod(end + 1, &end) : x;
  return *end == '\0' && x > 0 && y > 0;
}

// --gmc: a method (with trackkit's measured defaults) or one of GmcOptions' presets.
std::vector<std::string> gmc_methods() {
  std::vector<std::string> names;
  for (auto m : {trackkit::GmcMethod::SparseOpticalFlow, trackkit::GmcMethod::Ecc, trackkit::GmcMethod::Orb,
                 trackkit::GmcMethod::Sift, trackkit::GmcMethod::None})
    names.push_back(trackkit::gmc_method_name(m));
  return names;
}
std::vector<std::string> gmc_names() {
  std::vector<std::string> names = gmc_methods();
  for (const std::string& p : trackkit::GmcOptions::preset_names())
    if (std::find(names.begin(), names.end(), p) == names.end()) names.push_back(p);
  return names;
}

void add_options(CLI::App& app, Options& o) {
  app.add_option("INPUT", o.input,
                 "video (a file, or a URL or pipe FFmpeg opens), image folder, MOT sequence folder or .npy frames "
                 "(default: the PETS09-S2L1 video of <data>, scored against its ground truth)")
      ->check(CLI::ExistingPath | CLI::Validator(
                                      [](std::string& text) -> std::string {
                                        const bool url =
                                            text.find("://") != std::string::npos || text.rfind("pipe:", 0) == 0;
                                        return url ? "" : "not a URL";
                                      },
                                      "URL"));
  examples::add_data_option(app, o.data);
  examples::add_detector_options(app, o.model, o.pipeline.detector);
  app.add_option("--batch", o.pipeline.detector.batch_size, "frames a batch (0: from free GPU memory)")
      ->capture_default_str()
      ->check(examples::non_negative());
  const std::vector<std::string> gmc = gmc_names();
  app.add_option("--gmc", o.gmc,
                 "camera-motion compensation: a method or a preset (" + examples::join(gmc) +
                     "); default with a --tracker YAML: its gmc_method")
      ->capture_default_str()
      ->check(examples::one_of(gmc, "METHOD|PRESET"));
  app.add_option("--downscale", o.downscale,
                 "frames shrunk N times for GMC (a --gmc preset or YAML has its own unless given)")
      ->capture_default_str()
      ->check(examples::positive());
  examples::add_tracker_option(app, o.tracker);
  app.add_option("--classes", o.classes, "classes written to results.txt, e.g. 0,2 (default: all; 0 with ground truth)")
      ->delimiter(',')
      ->allow_extra_args(false);
  app.add_option("--out", o.out, "output folder")->default_str("track_video_output/<input name>");
  app.add_flag_callback(
      "--no-annotate", [&o] { o.annotate = false; }, "no annotated video or snapshot");
  examples::add_max_frames_option(app, o.max_frames);
  app.add_option("--decode", o.decode, "where a video is decoded: auto (GPU where it can), gpu or cpu")
      ->capture_default_str()
      ->check(examples::one_of({"auto", "gpu", "cpu"}, "auto|gpu|cpu"));
  app.add_option("--gt", o.gt, "ground truth to score against (default: INPUT/gt/gt.txt where it exists)")
      ->check(CLI::ExistingFile);
  const CLI::Validator scale(
      [](std::string& v) {
        double x, y;
        return parse_scale(v, x, y) ? "" : "Value " + v + " is not S or SX,SY (positive numbers)";
      },
      "");
  app.add_option_function<std::string>(
         "--gt-scale", [&o](const std::string& v) { parse_scale(v, o.gt_scale_x, o.gt_scale_y); },
         "ground-truth boxes times S (or SX, SY) before scoring, for a video of another size than the ground truth's")
      ->type_name("S|SX,SY")
      ->default_str("1")
      ->check(scale);
  examples::add_mot15_flag(app, o.mot15);
}

// Defaults that depend on what was given.
void complete(const CLI::App& app, Options& o) {
  if (o.input.empty()) { // the default run: real footage with ground truth, no download
    const fs::path data = o.data;
    o.input = (data / "video" / "PETS09-S2L1_480x360.avi").string();
    if (o.gt.empty()) o.gt = (data / "mot" / "MOT15" / "train" / "PETS09-S2L1" / "gt" / "gt.txt").string();
    if (app.count("--gt-scale") == 0) o.gt_scale_x = o.gt_scale_y = 0.625;
    o.mot15 = true;
  }
  if (o.gt.empty() && fs::exists(fs::path(o.input) / "gt" / "gt.txt"))
    o.gt = (fs::path(o.input) / "gt" / "gt.txt").string();
  if (!o.gt.empty() && app.count("--classes") == 0) o.classes = {0}; // MOT ground truth is pedestrians: COCO "person"
  o.pipeline.model_path = o.model;
  trackkit::GmcOptions& g = o.pipeline.gmc;
  const std::vector<std::string> methods = gmc_methods();
  const std::string ext = fs::path(o.tracker).extension().string();
  if (app.count("--gmc") == 0 && (ext == ".yaml" || ext == ".yml")) { // ultralytics' YAML names its GMC too
    g = trackkit::GmcOptions::from_yaml(o.tracker);
    o.gmc = o.tracker;
  } else if (std::find(methods.begin(), methods.end(), o.gmc) != methods.end()) {
    g.method = trackkit::parse_gmc_method(o.gmc, "--gmc");
    g.downscale = o.downscale;
    return;
  } else {
    g = trackkit::GmcOptions::preset(o.gmc);
  }
  if (app.count("--downscale") > 0) g.downscale = o.downscale; // a preset's or the YAML's unless given
}

void progress(int64_t done, int64_t total, double seconds) {
  const int width = 30, filled = total > 0 ? static_cast<int>(width * done / std::max<int64_t>(total, 1)) : 0;
  std::fprintf(stderr, "\r[%s%s] %lld", std::string(filled, '#').c_str(), std::string(width - filled, '.').c_str(),
               (long long)done);
  if (total > 0) std::fprintf(stderr, "/%lld", (long long)total);
  std::fprintf(stderr, " frames  %.1f frames/s ", done / std::max(seconds, 1e-9));
}

void score(const Options& o, const std::vector<mot::Row>& rows, int64_t frames) {
  std::vector<mot::Row> gt;
  for (mot::Row g : mot::read_mot_file(o.gt)) {
    if (g.frame >= frames) continue; // --max-frames: score the frames tracked
    g.x *= o.gt_scale_x, g.y *= o.gt_scale_y, g.w *= o.gt_scale_x, g.h *= o.gt_scale_y;
    gt.push_back(g);
  }
  mot::EvalOptions eval;
  eval.num_frames = frames;
  eval.mot17_preprocessing = !o.mot15;
  const mot::SequenceResult m = mot::evaluate_sequence(gt, rows, eval);
  const std::string scaled = o.gt_scale_x != 1 || o.gt_scale_y != 1 ? " (scaled " + std::to_string(o.gt_scale_x) +
                                                                          " x " + std::to_string(o.gt_scale_y) + ")"
                                                                    : "";
  std::printf("scores against %s%s: HOTA %.3f  DetA %.3f  AssA %.3f  MOTA %.3f  IDF1 %.3f  IDSW %lld  IDs %lld\n",
              o.gt.c_str(), scaled.c_str(), 100 * m.hota.hota, 100 * m.hota.det_a, 100 * m.hota.ass_a,
              100 * m.clear.mota, 100 * m.identity.idf1, (long long)m.clear.idsw, (long long)m.num_tracker_ids);
}

int track(Options& o) {
  trackkit::FrameReaderOptions ro;
  ro.max_frames = o.max_frames;
  ro.decode = o.decode;
  trackkit::FrameReader reader(o.input, ro);
  const trackkit::FrameSourceInfo& info = reader.info();

  o.pipeline.tracker = trackkit::TrackerOptions::from_name_or_file(o.tracker, info.fps);
  trackkit::TrackingPipeline pipeline(o.pipeline);
  pipeline.warmup(info.height, info.width);
  const int64_t batch = pipeline.detector().batch_size();

  examples::OutputOptions out;
  out.folder = o.out.empty() ? fs::path("track_video_output") / info.name : fs::path(o.out);
  out.name = info.name, out.fps = info.fps, out.annotate = o.annotate, out.mot_classes = o.classes;
  out.class_names = pipeline.detector().class_names();
  out.snapshot_frame = info.frames > 0 ? info.frames / 2 : 100;
  out.width = info.width, out.height = info.height;
  std::printf("%s\n%s (decoder %s): %s %lldx%lld, %s frames at %.1f fps\n", trackkit::build_info(), info.kind.c_str(),
              info.decoder.c_str(), o.input.c_str(), (long long)info.width, (long long)info.height,
              info.frames >= 0 ? std::to_string(info.frames).c_str() : "?", info.fps);
  std::string gmc = trackkit::gmc_method_name(o.pipeline.gmc.method);
  if (gmc != o.gmc) gmc += " from " + o.gmc; // a preset or the tracker's YAML
  std::printf("model %s on %s (%s, batch %lld); GMC %s (downscale %d); tracker %s\n", o.model.c_str(),
              pipeline.detector().device().str().c_str(), trackkit::precision_name(o.pipeline.detector.precision),
              (long long)batch, gmc.c_str(), o.pipeline.gmc.downscale, o.tracker.c_str());

  examples::TrackWriter writer(out);
  pipeline.reset_times();
  const auto start = std::chrono::steady_clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
  int64_t done = 0;
  double shown = -1;
  // The next batch is read (copied out of the decoders' ring) while this one goes through the pipeline.
  auto read_next = [&] { return std::async(std::launch::async, [&] { return reader.read(batch); }); };
  std::future<at::Tensor> next = read_next();
  for (;;) {
    const at::Tensor frames = next.get();
    if (frames.size(0) > 0) next = read_next();
    auto finished = frames.size(0) > 0 ? pipeline.push(frames) : pipeline.finish();
    done += static_cast<int64_t>(finished.size());
    writer.write(std::move(finished));
    if (elapsed() - shown > 0.5) progress(done, info.frames, elapsed()), shown = elapsed();
    if (frames.size(0) == 0) break;
  }
  const double pipeline_seconds = elapsed();
  const std::vector<mot::Row>& rows = writer.close();
  const double total = elapsed();
  progress(done, info.frames, total);
  std::fprintf(stderr, "\n");

  const trackkit::PipelineTimes& t = pipeline.times();
  auto rate = [&](double s) { return s > 0 ? done / s : 0.0; };
  std::printf("outputs in %s/: results.txt (MOT), tracks.csv%s%s\n", out.folder.c_str(),
              writer.annotated_path().empty() ? "" : ", annotated ",
              writer.annotated_path().empty() ? "" : fs::path(writer.annotated_path()).filename().c_str());
  if (!o.gt.empty()) score(o, rows, done);
  std::printf(
      "track_video: %lld frames in %.2f s = %.1f frames/s (%.1f without the output writer's tail) | "
      "frames/s per stage: decode %.0f, upload %.0f, detect %.0f, gmc %.0f, track %.0f, write %.0f | "
      "waited for the GPU %.2f s | peak GPU memory %.0f MB\n",
      (long long)done, total, rate(total), rate(pipeline_seconds), rate(reader.decode_seconds()), rate(t.upload),
      rate(t.detect), rate(t.gmc), rate(t.track), rate(writer.busy_seconds()), t.wait,
      pipeline.peak_memory_bytes() / 1048576.0);
  return 0;
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app(
      "track_video: the main job. Video, image folder, MOT sequence or .npy frames in; batched detection, "
      "camera-motion compensation and tracking; MOT results, tracks.csv and an annotated video out",
      "track_video");
  Options o;
  add_options(app, o);
  return examples::run(
      app, argc, argv,
      [&] {
        complete(app, o);
        examples::require_detector_model(o.model);
        return track(o);
      },
      /*after_progress=*/true);
}
