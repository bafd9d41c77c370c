// track_mot: tracks MOTChallenge sequences from their detection files, writes MOT results and prints
// HOTA / MOTA / IDF1 against the ground truth (TrackEval's procedure, trackkit/mot.hpp).
//
//   track_mot [--data DIR] [--det det.txt|yolox_x_ablation.txt] [--tracker NAME|FILE.yaml] [--gmc-files]
//             [--val-half] [--out DIR] [--min-area 100] [--max-aspect 1.6] [SEQUENCE_DIR ...]
//
// Without sequence folders it runs every <data>/mot/MOT17/train/* that has the detection file. --tracker takes a
// trackkit::TrackerOptions preset (default bytetrack_mot17, at each sequence's frame rate) or an ultralytics
// tracker YAML. --val-half tracks and scores frames N/2+2..N only (ByteTrack's validation protocol). Output boxes
// wider than max-aspect (w/h) or smaller than min-area are not written, as ByteTrack's tools/track.py does.
// --gmc-files applies the sequence's BoT-SORT GMC file (gmc/GMC-<name>.txt) as each frame's camera warp.
// --help lists every option with its default.
#include <ATen/ATen.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "cli.hpp"
#include "trackkit/mot.hpp"
#include "trackkit/tracker.hpp"
#include "trackkit/version.hpp"

namespace fs = std::filesystem;
namespace mot = trackkit::mot;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
  std::string data, det = "det.txt", tracker = "bytetrack_mot17", out = "track_mot_results";
  bool val_half = false, gmc_files = false;
  double min_area = 100, max_aspect = 1.6;
  std::vector<std::string> sequences;
};

struct Outcome {
  std::string name;
  int64_t frames = 0;
  double track_seconds = 0;
  mot::SequenceResult metrics;
  bool has_gt = false;
};

Outcome track_sequence(const fs::path& seq, const Options& o) {
  Outcome r;
  const mot::SeqInfo info = mot::read_seqinfo((seq / "seqinfo.ini").string());
  r.name = info.name;
  const int64_t first = o.val_half ? info.length / 2 + 1 : 0; // 0-based first frame
  std::vector<std::vector<double>> per_frame(info.length);    // x1,y1,x2,y2,score in file order, float64
  for (const mot::Row& d : mot::read_mot_file((seq / "det" / o.det).string())) {
    if (d.frame < 0 || d.frame >= info.length) continue;
    per_frame[d.frame].insert(per_frame[d.frame].end(), {d.x, d.y, d.x + d.w, d.y + d.h, d.score});
  }
  std::vector<at::Tensor> warps(info.length);
  if (o.gmc_files) {
    const std::string stem = info.name.substr(0, info.name.rfind('-')); // MOT17-05-FRCNN -> MOT17-05
    for (const mot::GmcEntry& g : mot::read_gmc_file((seq / "gmc" / ("GMC-" + stem + ".txt")).string()))
      if (g.frame >= 0 && g.frame < info.length)
        warps[g.frame] = at::tensor(std::vector<double>(g.warp.begin(), g.warp.end()), at::kDouble).view({2, 3});
  }
  trackkit::Tracker tracker(trackkit::TrackerOptions::from_name_or_file(o.tracker, info.frame_rate));
  std::vector<mot::Row> results;
  for (int64_t f = first; f < info.length; ++f, ++r.frames) {
    std::vector<double>& d = per_frame[f];
    trackkit::TrackerInput input;
    input.detections = at::from_blob(d.data(), {static_cast<int64_t>(d.size() / 5), 5}, at::kDouble);
    input.warp = warps[f];
    const auto t0 = Clock::now();
    const trackkit::TrackerOutput out = tracker.update(input);
    r.track_seconds += std::chrono::duration<double>(Clock::now() - t0).count();
    const auto boxes = out.boxes.accessor<double, 2>();
    for (int64_t i = 0; i < out.ids.size(0); ++i) {
      mot::Row row;
      row.frame = f - first;
      row.id = out.ids[i].item<int64_t>();
      row.x = boxes[i][0], row.y = boxes[i][1], row.w = boxes[i][2] - boxes[i][0], row.h = boxes[i][3] - boxes[i][1];
      row.score = out.scores[i].item<double>();
      if (row.w * row.h > o.min_area && !(row.w / row.h > o.max_aspect)) results.push_back(row);
    }
  }
  fs::create_directories(o.out);
  // One decimal, as ByteTrack's tools/track.py writes (the scores below are those of the written file).
  const std::string written = (fs::path(o.out) / (r.name + ".txt")).string();
  mot::write_mot_results(written, results, 1);
  const fs::path gt_file = seq / "gt" / "gt.txt";
  if (fs::exists(gt_file)) {
    std::vector<mot::Row> gt;
    for (mot::Row g : mot::read_mot_file(gt_file.string()))
      if (g.frame >= first) g.frame -= first, gt.push_back(g);
    mot::EvalOptions eval;
    eval.num_frames = info.length - first;
    r.metrics = mot::evaluate_sequence(gt, mot::read_mot_file(written), eval);
    r.has_gt = true;
  }
  return r;
}

