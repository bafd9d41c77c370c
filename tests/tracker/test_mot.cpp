// MOT file tooling and the CLEAR / Identity / HOTA evaluator: hand-computed cases, then TrackEval's own
// results on MOT17 (parsed at test time from $TRACKKIT_DATA/mot/MOT17/trackeval_reference).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <stdlib.h>
#include <unistd.h>

#include "catch.hpp"
#include "trackkit/error.hpp"
#include "trackkit/mot.hpp"

namespace mot = trackkit::mot;

namespace {

mot::Row box(int64_t frame, int64_t id, double x, double y, double w, double h, int64_t cls = 1, double score = 1) {
  mot::Row r;
  r.frame = frame, r.id = id, r.x = x, r.y = y, r.w = w, r.h = h, r.cls = cls, r.score = score;
  return r;
}

// A file in a fresh temporary folder, removed at the end of the test. (POSIX calls, not std::filesystem:
// LibTorch's libraries export their own copy of some std::filesystem symbols.)
struct TempFile {
  explicit TempFile(const std::string& name, const std::string& text = "") {
    std::string tmpl = "/tmp/trackkit_test_mot_XXXXXX";
    REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    dir = tmpl;
    path = dir + "/" + name;
    if (!text.empty()) std::ofstream(path) << text;
  }
  ~TempFile() {
    std::remove(path.c_str());
    ::rmdir(dir.c_str());
  }
  std::string dir;
  std::string path;
};

bool file_exists(const std::string& path) { return std::ifstream(path).good(); }

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const trackkit::Error& e) {
    return e.what();
  }
  return "";
}

} // namespace

// ------------------------------------------------------------------------------------------------ files

TEST_CASE("read_mot_file reads 7-column detections in any line order", "[mot]") {
  TempFile f("det.txt", "3,-1,10,20,30,40,0.9\n1,-1,1.5,2.5,3,4,0.5\n\n2,-1,0,0,1,1,0.25\r\n1,-1,5,6,7,8,0.75\n");
  const std::vector<mot::Row> rows = mot::read_mot_file(f.path);
  REQUIRE(rows.size() == 4);
  CHECK(rows[0].frame == 2); // 0-based
  CHECK(rows[0].id == -1);
  CHECK(rows[1].frame == 0);
  CHECK(rows[1].x == 1.5);
  CHECK(rows[1].y == 2.5);
  CHECK(rows[1].w == 3);
  CHECK(rows[1].h == 4);
  CHECK(rows[1].score == 0.5);
  CHECK(rows[1].cls == -1);
  CHECK(rows[1].visibility == -1);
  CHECK(rows[2].score == 0.25);
  CHECK(rows[3].frame == 0);

  const std::vector<at::Tensor> per_frame = mot::detections_per_frame(rows, 4);
  REQUIRE(per_frame.size() == 4);
  CHECK(per_frame[0].size(0) == 2);
  CHECK(per_frame[3].size(0) == 0);
  CHECK(per_frame[0][0][2].item<float>() == Approx(4.5)); // x2 = x + w
  CHECK(per_frame[0][1][4].item<float>() == Approx(0.75));
}

TEST_CASE("read_mot_file reads 10-column detections, 9-column gt and space-separated lines", "[mot]") {
  TempFile det("det.txt", "1,7,10.25,20,30,40,0.91,-1,-1,-1\n2, 8, 1, 2, 3, 4, 0.5, -1, -1, -1,\n");
  std::vector<mot::Row> rows = mot::read_mot_file(det.path);
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].id == 7);
  CHECK(rows[0].x == 10.25);
  CHECK(rows[0].score == 0.91);
  CHECK(rows[0].cls == -1);
  CHECK(rows[1].frame == 1);
  CHECK(rows[1].h == 4);

  TempFile gt("gt.txt", "1,1,912,484,97,109,0,7,1\n5,2,10,10,20,40,1,1,0.5\n");
  rows = mot::read_mot_file(gt.path);
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].score == 0);
  CHECK(rows[0].cls == 7);
  CHECK(rows[1].frame == 4);
  CHECK(rows[1].cls == 1);
  CHECK(rows[1].visibility == 0.5);

  TempFile spaced("s.txt", "1 3 1 2 3 4 0.5\n");
  rows = mot::read_mot_file(spaced.path);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].id == 3);
  CHECK(rows[0].score == 0.5);
}

