// track_video: the main job. A video, an image folder, a MOT sequence folder or a .npy frame array in; frames
// read ahead on their own threads, detected in batches (on the GPU when there is one), camera motion estimated
// per frame pair, tracked in frame order; MOT results, a CSV of tracks and an annotated video out.
//
//   track_video [INPUT] [--model M.torchscript] [--device auto|cpu|cuda] [--fp16] [--batch N]
//               [--gmc sparse_optical_flow|ecc|orb|sift|none] [--downscale N]
//               [--preset ultralytics_botsort|ultralytics_bytetrack|bytetrack|botsort|original_pipeline]
//               [--conf 0.1] [--classes 0,2] [--out DIR] [--no-annotate] [--max-frames N]
//               [--gt gt.txt] [--gt-scale S|SX,SY] [--mot15]
//
// Without INPUT it tracks ../shared/data/video/PETS09-S2L1_480x360.avi (persons only) and scores it against
// MOT15's PETS09-S2L1 ground truth (scaled by 0.625 to the video's size). A MOT sequence folder is scored
// against its gt/gt.txt. The default model is the YOLOv5n export scripts/detector-models.sh makes.
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
  std::string input, model = TRACKKIT_DEFAULT_MODEL, device = "auto", gmc = "sparse_optical_flow";
  std::string preset = "ultralytics_botsort", out, gt;
  bool fp16 = false, annotate = true, mot15 = false, classes_given = false;
  int64_t batch = 0, max_frames = -1;
  int downscale = 2;
  double conf = 0.1, gt_scale_x = 1, gt_scale_y = 1;
  std::vector<int64_t> classes;
};

std::vector<int64_t> parse_list(const std::string& text) {
  std::vector<int64_t> out;
  std::stringstream s(text);
  for (std::string item; std::getline(s, item, ',');) out.push_back(std::stoll(item));
  return out;
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&] { return examples::option_value("track_video", argc, argv, i); };
    if (a == "--model")
      o.model = value();
    else if (a == "--device")
      o.device = value();
    else if (a == "--fp16")
      o.fp16 = true;
    else if (a == "--batch")
      o.batch = std::stoll(value());
    else if (a == "--gmc")
      o.gmc = value();
    else if (a == "--downscale")
      o.downscale = std::stoi(value());
    else if (a == "--preset")
      o.preset = value();
    else if (a == "--conf")
      o.conf = std::stod(value());
    else if (a == "--classes")
      o.classes = parse_list(value()), o.classes_given = true;
    else if (a == "--out")
      o.out = value();
    else if (a == "--no-annotate")
      o.annotate = false;
    else if (a == "--max-frames")
      o.max_frames = std::stoll(value());
    else if (a == "--gt")
      o.gt = value();
    else if (a == "--gt-scale") { // S or SX,SY
      const std::string v = value();
      const size_t comma = v.find(',');
      o.gt_scale_x = std::stod(v.substr(0, comma));
      o.gt_scale_y = comma == std::string::npos ? o.gt_scale_x : std::stod(v.substr(comma + 1));
    } else if (a == "--mot15")
      o.mot15 = true;
    else if (a.rfind("--", 0) == 0)
      throw std::runtime_error("track_video: unknown option " + a);
    else
      o.input = a;
  }
  if (o.input.empty()) { // the default run: real footage with ground truth, no download
    const fs::path data = examples::default_data_dir();
    o.input = (data / "video" / "PETS09-S2L1_480x360.avi").string();
    if (o.gt.empty()) o.gt = (data / "mot" / "MOT15" / "train" / "PETS09-S2L1" / "gt" / "gt.txt").string();
    o.gt_scale_x = o.gt_scale_y = 0.625, o.mot15 = true;
  }
  if (o.gt.empty() && fs::exists(fs::path(o.input) / "gt" / "gt.txt"))
    o.gt = (fs::path(o.input) / "gt" / "gt.txt").string();
  if (!o.gt.empty() && !o.classes_given) o.classes = {0}; // MOT ground truth is pedestrians: COCO "person"
  return o;
}

trackkit::TrackerOptions tracker_preset(const std::string& name, double fps) {
  if (name == "ultralytics_botsort") return trackkit::TrackerOptions::ultralytics_botsort();
  if (name == "ultralytics_bytetrack") return trackkit::TrackerOptions::ultralytics_bytetrack();
  if (name == "botsort") return trackkit::TrackerOptions::botsort(fps);
  if (name == "original_pipeline") return trackkit::TrackerOptions::original_pipeline(fps);
  if (name == "bytetrack") {
    auto t = trackkit::TrackerOptions::bytetrack();
    t.frame_rate = fps;
    return t;
  }
  throw std::runtime_error(
      "track_video: --preset must be ultralytics_botsort, ultralytics_bytetrack, botsort, "
      "bytetrack or original_pipeline, got " +
      name);
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

} // namespace

int main(int argc, char** argv) {
  try {
    const Options o = parse(argc, argv);
    trackkit::FrameReaderOptions ro;
    ro.max_frames = o.max_frames;
    trackkit::FrameReader reader(o.input, ro);
    const trackkit::FrameSourceInfo& info = reader.info();

    trackkit::PipelineOptions po;
    po.model_path = o.model;
    po.detector.device = o.device;
    po.detector.precision = o.fp16 ? trackkit::Precision::FP16 : trackkit::Precision::FP32;
    po.detector.batch_size = o.batch;
    po.detector.conf_threshold = o.conf;
    po.gmc.method = trackkit::parse_gmc_method(o.gmc, "--gmc");
    po.gmc.downscale = o.downscale;
    po.tracker = tracker_preset(o.preset, info.fps);
    trackkit::TrackingPipeline pipeline(po);
    pipeline.warmup(info.height, info.width);
    const int64_t batch = pipeline.detector().batch_size();

    examples::OutputOptions out;
    out.folder = o.out.empty() ? fs::path("track_video_output") / info.name : fs::path(o.out);
    out.name = info.name, out.fps = info.fps, out.annotate = o.annotate, out.mot_classes = o.classes;
    out.class_names = pipeline.detector().class_names();
    out.snapshot_frame = info.frames > 0 ? info.frames / 2 : 100;
    std::printf("%s\n%s: %s %lldx%lld, %s frames at %.1f fps\n", trackkit::build_info(), info.kind.c_str(),
                o.input.c_str(), (long long)info.width, (long long)info.height,
                info.frames >= 0 ? std::to_string(info.frames).c_str() : "?", info.fps);
    std::printf("model %s on %s (%s, batch %lld); GMC %s (downscale %d); tracker %s\n", o.model.c_str(),
                pipeline.detector().device().str().c_str(), o.fp16 ? "fp16" : "fp32", (long long)batch, o.gmc.c_str(),
                o.downscale, o.preset.c_str());

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
  } catch (const std::exception& e) {
    std::fprintf(stderr, "\ntrack_video: %s\n", e.what());
    return 1;
  }
}
