// TrackerBank against one Tracker per stream, on the MOT17 sequences as five streams.
#include <ATen/ATen.h>

#include <fstream>
#include <string>
#include <vector>

#include "catch.hpp"
#include "trackkit/error.hpp"
#include "trackkit/mot.hpp"
#include "trackkit/tracker.hpp"

namespace {

// Per frame, the rows (x1,y1,x2,y2,score) of one sequence's public detections, float64, in file order.
std::vector<std::vector<double>> frames_of(const std::string& seq) {
  const trackkit::mot::SeqInfo info = trackkit::mot::read_seqinfo(seq + "/seqinfo.ini");
  std::vector<std::vector<double>> frames(info.length);
  for (const auto& d : trackkit::mot::read_mot_file(seq + "/det/det.txt"))
    frames[d.frame].insert(frames[d.frame].end(), {d.x, d.y, d.x + d.w, d.y + d.h, d.score});
  return frames;
}

at::Tensor as_tensor(std::vector<double>& v, int64_t cols) {
  return at::from_blob(v.data(), {static_cast<int64_t>(v.size()) / cols, cols}, at::kDouble);
}

} // namespace

TEST_CASE("TrackerBank equals one Tracker per stream on five MOT17 sequences at once") {
  const std::string data = tk_test_data_dir();
  const std::string train = data + "/mot/MOT17/train/";
  if (data.empty() || !std::ifstream(train + "MOT17-02-FRCNN/det/det.txt").good()) {
    TK_SKIP("needs TRACKKIT_DATA with mot/MOT17/train");
  }
  const std::vector<std::string> names{"MOT17-02-FRCNN", "MOT17-04-FRCNN", "MOT17-05-FRCNN", "MOT17-09-FRCNN",
                                       "MOT17-10-FRCNN"};
  std::vector<std::vector<std::vector<double>>> seqs;
  size_t longest = 0;
  for (const auto& n : names) {
    seqs.push_back(frames_of(train + n));
    longest = std::max(longest, seqs.back().size());
  }
  const auto options = trackkit::TrackerOptions::bytetrack_mot17();
  trackkit::TrackerBank bank(static_cast<int64_t>(names.size()), options);
  std::vector<trackkit::Tracker> alone;
  for (size_t s = 0; s < names.size(); ++s) alone.emplace_back(options);
  int64_t compared = 0;
  for (size_t f = 0; f < longest; ++f) {
    // The streams' rows interleaved (stream s takes every row of its frame, streams in reverse order).
    std::vector<double> all;
    for (size_t s = names.size(); s-- > 0;) {
      if (f >= seqs[s].size()) continue;
      const std::vector<double>& rows = seqs[s][f];
      for (size_t r = 0; r < rows.size(); r += 5) {
        all.push_back(static_cast<double>(s));
        all.insert(all.end(), rows.begin() + r, rows.begin() + r + 5);
      }
    }
    const std::vector<trackkit::TrackerOutput> together = bank.update(as_tensor(all, 6));
    REQUIRE(together.size() == names.size());
    for (size_t s = 0; s < names.size(); ++s) {
      std::vector<double> empty;
      std::vector<double>& rows = f < seqs[s].size() ? seqs[s][f] : empty;
      const trackkit::TrackerOutput one = alone[s].update(as_tensor(rows, 5));
      REQUIRE(together[s].ids.equal(one.ids));
      REQUIRE(together[s].boxes.equal(one.boxes));
      REQUIRE(together[s].scores.equal(one.scores));
      // det_index points into the bank's input: that row is stream s's det_index-th row of this frame.
      for (int64_t k = 0; k < one.ids.size(0); ++k) {
        const int64_t row = together[s].det_index[k].item<int64_t>();
        REQUIRE(all[row * 6] == static_cast<double>(s));
        REQUIRE(all[row * 6 + 1] == rows[one.det_index[k].item<int64_t>() * 5]);
      }
      compared += one.ids.size(0);
    }
  }
  CHECK(compared > 40000); // every output track of 3 666 frames was compared
}

TEST_CASE("TrackerBank rejects bad rows before any stream advances, and resets one stream") {
  trackkit::TrackerBank bank(2);
  std::vector<double> good{0, 10, 10, 60, 110, 0.9, 1, 300, 300, 350, 400, 0.9};
  bank.update(as_tensor(good, 6));
  std::vector<double> bad{0, 12, 10, 62, 110, 0.9, 2, 300, 300, 350, 400, 0.9};
  try {
    bank.update(as_tensor(bad, 6));
    FAIL("no error");
  } catch (const trackkit::Error& e) {
    CHECK(std::string(e.what()) == "TrackerBank::update: detections row 1 has stream 2.000000; streams are 0 to 1");
  }
  std::vector<double> nan_row{0, 12, 10, 62, 110, NAN};
  CHECK_THROWS_AS(bank.update(as_tensor(nan_row, 6)), trackkit::Error);
  // Both streams are still at frame 1: the second frame confirms nothing new and keeps ids 1 and 1.
  const auto out = bank.update(as_tensor(good, 6));
  CHECK(out[0].ids[0].item<int64_t>() == 1);
  CHECK(out[1].ids[0].item<int64_t>() == 1);
  bank.reset(1);
  CHECK_THROWS_AS(bank.reset(2), trackkit::Error);
  CHECK_THROWS_AS(trackkit::TrackerBank(0), trackkit::Error);
}