void add_options(CLI::App& app, Options& o) {
  examples::add_data_option(app, o.data);
  examples::add_detections_option(app, o.det);
  examples::add_tracker_option(app, o.tracker);
  app.add_flag("--gmc-files", o.gmc_files, "camera warps from each sequence's BoT-SORT GMC file (gmc/GMC-<name>.txt)");
  examples::old_spelling(app.add_flag("--gmc", o.gmc_files));
  app.add_flag("--val-half", o.val_half, "track and score frames N/2+2..N only (ByteTrack's validation protocol)");
  app.add_option("--out", o.out, "folder for the results, <sequence>.txt each")->capture_default_str();
  app.add_option("--min-area", o.min_area, "output boxes of this area (pixels) or less are not written")
      ->capture_default_str()
      ->check(examples::non_negative());
  app.add_option("--max-aspect", o.max_aspect, "output boxes wider than this (w/h) are not written")
      ->capture_default_str()
      ->check(examples::positive());
  app.add_option("SEQUENCE_DIR", o.sequences,
                 "MOT sequence folders (default: every <data>/mot/MOT17/train/* with the detection file)")
      ->check(CLI::ExistingDirectory);
}

int track_all(Options& o) {
  if (o.sequences.empty()) o.sequences = examples::mot17_train_sequences(o.data, o.det);
  std::printf("%s\ntracker %s, detections %s%s; results in %s/\n\n", trackkit::build_info(), o.tracker.c_str(),
              o.det.c_str(), o.val_half ? ", val-half frames" : "", o.out.c_str());
  if (o.gmc_files) std::printf("camera motion: the sequences' BoT-SORT GMC files\n");
  std::printf("%-16s %6s %8s %7s %7s %7s %7s %7s %6s %10s\n", "sequence", "frames", "HOTA", "DetA", "AssA", "MOTA",
              "IDF1", "IDSW", "IDs", "us/frame");
  std::vector<mot::SequenceResult> scored;
  int64_t frames = 0;
  double seconds = 0;
  auto print = [](const std::string& name, int64_t n, const mot::SequenceResult& m, double s) {
    std::printf("%-16s %6lld %8.3f %7.3f %7.3f %7.3f %7.3f %7lld %6lld %10.1f\n", name.c_str(), (long long)n,
                100 * m.hota.hota, 100 * m.hota.det_a, 100 * m.hota.ass_a, 100 * m.clear.mota, 100 * m.identity.idf1,
                (long long)m.clear.idsw, (long long)m.num_tracker_ids, 1e6 * s / std::max<int64_t>(n, 1));
  };
  for (const std::string& s : o.sequences) {
    const Outcome r = track_sequence(s, o);
    frames += r.frames;
    seconds += r.track_seconds;
    if (r.has_gt) {
      print(r.name, r.frames, r.metrics, r.track_seconds);
      scored.push_back(r.metrics);
    } else {
      std::printf("%-16s %6lld   (no gt/gt.txt: not scored) %33.1f\n", r.name.c_str(), (long long)r.frames,
                  1e6 * r.track_seconds / std::max<int64_t>(r.frames, 1));
    }
  }
  if (!scored.empty()) print("COMBINED", frames, mot::combine(scored), seconds);
  std::printf("\n%lld frames tracked in %.3f s: %.0f frames/s (Tracker::update only, one thread)\n", (long long)frames,
              seconds, frames / std::max(seconds, 1e-9));
  return 0;
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app(
      "track_mot: tracks MOTChallenge sequences from their detection files, writes MOT results and prints "
      "HOTA / MOTA / IDF1 against the ground truth",
      "track_mot");
  Options o;
  add_options(app, o);
  return examples::run(app, argc, argv, [&] { return track_all(o); });
}