TEST_CASE("read_mot_file errors name the file and the line", "[mot]") {
  {
    TempFile f("bad.txt", "1,1,0,0,1,1,1\n2,1,0,0,1,1,1\n3,1,0,abc,1,1,1\n");
    const std::string msg = error_of([&] { mot::read_mot_file(f.path); });
    CHECK(msg.find("read_mot_file") != std::string::npos);
    CHECK(msg.find(f.path + ":3:") != std::string::npos);
    CHECK(msg.find("abc") != std::string::npos);
  }
  {
    TempFile f("few.txt", "1,1,0,0,1\n");
    CHECK(error_of([&] { mot::read_mot_file(f.path); }).find(":1: expected 6 to 10 columns, got 5") !=
          std::string::npos);
  }
  {
    TempFile f("nan.txt", "1,1,0,0,1,1,1\n1,2,nan,0,1,1,1\n");
    CHECK(error_of([&] { mot::read_mot_file(f.path); }).find(":2: box value 'nan' is not finite") != std::string::npos);
  }
  {
    TempFile f("neg.txt", "1,1,0,0,-1,1,1\n");
    CHECK(error_of([&] { mot::read_mot_file(f.path); }).find(":1: box width and height must be >= 0") !=
          std::string::npos);
  }
  {
    TempFile f("frame.txt", "0,1,0,0,1,1,1\n");
    CHECK(error_of([&] { mot::read_mot_file(f.path); }).find(":1: frame must be an integer >= 1") != std::string::npos);
  }
  try {
    mot::read_mot_file("/nonexistent/trackkit/gt.txt");
    FAIL("no error for a missing file");
  } catch (const trackkit::Error& e) {
    CHECK(e.code() == trackkit::ErrorCode::NotFound);
    CHECK(std::string(e.what()).find("/nonexistent/trackkit/gt.txt") != std::string::npos);
  }
}

TEST_CASE("write_mot_results round-trips through read_mot_file", "[mot]") {
  TempFile f("res.txt");
  const std::vector<mot::Row> rows = {box(0, 3, 1418.85009765625, 430.6500244140625, 175.5, 328.72, 1, 0.9),
                                      box(4, 1, 0.1, 0.2, 0.3, 0.4, 1, 1)};
  mot::write_mot_results(f.path, rows);
  std::ifstream in(f.path);
  std::string first;
  std::getline(in, first);
  CHECK(first == "1,3,1418.85009765625,430.6500244140625,175.5,328.72,0.9,-1,-1,-1");
  const std::vector<mot::Row> back = mot::read_mot_file(f.path);
  REQUIRE(back.size() == 2);
  for (size_t i = 0; i < 2; ++i) {
    CHECK(back[i].frame == rows[i].frame);
    CHECK(back[i].id == rows[i].id);
    CHECK(back[i].x == rows[i].x);
    CHECK(back[i].y == rows[i].y);
    CHECK(back[i].w == rows[i].w);
    CHECK(back[i].h == rows[i].h);
    CHECK(back[i].score == rows[i].score);
  }
  mot::write_mot_results(f.path, rows, 2);
  std::ifstream in2(f.path);
  std::getline(in2, first);
  CHECK(first == "1,3,1418.85,430.65,175.50,328.72,0.90,-1,-1,-1");
}

TEST_CASE("read_seqinfo and read_gmc_file", "[mot]") {
  TempFile ini("seqinfo.ini",
               "[Sequence]\nname=MOT17-05-FRCNN\nimDir=img1\nframeRate=14\nseqLength=837\nimWidth=640\n"
               "imHeight=480\nimExt=.jpg\n");
  const mot::SeqInfo info = mot::read_seqinfo(ini.path);
  CHECK(info.name == "MOT17-05-FRCNN");
  CHECK(info.im_dir == "img1");
  CHECK(info.frame_rate == 14);
  CHECK(info.length == 837);
  CHECK(info.width == 640);
  CHECK(info.height == 480);
  CHECK(info.im_ext == ".jpg");

  TempFile gmc("gmc.txt",
               "0\t1.000000\t0.000000\t0.000000\t0.000000\t1.000000\t0.000000\t\n"
               "1\t1.004654\t-0.003387\t2.570496\t0.003387\t1.004654\t-2.006500\t\n");
  const std::vector<mot::GmcEntry> warps = mot::read_gmc_file(gmc.path);
  REQUIRE(warps.size() == 2);
  CHECK(warps[1].frame == 1);
  CHECK(warps[1].warp[0] == 1.004654);
  CHECK(warps[1].warp[2] == 2.570496);
  CHECK(warps[1].warp[5] == -2.0065);

  TempFile bad("gmc_bad.txt", "0\t1\t0\t0\t0\t1\t0\n0\t1\t0\t0\t0\t1\t0\n");
  CHECK(error_of([&] { mot::read_gmc_file(bad.path); }).find(":2: frame 0 does not follow frame 0") !=
        std::string::npos);

  const std::string data = tk_test_data_dir();
  const std::string seq = data + "/mot/MOT17/train/MOT17-05-FRCNN";
  if (data.empty() || !file_exists(seq + "/gmc/GMC-MOT17-05.txt")) TK_SKIP("TRACKKIT_DATA (MOT17-05 GMC) not found");
  const mot::SeqInfo real = mot::read_seqinfo(seq + "/seqinfo.ini");
  CHECK(real.length == 837);
  const std::vector<mot::GmcEntry> real_warps = mot::read_gmc_file(seq + "/gmc/GMC-MOT17-05.txt");
  CHECK(real_warps.front().frame == 0);
  CHECK(real_warps.front().warp[0] == 1.0);
}

