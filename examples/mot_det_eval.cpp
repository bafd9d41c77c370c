// mot_det_eval: how well a detector's boxes cover the ground truth of MOTChallenge sequences.
//
// For every sequence under <data>/mot/MOT17/train it reads gt/gt.txt and a detection file, pads each
// frame's boxes into [F,D,4] / [F,G,4] tensors, computes all F IoU matrices in one batched trackkit::box_iou
// call (on the GPU when there is one), matches greedily at an IoU threshold and prints precision, recall
// and mean matched IoU per sequence, plus the time spent.
//
//   mot_det_eval [--data DIR] [--det det.txt|yolox_x_ablation.txt] [--iou 0.5] [--min-score 0]
//                [--device auto|cpu|cuda:N] [--csv results.csv]
//
// --help lists every option with its default.
#include <ATen/ATen.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "cli.hpp"
#include "trackkit/core.hpp"
#include "trackkit/mot.hpp"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
  std::string data, det = "det.txt", device = "auto", csv;
  double iou = 0.5, min_score = 0.0;
};

struct Result {
  std::string sequence;
  int64_t frames = 0, gt = 0, det = 0, tp = 0;
  double matched_iou = 0, iou_ms = 0;
};

using FrameBoxes = std::map<int64_t, std::vector<float>>; // 0-based frame -> x,y,w,h,...

// The rows of a MOT file that `keep` accepts, grouped by frame.
template <typename Keep>
FrameBoxes read_boxes(const fs::path& file, Keep keep) {
  FrameBoxes boxes;
  for (const trackkit::mot::Row& r : trackkit::mot::read_mot_file(file.string())) {
    if (!keep(r)) continue;
    auto& f = boxes[r.frame];
    f.insert(f.end(), {float(r.x), float(r.y), float(r.w), float(r.h)});
  }
  return boxes;
}

// [F, max boxes, 4] xywh padded with zero boxes (zero area: IoU 0 with everything), plus counts.
std::pair<at::Tensor, std::vector<int64_t>> pad(const FrameBoxes& boxes, int64_t frames) {
  std::vector<int64_t> counts(frames, 0);
  int64_t most = 1;
  for (const auto& [f, v] : boxes)
    if (f >= 0 && f < frames) most = std::max<int64_t>(most, v.size() / 4);
  at::Tensor out = at::zeros({frames, most, 4});
  for (const auto& [f, v] : boxes) {
    if (f < 0 || f >= frames) continue;
    counts[f] = v.size() / 4;
    out[f].narrow(0, 0, counts[f]).copy_(at::from_blob(const_cast<float*>(v.data()), {counts[f], 4}));
  }
  return {out, counts};
}

Result evaluate(const fs::path& seq, const Options& o, const c10::Device& device) {
  Result r;
  r.sequence = seq.filename().string();
  r.frames = trackkit::mot::read_seqinfo((seq / "seqinfo.ini").string()).length;
  // Pedestrians (class 1) marked to be considered; detections above the score threshold.
  auto gt = read_boxes(seq / "gt" / "gt.txt", [](const trackkit::mot::Row& g) { return g.score == 1 && g.cls == 1; });
  auto det = read_boxes(seq / "det" / o.det, [&](const trackkit::mot::Row& d) { return d.score >= o.min_score; });
  auto [gt_t, gt_n] = pad(gt, r.frames);
  auto [det_t, det_n] = pad(det, r.frames);

  const auto t0 = Clock::now();
  const at::Tensor gt_xyxy =
      trackkit::convert_boxes(gt_t.to(device), trackkit::BoxFormat::XYWH, trackkit::BoxFormat::XYXY);
  const at::Tensor det_xyxy =
      trackkit::convert_boxes(det_t.to(device), trackkit::BoxFormat::XYWH, trackkit::BoxFormat::XYXY);
  const at::Tensor iou = trackkit::box_iou(det_xyxy, gt_xyxy).cpu(); // [F, D, G]
  r.iou_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();

  auto acc = iou.accessor<float, 3>();
  for (int64_t f = 0; f < r.frames; ++f) {
    r.gt += gt_n[f];
    r.det += det_n[f];
    std::vector<std::tuple<float, int64_t, int64_t>> pairs;
    for (int64_t i = 0; i < det_n[f]; ++i)
      for (int64_t j = 0; j < gt_n[f]; ++j)
        if (acc[f][i][j] >= o.iou) pairs.emplace_back(acc[f][i][j], i, j);
    std::sort(pairs.begin(), pairs.end(), [](const auto& a, const auto& b) { return std::get<0>(a) > std::get<0>(b); });
    std::vector<char> det_used(det_n[f], 0), gt_used(gt_n[f], 0);
    for (const auto& [v, i, j] : pairs) {
      if (det_used[i] || gt_used[j]) continue;
      det_used[i] = gt_used[j] = 1;
      ++r.tp;
      r.matched_iou += v;
    }
  }
  return r;
}

