// The tracker with ByteTrack's MOT17 settings against the original ByteTrack's output on MOT17
// (../shared/data/mot/MOT17/bytetrack_reference: golden tracks from ifzhang/ByteTrack, see its README).
#include <ATen/ATen.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "catch.hpp"
#include "trackkit/tracker.hpp"

namespace fs = std::filesystem;

namespace {

std::vector<std::vector<double>> read_csv_rows(const fs::path& file) {
  std::ifstream in(file);
  REQUIRE(in.good());
  std::vector<std::vector<double>> rows;
  for (std::string line; std::getline(in, line);) {
    std::vector<double> v;
    std::stringstream ss(line);
    for (std::string cell; std::getline(ss, cell, ',');) v.push_back(std::strtod(cell.c_str(), nullptr));
    if (v.size() >= 7) rows.push_back(v);
  }
  return rows;
}

int ini_value(const fs::path& seqinfo, const std::string& key) {
  std::ifstream in(seqinfo);
  for (std::string line; std::getline(in, line);)
    if (line.rfind(key + "=", 0) == 0) return std::stoi(line.substr(key.size() + 1));
  FAIL("no " << key << " in " << seqinfo);
  return 0;
}

struct RunResult {
  int64_t frames = 0, golden_rows = 0, rows = 0, mismatched_frames = 0;
  std::string first_mismatch;
};

// Tracks one sequence over [first, last] and compares each frame's written rows (ByteTrack's tools/track.py:
// tlwh, kept when w*h > 100 and w/h <= 1.6, rounded to 0.1) with the golden file.
RunResult run_sequence(const fs::path& seq, const std::string& det_file, const fs::path& golden, bool val_half) {
  const int length = ini_value(seq / "seqinfo.ini", "seqLength");
  const int fps = ini_value(seq / "seqinfo.ini", "frameRate");
  std::map<int, std::vector<double>> dets; // frame -> x1,y1,x2,y2,score rows in file order
  for (const auto& r : read_csv_rows(seq / "det" / det_file)) {
    auto& f = dets[static_cast<int>(r[0])];
    f.insert(f.end(), {r[2], r[3], r[2] + r[4], r[3] + r[5], r[6]});
  }
  std::map<int, std::map<int64_t, std::vector<double>>> expected; // frame -> id -> x,y,w,h
  RunResult result;
  for (const auto& r : read_csv_rows(golden)) {
    expected[static_cast<int>(r[0])][static_cast<int64_t>(r[1])] = {r[2], r[3], r[4], r[5], r[6]};
    ++result.golden_rows;
  }
  trackkit::Tracker tracker(trackkit::TrackerOptions::bytetrack_mot17(fps));
  const int first = val_half ? length / 2 + 2 : 1;
  for (int frame = first; frame <= length; ++frame, ++result.frames) {
    std::vector<double>& d = dets[frame];
    const at::Tensor input = at::from_blob(d.data(), {static_cast<int64_t>(d.size() / 5), 5}, at::kDouble);
    const trackkit::TrackerOutput out = tracker.update(input);
    std::map<int64_t, std::vector<double>> got;
    for (int64_t i = 0; i < out.ids.size(0); ++i) {
      const double x = out.boxes[i][0].item<double>(), y = out.boxes[i][1].item<double>();
      const double w = out.boxes[i][2].item<double>() - x, h = out.boxes[i][3].item<double>() - y;
      if (w * h > 100 && !(w / h > 1.6)) got[out.ids[i].item<int64_t>()] = {x, y, w, h, out.scores[i].item<double>()};
    }
    result.rows += static_cast<int64_t>(got.size());
    const auto& want = expected[frame];
    bool same = got.size() == want.size();
    for (auto it = got.begin(); same && it != got.end(); ++it) {
      const auto w = want.find(it->first);
      same = w != want.end();
      for (int k = 0; same && k < 4; ++k) same = std::abs(it->second[k] - w->second[k]) <= 0.05 + 1e-6;
      same = same && std::abs(it->second[4] - w->second[4]) <= 0.005 + 1e-9;
    }
    if (!same && result.mismatched_frames++ == 0) {
      std::ostringstream os;
      os << "frame " << frame << ": " << got.size() << " tracks vs " << want.size() << " golden";
      result.first_mismatch = os.str();
    }
  }
  return result;
}

} // namespace

TEST_CASE("ByteTrack MOT17 settings reproduce the original ByteTrack's tracks frame by frame") {
  const std::string data = tk_test_data_dir();
  const fs::path ref = fs::path(data) / "mot" / "MOT17" / "bytetrack_reference";
  if (data.empty() || !fs::exists(ref)) TK_SKIP("needs TRACKKIT_DATA with mot/MOT17/bytetrack_reference");
  const fs::path train = fs::path(data) / "mot" / "MOT17" / "train";
  for (const char* run : {"yolox_val_half", "frcnn_full"}) {
    const bool val_half = std::string(run) == "yolox_val_half";
    for (const char* seq : {"MOT17-02-FRCNN", "MOT17-04-FRCNN", "MOT17-05-FRCNN", "MOT17-09-FRCNN", "MOT17-10-FRCNN"}) {
      const RunResult r = run_sequence(train / seq, val_half ? "yolox_x_ablation.txt" : "det.txt",
                                       ref / run / (std::string(seq) + ".txt"), val_half);
      INFO(run << " " << seq << ": " << r.frames << " frames, " << r.rows << " rows vs " << r.golden_rows << " golden, "
               << r.mismatched_frames << " frames differ; first: " << r.first_mismatch);
      CHECK(r.mismatched_frames == 0);
      CHECK(r.rows == r.golden_rows);
    }
  }
}