// ------------------------------------------------------------------------------------ hand-computed metrics

TEST_CASE("evaluate_sequence: a perfect tracker scores 1", "[mot]") {
  std::vector<mot::Row> gt, res;
  for (int t = 0; t < 3; ++t) {
    gt.push_back(box(t, 1, 10, 10, 20, 40));
    gt.push_back(box(t, 2, 100, 10, 20, 40));
    res.push_back(box(t, 7, 100, 10, 20, 40)); // ids need not equal the gt ids
    res.push_back(box(t, 5, 10, 10, 20, 40));
  }
  const mot::SequenceResult r = mot::evaluate_sequence(gt, res);
  CHECK(r.clear.tp == 6);
  CHECK(r.clear.fp == 0);
  CHECK(r.clear.fn == 0);
  CHECK(r.clear.idsw == 0);
  CHECK(r.clear.mt == 2);
  CHECK(r.clear.frames == 3);
  CHECK(r.clear.mota == 1.0);
  CHECK(r.clear.motp == 1.0);
  CHECK(r.identity.idf1 == 1.0);
  CHECK(r.hota.hota == Approx(1.0));
  CHECK(r.hota.det_a == Approx(1.0));
  CHECK(r.hota.ass_a == Approx(1.0));
  CHECK(r.hota.loc_a == Approx(1.0));
  CHECK(r.num_gt_ids == 2);
  CHECK(r.num_tracker_ids == 2);
}

TEST_CASE("evaluate_sequence: one identity switch", "[mot]") {
  // One object over 4 frames, tracked as id 1 then id 2.
  std::vector<mot::Row> gt, res;
  for (int t = 0; t < 4; ++t) {
    gt.push_back(box(t, 1, 10, 10, 20, 40));
    res.push_back(box(t, t < 2 ? 1 : 2, 10, 10, 20, 40));
  }
  const mot::SequenceResult r = mot::evaluate_sequence(gt, res);
  CHECK(r.clear.tp == 4);
  CHECK(r.clear.idsw == 1);
  CHECK(r.clear.frag == 0);
  CHECK(r.clear.mota == Approx(0.75)); // (4 - 0 - 1) / 4
  CHECK(r.identity.idtp == 2);         // the best gt-tracker id pair covers 2 frames
  CHECK(r.identity.idfn == 2);
  CHECK(r.identity.idfp == 2);
  CHECK(r.identity.idf1 == Approx(0.5));
  // Each id pair: 2 matches, A = 2 / (4 + 2 - 2) = 0.5; AssRe = 2/4, AssPr = 2/2.
  CHECK(r.hota.det_a == Approx(1.0));
  CHECK(r.hota.ass_a == Approx(0.5));
  CHECK(r.hota.ass_re == Approx(0.5));
  CHECK(r.hota.ass_pr == Approx(1.0));
  CHECK(r.hota.hota == Approx(std::sqrt(0.5)));
}

TEST_CASE("evaluate_sequence: one false positive", "[mot]") {
  std::vector<mot::Row> gt = {box(0, 1, 10, 10, 20, 40), box(1, 1, 10, 10, 20, 40)};
  std::vector<mot::Row> res = {box(0, 1, 10, 10, 20, 40), box(1, 1, 10, 10, 20, 40), box(0, 9, 300, 300, 20, 40)};
  const mot::SequenceResult r = mot::evaluate_sequence(gt, res);
  CHECK(r.clear.tp == 2);
  CHECK(r.clear.fp == 1);
  CHECK(r.clear.mota == Approx(0.5));
  CHECK(r.clear.precision == Approx(2.0 / 3.0));
  CHECK(r.identity.idf1 == Approx(0.8)); // 2 / (2 + 0.5 * 1)
  CHECK(r.hota.det_a == Approx(2.0 / 3.0));
  CHECK(r.hota.ass_a == Approx(1.0));
  CHECK(r.hota.hota == Approx(std::sqrt(2.0 / 3.0)));
  for (int a = 0; a < mot::kNumAlphas; ++a) CHECK(r.hota.per_alpha.fp[a] == 1);
}

