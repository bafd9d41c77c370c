// MOT file tooling and the CLEAR / Identity / HOTA evaluator on hand-computed cases
// (TrackEval's own results: test_mot_trackeval.cpp).
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
    const std::string msg = tk_error_of([&] { mot::read_mot_file(f.path); });
    CHECK(msg.find("read_mot_file") != std::string::npos);
    CHECK(msg.find(f.path + ":3:") != std::string::npos);
    CHECK(msg.find("abc") != std::string::npos);
  }
  {
    TempFile f("few.txt", "1,1,0,0,1\n");
    CHECK(tk_error_of([&] { mot::read_mot_file(f.path); }).find(":1: expected 6 to 10 columns, got 5") !=
          std::string::npos);
  }
  {
    TempFile f("nan.txt", "1,1,0,0,1,1,1\n1,2,nan,0,1,1,1\n");
    CHECK(tk_error_of([&] { mot::read_mot_file(f.path); }).find(":2: box value 'nan' is not finite") !=
          std::string::npos);
  }
  {
    TempFile f("neg.txt", "1,1,0,0,-1,1,1\n");
    CHECK(tk_error_of([&] { mot::read_mot_file(f.path); }).find(":1: box width and height must be >= 0") !=
          std::string::npos);
  }
  {
    TempFile f("frame.txt", "0,1,0,0,1,1,1\n");
    CHECK(tk_error_of([&] { mot::read_mot_file(f.path); }).find(":1: frame must be an integer >= 1") !=
          std::string::npos);
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
  CHECK(tk_error_of([&] { mot::read_gmc_file(bad.path); }).find(":2: frame 0 does not follow frame 0") !=
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
  CHECK(tk_error_of([&] { mot::evaluate_sequence(gt, res); }).find("row 0 has class -1") != std::string::npos);
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
  CHECK(tk_error_of([&] { mot::evaluate_sequence(gt, bad); }).find("tracker has id 1 more than once in frame 0") !=
        std::string::npos);
  bad = {box(0, 1, 0, 0, NAN, 10)};
  CHECK(tk_error_of([&] { mot::evaluate_sequence(gt, bad); }).find("tracker row 0 has a non-finite box") !=
        std::string::npos);
  mot::EvalOptions opts;
  opts.num_frames = 1;
  CHECK(tk_error_of([&] { mot::evaluate_sequence(gt, {}, opts); }).find("gt row 1 has frame 1 outside [0, 1)") !=
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
