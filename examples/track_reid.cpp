// track_reid: BoT-SORT with and without ReID on a MOTChallenge sequence that has frames: every detection of every
// frame embedded by the Embedder (e.g. OSNet), both trackers fed the same detections, IDF1 / HOTA / MOTA of each.
//
//   track_reid --model osnet_x0_25_msmt17.torchscript [--device cpu|cuda] [--det det.txt] [--video FILE]
//              [--raw FILE --raw-size WxH] [--scale 1] [--mot15] [--max-frames N] [--tracker botsort]
//              SEQUENCE_DIR
//
// Frames come from --video (OpenCV videoio), --raw (BGR frames of WxH back to back, for machines without videoio)
// or SEQUENCE_DIR/img1/*.jpg (imgcodecs); only frames that exist are
// tracked and scored. --scale multiplies detection and ground-truth boxes (a video smaller than the sequence's
// frames, e.g. PETS09-S2L1 at 480x360: 0.625). --mot15 scores every gt row (no MOT17 distractor preprocessing).
// --tracker: the settings of both trackers (a preset with a ReID cue, or an ultralytics YAML). --help lists every
// option with its default.
#include <ATen/ATen.h>
#include <opencv2/core.hpp>
#ifdef TRACKKIT_HAVE_IMGCODECS
#include <opencv2/imgcodecs.hpp>
#endif
#ifdef TRACKKIT_HAVE_VIDEOIO
#include <opencv2/videoio.hpp>
#endif

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "cli.hpp"
#include "trackkit/embedder.hpp"
#include "trackkit/mot.hpp"
#include "trackkit/tracker.hpp"
#include "trackkit/version.hpp"

namespace fs = std::filesystem;
namespace mot = trackkit::mot;

namespace {

struct Options {
  std::string model, device = "auto", det = "det.txt", video, raw, sequence, tracker = "botsort";
  int64_t raw_width = 0, raw_height = 0, max_frames = -1;
  double scale = 1;
  bool mot15 = false;
};

/// Frame `index` (0-based) of the sequence, or an empty Mat past the last one available here.
class FrameSource {
 public:
  FrameSource(const Options& o, const mot::SeqInfo& info)
      : dir_(fs::path(o.sequence) / info.im_dir), ext_(info.im_ext), width_(o.raw_width), height_(o.raw_height) {
    if (!o.raw.empty()) {
      raw_.open(o.raw, std::ios::binary);
      if (!raw_) throw std::runtime_error("cannot read --raw " + o.raw);
    }
    if (!o.video.empty()) {
#ifdef TRACKKIT_HAVE_VIDEOIO
      video_ = std::make_unique<cv::VideoCapture>(o.video);
      if (!video_->isOpened()) throw std::runtime_error("cannot open --video " + o.video);
#else
      throw std::runtime_error("this OpenCV has no videoio for --video");
#endif
    }
  }
  cv::Mat next(int64_t index) {
    cv::Mat frame;
    if (raw_.is_open()) {
      frame.create(static_cast<int>(height_), static_cast<int>(width_), CV_8UC3);
      return raw_.read(reinterpret_cast<char*>(frame.data), static_cast<std::streamsize>(frame.total() * 3))
                 ? frame
                 : cv::Mat();
    }
#ifdef TRACKKIT_HAVE_VIDEOIO
    if (video_) {
      video_->read(frame);
      return frame;
    }
#endif
#ifdef TRACKKIT_HAVE_IMGCODECS
    char name[32];
    std::snprintf(name, sizeof name, "%06lld", static_cast<long long>(index + 1));
    const fs::path file = dir_ / (name + ext_);
    if (fs::exists(file)) frame = cv::imread(file.string(), cv::IMREAD_COLOR);
#else
    (void)index;
#endif
    return frame;
  }