TEST_CASE("evaluate_sequence: localisation below some HOTA thresholds", "[mot]") {
  // IoU 0.72: matched for alpha = 0.05 .. 0.70 (14 of 19 thresholds), missed (1 FN + 1 FP) above.
  const std::vector<mot::Row> gt = {box(0, 1, 0, 0, 10, 10)};
  const std::vector<mot::Row> res = {box(0, 1, 0, 0, 10, 7.2)};
  const mot::SequenceResult r = mot::evaluate_sequence(gt, res);
  CHECK(r.clear.motp == Approx(0.72));
  CHECK(r.clear.tp == 1);
  for (int a = 0; a < mot::kNumAlphas; ++a) {
    CHECK(r.hota.per_alpha.tp[a] == (a < 14 ? 1 : 0));
    CHECK(r.hota.per_alpha.det_a[a] == Approx(a < 14 ? 1.0 : 0.0));
  }
  CHECK(r.hota.hota == Approx(14.0 / 19.0));
  CHECK(r.hota.det_a == Approx(14.0 / 19.0));
  CHECK(r.hota.loc_a == Approx((14 * 0.72 + 5 * 1.0) / 19.0)); // LocA is 1 where nothing matched
  CHECK(r.hota.hota0 == Approx(1.0));
  CHECK(mot::hota_alpha(0) == Approx(0.05));
  CHECK(mot::hota_alpha(18) == Approx(0.95));
}

TEST_CASE("evaluate_sequence: CLEAR keeps the previous frame's match", "[mot]") {
  // Frame 1: tracker 1 overlaps gt at IoU 0.6, tracker 2 at IoU 0.9; the continuation bonus keeps tracker 1.
  const std::vector<mot::Row> gt = {box(0, 1, 0, 0, 10, 10), box(1, 1, 0, 0, 10, 10)};
  const std::vector<mot::Row> res = {box(0, 1, 0, 0, 10, 10), box(1, 1, 0, 0, 10, 6), box(1, 2, 0, 0, 10, 9)};
  const mot::SequenceResult r = mot::evaluate_sequence(gt, res);
  CHECK(r.clear.tp == 2);
  CHECK(r.clear.fp == 1);
  CHECK(r.clear.idsw == 0);
  CHECK(r.clear.motp == Approx((1.0 + 0.6) / 2));
}

TEST_CASE("evaluate_sequence: MOT17 preprocessing removes matches of distractors", "[mot]") {
  std::vector<mot::Row> gt = {box(0, 1, 0, 0, 10, 20),          // pedestrian
                              box(0, 2, 100, 0, 10, 20, 7),     // static person (distractor)
                              box(0, 3, 200, 0, 10, 20, 1, 0)}; // pedestrian, consider flag 0
  std::vector<mot::Row> res = {box(0, 1, 0, 0, 10, 20), box(0, 2, 100, 0, 10, 20), box(0, 3, 200, 0, 10, 20)};
  mot::SequenceResult r = mot::evaluate_sequence(gt, res);
  CHECK(r.num_removed_tracker_dets == 1);
  CHECK(r.num_tracker_dets == 2);
  CHECK(r.num_gt_dets == 1);
  CHECK(r.clear.tp == 1);
  CHECK(r.clear.fp == 1); // the box on the zero-marked pedestrian stays and counts as FP
  CHECK(r.clear.fn == 0);

  mot::EvalOptions off;
  off.mot17_preprocessing = false;
  r = mot::evaluate_sequence(gt, res, off);
  CHECK(r.num_removed_tracker_dets == 0);
  CHECK(r.num_gt_dets == 2); // zero-marked rows are dropped either way
  CHECK(r.clear.tp == 2);
  CHECK(r.clear.fp == 1);

  gt[0].cls = -1;
  CHECK(error_of([&] { mot::evaluate_sequence(gt, res); }).find("row 0 has class -1") != std::string::npos);
}

TEST_CASE("evaluate_sequence: empty tracker, bad input, combine", "[mot]") {
  const std::vector<mot::Row> gt = {box(0, 1, 0, 0, 10, 10), box(1, 1, 0, 0, 10, 10), box(1, 2, 50, 0, 10, 10)};
  mot::SequenceResult empty = mot::evaluate_sequence(gt, {});
  CHECK(empty.clear.fn == 3);
  CHECK(empty.clear.ml == 2);
  CHECK(empty.clear.mota == 0);
  CHECK(empty.identity.idfn == 3);
  CHECK(empty.hota.hota == 0);
  CHECK(empty.hota.loc_a == 1);

  std::vector<mot::Row> bad = {box(0, 1, 0, 0, 10, 10), box(0, 1, 5, 5, 10, 10)};
  CHECK(error_of([&] { mot::evaluate_sequence(gt, bad); }).find("tracker has id 1 more than once in frame 0") !=
        std::string::npos);
  bad = {box(0, 1, 0, 0, NAN, 10)};
  CHECK(error_of([&] { mot::evaluate_sequence(gt, bad); }).find("tracker row 0 has a non-finite box") !=
        std::string::npos);
  mot::EvalOptions opts;
  opts.num_frames = 1;
  CHECK(error_of([&] { mot::evaluate_sequence(gt, {}, opts); }).find("gt row 1 has frame 1 outside [0, 1)") !=
        std::string::npos);

  // Two sequences: counts add up, ratios come from the sums.
  const mot::SequenceResult perfect = mot::evaluate_sequence(gt, gt);
  const mot::SequenceResult c = mot::combine({perfect, empty});
  CHECK(c.clear.tp == 3);
  CHECK(c.clear.fn == 3);
  CHECK(c.clear.mota == Approx(0.5));
  CHECK(c.identity.idf1 == Approx(3.0 / (3 + 1.5)));
  CHECK(c.hota.det_a == Approx(0.5));
  CHECK(c.hota.ass_a == Approx(1.0)); // weighted by HOTA_TP: the empty sequence has none
  CHECK(c.num_gt_dets == 6);
}