void add_options(CLI::App& app, Options& o) {
  examples::add_data_option(app, o.data);
  examples::add_detections_option(app, o.det);
  app.add_option("--iou", o.iou, "a detection matches a ground-truth box at this IoU or more")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--min-score", o.min_score, "detections scored below this are ignored")->capture_default_str();
  examples::add_device_option(app, o.device);
  app.add_option("--csv", o.csv, "also write the table to this CSV file");
  examples::old_spelling(app.add_option("--out", o.csv));
}

int evaluate_all(const Options& o) {
  const c10::Device device = trackkit::parse_device(o.device, "--device");
  const std::vector<std::string> seqs = examples::mot17_train_sequences(o.data, o.det);
  // The first CUDA call loads kernels and the context: keep that out of the per-sequence times.
  const auto w0 = Clock::now();
  trackkit::box_iou(at::zeros({1, 4}, device), at::zeros({1, 4}, device));
  const double warmup_ms = std::chrono::duration<double, std::milli>(Clock::now() - w0).count();
  std::printf("%s\nMOT17 train, detections %s, IoU >= %.2f, score >= %.2f, device %s (first call %.1f ms)\n\n",
              trackkit::build_info(), o.det.c_str(), o.iou, o.min_score, device.str().c_str(), warmup_ms);
  std::printf("%-16s %7s %8s %8s %8s %9s %7s %8s %9s\n", "sequence", "frames", "gt", "det", "tp", "precision", "recall",
              "mean IoU", "IoU ms");
  Result total;
  total.sequence = "total";
  std::vector<Result> results;
  const auto t0 = Clock::now();
  for (const auto& s : seqs) results.push_back(evaluate(s, o, device));
  const double wall = std::chrono::duration<double>(Clock::now() - t0).count();
  for (const Result& r : results) {
    total.frames += r.frames, total.gt += r.gt, total.det += r.det, total.tp += r.tp;
    total.matched_iou += r.matched_iou, total.iou_ms += r.iou_ms;
  }
  results.push_back(total);
  std::ofstream csv;
  if (!o.csv.empty()) {
    csv.open(o.csv);
    if (!csv) throw std::runtime_error("cannot write --csv " + o.csv);
    csv << "sequence,frames,gt,det,tp,precision,recall,mean_iou\n";
  }
  for (const Result& r : results) {
    const double p = r.det ? double(r.tp) / r.det : 0, rc = r.gt ? double(r.tp) / r.gt : 0;
    const double m = r.tp ? r.matched_iou / r.tp : 0;
    std::printf("%-16s %7lld %8lld %8lld %8lld %9.4f %7.4f %8.4f %9.2f\n", r.sequence.c_str(), (long long)r.frames,
                (long long)r.gt, (long long)r.det, (long long)r.tp, p, rc, m, r.iou_ms);
    if (csv)
      csv << r.sequence << ',' << r.frames << ',' << r.gt << ',' << r.det << ',' << r.tp << ',' << p << ',' << rc << ','
          << m << '\n';
  }
  std::printf("\n%lld frames in %.2f s (%.0f frames/s, including file parsing)%s%s\n", (long long)total.frames, wall,
              total.frames / wall, o.csv.empty() ? "" : "; results written to ", o.csv.c_str());
  return 0;
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app(
      "mot_det_eval: precision, recall and mean matched IoU of a MOT17 detection file against the ground "
      "truth, all frames' IoU matrices in one batched box_iou call",
      "mot_det_eval");
  Options o;
  add_options(app, o);
  return examples::run(app, argc, argv, [&] { return evaluate_all(o); });
}
