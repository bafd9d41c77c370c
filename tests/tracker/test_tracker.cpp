// Tracker behaviour on synthetic scenes with known answers, and its input checks.
#include <ATen/ATen.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "catch.hpp"
#include "trackkit/error.hpp"
#include "trackkit/tracker.hpp"

namespace {

at::Tensor rows(std::vector<double> v, int64_t cols = 5) {
  const int64_t n = static_cast<int64_t>(v.size()) / cols;
  return at::from_blob(v.data(), {n, cols}, at::kDouble).clone();
}

std::string error_of(trackkit::Tracker& t, const at::Tensor& d) {
  try {
    t.update(d);
  } catch (const trackkit::Error& e) {
    return e.what();
  }
  return "no error";
}

} // namespace

TEST_CASE("a box moving at constant speed keeps one id and a new track is confirmed on its second frame") {
  trackkit::Tracker tracker(trackkit::TrackerOptions::bytetrack());
  // Frame 1 confirms at once (ByteTrack's rule); a second object appearing later needs two frames.
  for (int f = 0; f < 20; ++f) {
    const double x = 100 + 5.0 * f;
    std::vector<double> d{x, 50, x + 40, 130, 0.9};
    if (f >= 5) d.insert(d.end(), {400, 300, 450, 400, 0.8});
    const auto out = tracker.update(rows(d));
    if (f == 0) CHECK(out.started == std::vector<int64_t>{1});
    if (f == 5) CHECK(out.ids.size(0) == 1); // second object not yet confirmed
    if (f == 6) {
      CHECK(out.started == std::vector<int64_t>{2});
      CHECK(out.det_index[1].item<int64_t>() == 1);
    }
    CHECK(out.ids[0].item<int64_t>() == 1);
    CHECK(out.det_index[0].item<int64_t>() == 0);
    CHECK(out.boxes[0][0].item<double>() == Approx(x).margin(2.0)); // Kalman lags a little at most
  }
  CHECK(tracker.frame_count() == 20);
}

TEST_CASE("a lost track is kept for the buffer, re-found with its id, then ended") {
  trackkit::TrackerOptions o = trackkit::TrackerOptions::bytetrack();
  o.track_buffer = 5;
  trackkit::Tracker tracker(o);
  const std::vector<double> box{100, 100, 150, 200, 0.9};
  for (int f = 0; f < 3; ++f) tracker.update(rows(box));
  // Gone for 3 frames: lost, not output, not ended.
  for (int f = 0; f < 3; ++f) {
    const auto out = tracker.update(rows({}));
    CHECK(out.ids.size(0) == 0);
    CHECK(out.ended.empty());
  }
  auto back = tracker.update(rows(box));
  REQUIRE(back.ids.size(0) == 1);
  CHECK(back.ids[0].item<int64_t>() == 1);
  CHECK(back.started.empty());
  // Gone for longer than the buffer: ended once.
  std::vector<int64_t> ended;
  for (int f = 0; f < 8; ++f) {
    const auto out = tracker.update(rows({}));
    ended.insert(ended.end(), out.ended.begin(), out.ended.end());
  }
  CHECK(ended == std::vector<int64_t>{1});
  tracker.reset();
  CHECK(tracker.frame_count() == 0);
  CHECK(tracker.update(rows(box)).ids[0].item<int64_t>() == 1); // ids restart
}

TEST_CASE("low-score detections extend existing tracks but start none") {
  trackkit::Tracker tracker(trackkit::TrackerOptions::bytetrack());
  tracker.update(rows({10, 10, 60, 110, 0.9}));
  const auto out = tracker.update(rows({12, 10, 62, 110, 0.3, 300, 300, 350, 400, 0.3}));
  REQUIRE(out.ids.size(0) == 1);
  CHECK(out.det_index[0].item<int64_t>() == 0);
  CHECK(out.scores[0].item<double>() == 0.3);
}

TEST_CASE("association is gated by class") {
  trackkit::Tracker tracker(trackkit::TrackerOptions::bytetrack());
  tracker.update(rows({10, 10, 60, 110, 0.9, 0}, 6));
  // Same place, other class: not the same object.
  const auto out = tracker.update(rows({10, 10, 60, 110, 0.9, 2}, 6));
  CHECK(out.ids.size(0) == 0); // class-0 track lost, class-2 detection starts an unconfirmed track
  const auto next = tracker.update(rows({10, 10, 60, 110, 0.9, 2}, 6));
  REQUIRE(next.ids.size(0) == 1);
  CHECK(next.ids[0].item<int64_t>() == 2);
  CHECK(next.classes[0].item<int64_t>() == 2);
}