// ----------------------------------------------------------------------------------- TrackEval on MOT17

namespace {

const char* const kSequences[] = {"MOT17-02-FRCNN", "MOT17-04-FRCNN", "MOT17-05-FRCNN", "MOT17-09-FRCNN",
                                  "MOT17-10-FRCNN", "MOT17-11-FRCNN", "MOT17-13-FRCNN"};

using CsvRow = std::map<std::string, double>;

// pedestrian_detailed.csv: one row per sequence (and COMBINED), every field a number.
std::map<std::string, CsvRow> read_detailed_csv(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::vector<std::string> header;
  std::map<std::string, CsvRow> rows;
  auto split = [](const std::string& s) {
    std::vector<std::string> out;
    std::stringstream ss(s);
    std::string f;
    while (std::getline(ss, f, ',')) {
      if (!f.empty() && f.back() == '\r') f.pop_back();
      out.push_back(f);
    }
    return out;
  };
  if (!std::getline(in, line)) return rows;
  header = split(line);
  while (std::getline(in, line)) {
    const std::vector<std::string> f = split(line);
    if (f.size() != header.size()) continue;
    CsvRow& row = rows[f[0]];
    for (size_t i = 1; i < f.size(); ++i) row[header[i]] = std::stod(f[i]);
  }
  return rows;
}

double field(const CsvRow& row, const std::string& name) {
  const auto it = row.find(name);
  if (it == row.end()) FAIL("pedestrian_detailed.csv has no field " << name);
  return it == row.end() ? 0.0 : it->second;
}

std::string alpha_field(const std::string& name, int a) { return name + "___" + std::to_string(5 * (a + 1)); }

// A result holding only what combine() reads, from a TrackEval row (counts divided by `copies`).
mot::SequenceResult result_from_csv(const CsvRow& row, int copies = 1) {
  auto count = [&](const std::string& name) { return std::llround(field(row, name) / copies); };
  mot::SequenceResult r;
  r.clear.tp = count("CLR_TP"), r.clear.fn = count("CLR_FN"), r.clear.fp = count("CLR_FP");
  r.clear.idsw = count("IDSW"), r.clear.mt = count("MT"), r.clear.pt = count("PT"), r.clear.ml = count("ML");
  r.clear.frag = count("Frag"), r.clear.frames = count("CLR_Frames");
  r.clear.motp_sum = field(row, "MOTP_sum") / copies;
  r.identity.idtp = count("IDTP"), r.identity.idfn = count("IDFN"), r.identity.idfp = count("IDFP");
  for (int a = 0; a < mot::kNumAlphas; ++a) {
    r.hota.per_alpha.tp[a] = std::llround(field(row, alpha_field("HOTA_TP", a)) / copies);
    r.hota.per_alpha.fn[a] = std::llround(field(row, alpha_field("HOTA_FN", a)) / copies);
    r.hota.per_alpha.fp[a] = std::llround(field(row, alpha_field("HOTA_FP", a)) / copies);
    r.hota.per_alpha.ass_a[a] = field(row, alpha_field("AssA", a));
    r.hota.per_alpha.ass_re[a] = field(row, alpha_field("AssRe", a));
    r.hota.per_alpha.ass_pr[a] = field(row, alpha_field("AssPr", a));
    r.hota.per_alpha.loc_a[a] = field(row, alpha_field("LocA", a));
  }
  r.num_gt_dets = count("GT_Dets"), r.num_tracker_dets = count("Dets");
  r.num_gt_ids = count("GT_IDs"), r.num_tracker_ids = count("IDs");
  return r;
}

// Every TrackEval field against ours: ratios within 5e-4 (3 decimals), counts exact (`copies`: the COMBINED
// row sums the 3 identical detector variants, so its counts are 3x).
// Returns the largest absolute difference over the ratio fields.
double check_against_trackeval(const mot::SequenceResult& r, const CsvRow& row, const std::string& name,
                               int copies = 1) {
  INFO(name);
  const double tol = 5e-4;
  double max_diff = 0;
  auto ratio = [&](const std::string& f, double ours) {
    INFO(f);
    const double diff = std::abs(ours - field(row, f));
    max_diff = std::max(max_diff, diff);
    CHECK(diff <= tol);
  };
  auto count = [&](const std::string& f, int64_t ours) {
    INFO(f);
    CHECK(ours * copies == std::llround(field(row, f)));
  };
  const mot::ClearMetrics& c = r.clear;
  ratio("MOTA", c.mota), ratio("MOTP", c.motp), ratio("MODA", c.moda), ratio("CLR_Re", c.recall);
  ratio("CLR_Pr", c.precision), ratio("MTR", c.mtr), ratio("PTR", c.ptr), ratio("MLR", c.mlr);
  ratio("sMOTA", c.smota), ratio("CLR_F1", c.f1), ratio("MOTAL", c.motal);
  count("CLR_TP", c.tp), count("CLR_FN", c.fn), count("CLR_FP", c.fp), count("IDSW", c.idsw);
  count("MT", c.mt), count("PT", c.pt), count("ML", c.ml), count("Frag", c.frag), count("CLR_Frames", c.frames);
  const mot::IdentityMetrics& id = r.identity;
  ratio("IDF1", id.idf1), ratio("IDR", id.idr), ratio("IDP", id.idp);
  count("IDTP", id.idtp), count("IDFN", id.idfn), count("IDFP", id.idfp);
  count("Dets", r.num_tracker_dets), count("GT_Dets", r.num_gt_dets);
  count("IDs", r.num_tracker_ids), count("GT_IDs", r.num_gt_ids);
  const mot::HotaMetrics& h = r.hota;
  ratio("HOTA___AUC", h.hota), ratio("DetA___AUC", h.det_a), ratio("AssA___AUC", h.ass_a);
  ratio("DetRe___AUC", h.det_re), ratio("DetPr___AUC", h.det_pr), ratio("AssRe___AUC", h.ass_re);
  ratio("AssPr___AUC", h.ass_pr), ratio("LocA___AUC", h.loc_a);
  ratio(row.count("RHOTA___AUC") ? "RHOTA___AUC" : "OWTA___AUC", h.rhota); // renamed OWTA in later TrackEval
  ratio("HOTA(0)", h.hota0), ratio("LocA(0)", h.loc_a0), ratio("HOTALocA(0)", h.hota_loc_a0);
  const mot::HotaMetrics::PerAlpha& p = h.per_alpha;
  for (int a = 0; a < mot::kNumAlphas; ++a) {
    ratio(alpha_field("HOTA", a), p.hota[a]), ratio(alpha_field("DetA", a), p.det_a[a]);
    ratio(alpha_field("AssA", a), p.ass_a[a]), ratio(alpha_field("DetRe", a), p.det_re[a]);
    ratio(alpha_field("DetPr", a), p.det_pr[a]), ratio(alpha_field("AssRe", a), p.ass_re[a]);
    ratio(alpha_field("AssPr", a), p.ass_pr[a]), ratio(alpha_field("LocA", a), p.loc_a[a]);
    count(alpha_field("HOTA_TP", a), p.tp[a]), count(alpha_field("HOTA_FN", a), p.fn[a]);
    count(alpha_field("HOTA_FP", a), p.fp[a]);
  }
  return max_diff;
}

struct GoldenRun {
  std::vector<std::string> names;                // sequences evaluated here
  std::vector<mot::SequenceResult> ours;         // their results
  std::vector<mot::SequenceResult> for_combined; // ours, or TrackEval's counts where gt is missing
  std::vector<std::string> missing;              // sequences without gt/gt.txt here
  double seconds = 0;                            // evaluate_sequence time (files already read)
  double read_seconds = 0;                       // read_seqinfo + read_mot_file time
};

// Evaluates the tracker files of `tracks_dir` against MOT17 gt. val_half: ByteTrack's validation protocol
// (frames N/2+2 .. N of each sequence, renumbered from 1, gt restricted to them).
GoldenRun run_golden(const std::string& mot17, const std::string& tracks_dir, const std::vector<std::string>& seqs,
                     const std::map<std::string, CsvRow>& reference, bool val_half = false) {
  GoldenRun run;
  for (const std::string& seq : seqs) {
    const std::string gt_file = mot17 + "/train/" + seq + "/gt/gt.txt";
    if (!file_exists(gt_file)) {
      run.missing.push_back(seq);
      run.for_combined.push_back(result_from_csv(reference.at(seq)));
      continue;
    }
    const auto read_start = std::chrono::steady_clock::now();
    const mot::SeqInfo info = mot::read_seqinfo(mot17 + "/train/" + seq + "/seqinfo.ini");
    std::vector<mot::Row> gt = mot::read_mot_file(gt_file);
    std::vector<mot::Row> res = mot::read_mot_file(tracks_dir + "/" + seq + ".txt");
    run.read_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - read_start).count();
    mot::EvalOptions opts;
    opts.num_frames = info.length;
    if (val_half) {
      const int64_t first = info.length / 2 + 1; // 0-based index of frame N/2+2
      auto window = [&](std::vector<mot::Row>& rows) {
        std::vector<mot::Row> kept;
        for (mot::Row r : rows)
          if (r.frame >= first) r.frame -= first, kept.push_back(r);
        rows.swap(kept);
      };
      window(gt), window(res);
      opts.num_frames = info.length - first;
    }
    const auto start = std::chrono::steady_clock::now();
    const mot::SequenceResult r = mot::evaluate_sequence(gt, res, opts);
    run.seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    run.names.push_back(seq);
    run.ours.push_back(r);
    run.for_combined.push_back(r);
  }
  return run;
}