 private:
  fs::path dir_;
  std::string ext_;
  int64_t width_, height_;
  std::ifstream raw_;
#ifdef TRACKKIT_HAVE_VIDEOIO
  std::unique_ptr<cv::VideoCapture> video_;
#endif
};

std::vector<mot::Row> scaled(std::vector<mot::Row> rows, double s) {
  for (mot::Row& r : rows) r.x *= s, r.y *= s, r.w *= s, r.h *= s;
  return rows;
}

mot::Row to_row(const trackkit::TrackerOutput& out, int64_t i, int64_t frame) {
  const auto b = out.boxes.accessor<double, 2>();
  mot::Row r;
  r.frame = frame, r.id = out.ids[i].item<int64_t>(), r.score = out.scores[i].item<double>();
  r.x = b[i][0], r.y = b[i][1], r.w = b[i][2] - b[i][0], r.h = b[i][3] - b[i][1];
  return r;
}

void add_options(CLI::App& app, Options& o) {
  app.add_option("--model", o.model, "ReID embedder: a TorchScript export (e.g. osnet_x0_25_msmt17.torchscript)")
      ->required()
      ->check(CLI::ExistingFile);
  examples::add_device_option(app, o.device);
  examples::add_detections_option(app, o.det);
  examples::add_tracker_option(app, o.tracker);
  app.add_option("--video", o.video, "frames from this video (OpenCV videoio) instead of SEQUENCE_DIR's images")
      ->check(CLI::ExistingFile);
  auto* size = examples::add_size_option(app, "--raw-size", o.raw_width, o.raw_height, "--raw's frame size");
  app.add_option("--raw", o.raw, "frames from this file of BGR WxH frames back to back (machines without videoio)")
      ->check(CLI::ExistingFile)
      ->needs(size);
  app.add_option("--scale", o.scale,
                 "detection and ground-truth boxes times this (a video smaller than the "
                 "sequence's frames)")
      ->capture_default_str()
      ->check(examples::positive());
  examples::add_mot15_flag(app, o.mot15);
  examples::add_max_frames_option(app, o.max_frames, "--frames");
  app.add_option("SEQUENCE_DIR", o.sequence, "MOT sequence folder (seqinfo.ini, det/, gt/gt.txt)")
      ->required()
      ->check(CLI::ExistingDirectory);
}

int compare(const Options& o) {
  const mot::SeqInfo info = mot::read_seqinfo((fs::path(o.sequence) / "seqinfo.ini").string());
  const int64_t length = o.max_frames > 0 ? std::min(o.max_frames, info.length) : info.length;
  const std::vector<at::Tensor> dets = mot::detections_per_frame(
      scaled(mot::read_mot_file((fs::path(o.sequence) / "det" / o.det).string()), o.scale), info.length);
  trackkit::EmbedderOptions eo;
  eo.device = o.device;
  trackkit::Embedder embedder(o.model, eo);
  const trackkit::TrackerOptions settings = trackkit::TrackerOptions::from_name_or_file(o.tracker, info.frame_rate);
  trackkit::Tracker plain(settings), reid(settings);
  FrameSource source(o, info);
  std::vector<mot::Row> plain_rows, reid_rows;
  int64_t frames = 0, crops = 0;
  double embed_seconds = 0;
  for (int64_t f = 0; f < length; ++f, ++frames) {
    const cv::Mat image = source.next(f);
    if (image.empty()) break;
    const at::Tensor d = dets[f].to(at::kDouble);
    // Boxes with an area inside the frame (the Embedder rejects the others).
    const at::Tensor kept = (d.select(1, 2) > d.select(1, 0)) & (d.select(1, 3) > d.select(1, 1)) &
                            (d.select(1, 2) > 0) & (d.select(1, 3) > 0) & (d.select(1, 0) < image.cols) &
                            (d.select(1, 1) < image.rows);
    const at::Tensor det = d.index({kept});
    const at::Tensor frame = at::from_blob(image.data, {1, image.rows, image.cols, 3}, at::kByte);
    const at::Tensor boxes = at::cat({at::zeros({det.size(0), 1}, at::kDouble), det.narrow(1, 0, 4)}, 1);
    const auto t0 = std::chrono::steady_clock::now();
    const at::Tensor embeddings = embedder.embed(frame, boxes).cpu();
    embed_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    crops += det.size(0);
    trackkit::TrackerInput input;
    input.detections = det.narrow(1, 0, 5);
    const trackkit::TrackerOutput a = plain.update(input);
    input.embeddings = embeddings;
    const trackkit::TrackerOutput b = reid.update(input);
    for (int64_t i = 0; i < a.ids.size(0); ++i) plain_rows.push_back(to_row(a, i, f));
    for (int64_t i = 0; i < b.ids.size(0); ++i) reid_rows.push_back(to_row(b, i, f));
  }
  std::vector<mot::Row> gt;
  for (const mot::Row& g : scaled(mot::read_mot_file((fs::path(o.sequence) / "gt" / "gt.txt").string()), o.scale))
    if (g.frame < frames) gt.push_back(g);
  mot::EvalOptions eval;
  eval.num_frames = frames;
  eval.mot17_preprocessing = !o.mot15;
  std::printf("%s\n%s: %lld frames, %lld detections embedded (%s, %.1f crops/s incl. the copy back), tracker %s\n",
              trackkit::build_info(), info.name.c_str(), static_cast<long long>(frames), static_cast<long long>(crops),
              embedder.device().str().c_str(), crops / std::max(embed_seconds, 1e-9), o.tracker.c_str());
  const std::string with_reid = o.tracker + "+ReID";
  const int width = static_cast<int>(std::max<size_t>(14, with_reid.size()));
  std::printf("%-*s %8s %8s %8s %8s %6s %6s\n", width, "tracker", "IDF1", "HOTA", "AssA", "MOTA", "IDSW", "IDs");
  for (const auto& [name, rows] :
       {std::pair<std::string, const std::vector<mot::Row>&>{o.tracker, plain_rows}, {with_reid, reid_rows}}) {
    const mot::SequenceResult r = mot::evaluate_sequence(gt, rows, eval);
    std::printf("%-*s %8.3f %8.3f %8.3f %8.3f %6lld %6lld\n", width, name.c_str(), 100 * r.identity.idf1,
                100 * r.hota.hota, 100 * r.hota.ass_a, 100 * r.clear.mota, static_cast<long long>(r.clear.idsw),
                static_cast<long long>(r.num_tracker_ids));
  }
  return 0;
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app(
      "track_reid: a tracker with and without the Embedder's ReID features on a MOT sequence with frames, "
      "same detections, IDF1 / HOTA / MOTA of each",
      "track_reid");
  Options o;
  add_options(app, o);
  return examples::run(app, argc, argv, [&] { return compare(o); });
}