TEST_CASE("Tracker::update rejects bad detections with messages naming them") {
  trackkit::Tracker t;
  CHECK(error_of(t, at::zeros({3, 4})) ==
        "Tracker::update: detections must have shape [N,5] or [N,6] (x1,y1,x2,y2,score[,class]), got [3,4]");
  CHECK(error_of(t, rows({0, 0, 10, 10, NAN})) == "Tracker::update: detections row 0 contains NaN or infinite values");
  CHECK(error_of(t, rows({0, 0, 10, 10, 0.5, 10, 0, 5, 10, 0.5})) ==
        "Tracker::update: detections row 1 has x2 < x1 or y2 < y1");
  CHECK(error_of(t, rows({0, 0, 10, 10, 1.5})) == "Tracker::update: detections row 0 has a score outside [0,1]");
  // Huge but finite values once surfaced as a NaN cost deep in the assignment (issue 26).
  CHECK(error_of(t, rows({0, 0, 10, 10, 0.5, 0, 0, 1e300, 1e300, 0.5})) ==
        "Tracker::update: detections row 1 has a coordinate beyond +-1e9 pixels (" + std::to_string(1e300) + ")");
  CHECK(error_of(t, rows({0, 0, 10, 10, 0.5, 1e300}, 6)) ==
        "Tracker::update: detections row 0 has a class id beyond +-9e15");
  CHECK(error_of(t, rows({0, 0, 10, 10, 0.5}).to(at::kInt)) ==
        "Tracker::update: detections must have dtype Float or Double, got Int");
  CHECK(t.frame_count() == 0); // rejected frames do not advance the tracker
  CHECK_NOTHROW(t.update(at::zeros({0, 5})));
  CHECK(t.frame_count() == 1);
}

TEST_CASE("Tracker rejects options outside their ranges, naming the field") {
  trackkit::TrackerOptions o;
  o.match_thresh = 1.2;
  try {
    trackkit::Tracker t(o);
    FAIL("no error");
  } catch (const trackkit::Error& e) {
    CHECK(std::string(e.what()) == "Tracker: options.match_thresh must be in (0,1), got 1.200000");
  }
  o = trackkit::TrackerOptions();
  o.low_thresh = 0.7;
  CHECK_THROWS_AS(trackkit::Tracker(o), trackkit::Error);
  // Rates whose lost-track lifetime (frame_rate / 30 * track_buffer frames) no int64 holds (issue 26).
  for (const double rate : {0.0, -1.0, 1e300, std::nan(""), std::numeric_limits<double>::infinity()}) {
    o = trackkit::TrackerOptions();
    o.frame_rate = rate;
    CHECK(tk_error_of([&] { trackkit::Tracker t(o); }).find("options.frame_rate must be in (0, 1e6]") !=
          std::string::npos);
  }
  o = trackkit::TrackerOptions();
  o.track_buffer = 2000000000;
  CHECK(tk_error_of([&] { trackkit::Tracker t(o); }).find("options.track_buffer must be in [0, 1e9]") !=
        std::string::npos);
  o = trackkit::TrackerOptions();
  o.frame_rate = 1e6, o.track_buffer = 1000000000; // the largest allowed: 3.3e13 frames, fine
  CHECK_NOTHROW(trackkit::Tracker(o));
}

TEST_CASE("the original pipeline's preset keeps lost tracks 90 frames at 30 fps, scaled by the frame rate") {
  // A track seen in frames 1-3, gone for 90 frames, then back: re-found at 30 fps, a new track at 15 fps
  // (where the buffer is int(15 / 30 * 90) = 45 frames).
  for (double fps : {30.0, 15.0}) {
    trackkit::Tracker tracker(trackkit::TrackerOptions::original_pipeline(fps));
    const at::Tensor box = rows({100, 100, 150, 200, 0.9});
    for (int f = 0; f < 3; ++f) tracker.update(box);
    for (int f = 0; f < 90; ++f) tracker.update(rows({}));
    tracker.update(box); // re-found (same id) or a new, unconfirmed track
    const auto out = tracker.update(box);
    REQUIRE(out.ids.size(0) == 1);
    CHECK(out.ids[0].item<int64_t>() == (fps == 30.0 ? 1 : 2));
  }
  // Detections under its 0.4 confidence floor are ignored, even next to a track.
  trackkit::Tracker tracker(trackkit::TrackerOptions::original_pipeline());
  tracker.update(rows({10, 10, 60, 110, 0.9}));
  CHECK(tracker.update(rows({12, 10, 62, 110, 0.35})).ids.size(0) == 0);
}