std::vector<std::string> frcnn_sequences(const std::map<std::string, CsvRow>& reference) {
  std::vector<std::string> seqs;
  for (const auto& entry : reference)
    if (entry.first.find("-FRCNN") != std::string::npos) seqs.push_back(entry.first);
  return seqs;
}

} // namespace

TEST_CASE("evaluate_sequence reproduces TrackEval on MOT17 train", "[mot][data]") {
  const std::string mot17 = tk_test_data_dir() + "/mot/MOT17";
  const std::string csv = mot17 + "/trackeval_reference/pedestrian_detailed.csv";
  if (tk_test_data_dir().empty() || !file_exists(csv))
    TK_SKIP("TRACKKIT_DATA (mot/MOT17/trackeval_reference) not found");
  const std::map<std::string, CsvRow> reference = read_detailed_csv(csv);
  const std::vector<std::string> seqs = frcnn_sequences(reference);
  REQUIRE(seqs.size() == 7);
  REQUIRE(reference.count("COMBINED") == 1);
  const GoldenRun run = run_golden(mot17, mot17 + "/trackeval_reference/tracker_data", seqs, reference);
  REQUIRE(!run.ours.empty());
  for (size_t i = 0; i < run.ours.size(); ++i)
    check_against_trackeval(run.ours[i], reference.at(run.names[i]), run.names[i]);
  // COMBINED sums the DPM, FRCNN and SDP rows (identical): its counts are 3x the 7 FRCNN sequences'.
  check_against_trackeval(mot::combine(run.for_combined), reference.at("COMBINED"), "COMBINED", 3);
  std::string note =
      "evaluated " + std::to_string(run.ours.size()) + " sequences in " + std::to_string(run.seconds * 1000) + " ms";
  for (const std::string& m : run.missing)
    note += "; " + m + ": no gt/gt.txt here, TrackEval's counts used in COMBINED";
  WARN(note);
}

TEST_CASE("evaluate_sequence reproduces TrackEval on ByteTrack's MOT17 outputs", "[mot][data]") {
  const std::string mot17 = tk_test_data_dir() + "/mot/MOT17";
  const std::string ref = mot17 + "/bytetrack_reference";
  if (tk_test_data_dir().empty() || !file_exists(ref + "/trackeval/frcnn_full__5shared/pedestrian_detailed.csv"))
    TK_SKIP("TRACKKIT_DATA (mot/MOT17/bytetrack_reference) not found");
  for (const bool val_half : {false, true}) {
    const std::string run_name = val_half ? "yolox_val_half" : "frcnn_full";
    INFO(run_name);
    const std::map<std::string, CsvRow> reference =
        read_detailed_csv(ref + "/trackeval/" + run_name + "__5shared/pedestrian_detailed.csv");
    const std::vector<std::string> seqs = frcnn_sequences(reference);
    REQUIRE(!seqs.empty());
    const GoldenRun run = run_golden(mot17, ref + "/" + run_name, seqs, reference, val_half);
    for (size_t i = 0; i < run.ours.size(); ++i)
      check_against_trackeval(run.ours[i], reference.at(run.names[i]), run.names[i]);
    check_against_trackeval(mot::combine(run.for_combined), reference.at("COMBINED"), "COMBINED");
  }
}

// Prints the agreement table of docs/mot.md (hidden: run it by its tag).
TEST_CASE("MOT17 agreement table", "[.][mot-table]") {
  const std::string mot17 = tk_test_data_dir() + "/mot/MOT17";
  const std::string csv = mot17 + "/trackeval_reference/pedestrian_detailed.csv";
  if (tk_test_data_dir().empty() || !file_exists(csv)) TK_SKIP("TRACKKIT_DATA not found");
  const std::map<std::string, CsvRow> reference = read_detailed_csv(csv);
  const GoldenRun run =
      run_golden(mot17, mot17 + "/trackeval_reference/tracker_data", frcnn_sequences(reference), reference);
  std::vector<std::string> names = run.names;
  std::vector<mot::SequenceResult> ours = run.ours;
  names.push_back("COMBINED");
  ours.push_back(mot::combine(run.for_combined));
  double max_diff = 0, all_fields_diff = 0;
  std::printf("| sequence | HOTA | DetA | AssA | MOTA | MOTP | IDF1 | IDSW | max abs diff |\n");
  std::printf("| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
  for (size_t i = 0; i < names.size(); ++i) {
    const CsvRow& row = reference.at(names[i]);
    const mot::SequenceResult& r = ours[i];
    const int copies = names[i] == "COMBINED" ? 3 : 1;
    const std::pair<double, const char*> values[] = {{r.hota.hota, "HOTA___AUC"},  {r.hota.det_a, "DetA___AUC"},
                                                     {r.hota.ass_a, "AssA___AUC"}, {r.clear.mota, "MOTA"},
                                                     {r.clear.motp, "MOTP"},       {r.identity.idf1, "IDF1"}};
    double row_diff = 0;
    all_fields_diff = std::max(all_fields_diff, check_against_trackeval(r, row, names[i], copies));
    std::printf("| %s |", names[i].c_str());
    for (const auto& [value, name] : values) {
      const double theirs = field(row, name);
      row_diff = std::max(row_diff, std::abs(value - theirs));
      std::printf(" %.3f / %.3f |", 100 * value, 100 * theirs);
    }
    std::printf(" %lld / %lld | %.1e |\n", static_cast<long long>(r.clear.idsw * copies),
                std::llround(field(row, "IDSW")), row_diff);
    max_diff = std::max(max_diff, row_diff);
  }
  std::printf("\nmax abs difference (fractions), columns above: %.2e; all %d ratio fields (incl. per alpha): %.2e\n",
              max_diff, 12 + 11 + 3 + 8 * mot::kNumAlphas, all_fields_diff);
  std::printf("evaluate_sequence, %zu sequences: %.1f ms (reading their files: %.1f ms)\n", run.ours.size(),
              run.seconds * 1000, run.read_seconds * 1000);
  // The ByteTrack reference runs (every TrackEval field, sequences and COMBINED).
  const std::string bytetrack = mot17 + "/bytetrack_reference";
  for (const bool val_half : {false, true}) {
    const std::string run_name = val_half ? "yolox_val_half" : "frcnn_full";
    const std::string bt_csv = bytetrack + "/trackeval/" + run_name + "__5shared/pedestrian_detailed.csv";
    if (!file_exists(bt_csv)) continue;
    const std::map<std::string, CsvRow> bt_ref = read_detailed_csv(bt_csv);
    const GoldenRun bt = run_golden(mot17, bytetrack + "/" + run_name, frcnn_sequences(bt_ref), bt_ref, val_half);
    double diff = 0;
    for (size_t i = 0; i < bt.ours.size(); ++i)
      diff = std::max(diff, check_against_trackeval(bt.ours[i], bt_ref.at(bt.names[i]), bt.names[i]));
    const mot::SequenceResult c = mot::combine(bt.for_combined);
    diff = std::max(diff, check_against_trackeval(c, bt_ref.at("COMBINED"), "COMBINED"));
    std::printf(
        "bytetrack_reference/%s: %zu sequences + COMBINED, HOTA %.3f MOTA %.3f IDF1 %.3f IDSW %lld, "
        "max abs difference over all ratio fields %.2e\n",
        run_name.c_str(), bt.ours.size(), 100 * c.hota.hota, 100 * c.clear.mota, 100 * c.identity.idf1,
        static_cast<long long>(c.clear.idsw), diff);
  }
  for (const std::string& m : run.missing)
    std::printf("%s: no gt/gt.txt, TrackEval's counts used in COMBINED\n", m.c_str());
}

TEST_CASE("combine reproduces TrackEval's COMBINED row from its per-sequence rows", "[mot][data]") {
  const std::string data = tk_test_data_dir();
  const std::string csv = data + "/mot/MOT17/trackeval_reference/pedestrian_detailed.csv";
  if (data.empty() || !file_exists(csv)) TK_SKIP("TRACKKIT_DATA (mot/MOT17/trackeval_reference) not found");
  const std::map<std::string, CsvRow> reference = read_detailed_csv(csv);
  std::vector<mot::SequenceResult> rows;
  for (const auto& [name, row] : reference)
    if (name != "COMBINED") rows.push_back(result_from_csv(row));
  REQUIRE(rows.size() == 21);
  check_against_trackeval(mot::combine(rows), reference.at("COMBINED"), "COMBINED of 21 rows");
}
