// Camera-motion warps and BoT-SORT's XYWH motion model, on synthetic scenes whose answer is known.
#include <ATen/ATen.h>

#include <set>
#include <string>
#include <vector>

#include "catch.hpp"
#include "trackkit/error.hpp"
#include "trackkit/tracker.hpp"

namespace {

at::Tensor box_row(double x1, double y1, double x2, double y2, double score = 0.9) {
  return at::tensor({x1, y1, x2, y2, score}, at::kDouble).view({1, 5});
}

at::Tensor affine(double a, double b, double tx, double c, double d, double ty) {
  return at::tensor({a, b, tx, c, d, ty}, at::kDouble).view({2, 3});
}

struct Seen {
  std::set<int64_t> ids; // every id output
  int frames_with_id1 = 0;
};

// Runs single-box frames, with or without the frames' warps.
Seen run(trackkit::Tracker& tracker, const std::vector<at::Tensor>& boxes, const std::vector<at::Tensor>& warps,
         bool use_warps) {
  Seen seen;
  for (size_t f = 0; f < boxes.size(); ++f) {
    const auto out = use_warps ? tracker.update(boxes[f], warps[f]) : tracker.update(boxes[f]);
    for (int64_t i = 0; i < out.ids.size(0); ++i) {
      seen.ids.insert(out.ids[i].item<int64_t>());
      seen.frames_with_id1 += out.ids[i].item<int64_t>() == 1;
    }
  }
  return seen;
}

trackkit::TrackerOptions with_model(trackkit::MotionModel model) {
  trackkit::TrackerOptions o = trackkit::TrackerOptions::bytetrack();
  o.motion_model = model;
  return o;
}

} // namespace

TEST_CASE("a camera pan larger than the box keeps one id only when the warp is given") {
  // A static object seen by a camera panning right: in the image it moves 60 px left a frame, more than its
  // 40 px width, so the Kalman prediction (zero velocity at first) never overlaps the next detection.
  std::vector<at::Tensor> boxes, warps;
  for (int f = 0; f < 12; ++f) {
    const double x = 1000 - 60.0 * f;
    boxes.push_back(box_row(x, 300, x + 40, 400));
    warps.push_back(affine(1, 0, -60, 0, 1, 0)); // previous frame -> this frame
  }
  for (auto model : {trackkit::MotionModel::XYAH, trackkit::MotionModel::XYWH}) {
    trackkit::Tracker with(with_model(model)), without(with_model(model));
    const Seen a = run(with, boxes, warps, true), b = run(without, boxes, warps, false);
    CHECK(a.ids == std::set<int64_t>{1});
    CHECK(a.frames_with_id1 == 12);
    // Without it, track 1 is lost after frame 1 and each new detection is an unconfirmed track that dies.
    CHECK(b.frames_with_id1 == 1);
  }
}

TEST_CASE("a zooming camera keeps one id with the XYWH model and the warp") {
  // Zoom 1.15 a frame about the image origin: every coordinate scales, sizes included.
  std::vector<at::Tensor> boxes, warps;
  double s = 1;
  for (int f = 0; f < 10; ++f, s *= 1.15) {
    boxes.push_back(box_row(100 * s, 80 * s, 130 * s, 150 * s));
    warps.push_back(affine(1.15, 0, 0, 0, 1.15, 0));
  }
  trackkit::Tracker tracker(with_model(trackkit::MotionModel::XYWH));
  const Seen seen = run(tracker, boxes, warps, true);
  CHECK(seen.ids == std::set<int64_t>{1});
  CHECK(seen.frames_with_id1 == 10);
}

TEST_CASE("the identity warp changes nothing") {
  for (auto model : {trackkit::MotionModel::XYAH, trackkit::MotionModel::XYWH}) {
    trackkit::Tracker a(with_model(model)), b(with_model(model));
    for (int f = 0; f < 15; ++f) {
      const double x = 100 + 7.0 * f + (f % 3), w = 40 + f;
      std::vector<double> d{x, 50, x + w, 130, 0.9, 400 - 3.0 * f, 200, 450 - 3.0 * f, 320, 0.7};
      const at::Tensor dets = at::from_blob(d.data(), {2, 5}, at::kDouble);
      const auto plain = a.update(dets);
      const auto warped = b.update(dets, affine(1, 0, 0, 0, 1, 0));
      REQUIRE(plain.ids.equal(warped.ids));
      REQUIRE(plain.boxes.equal(warped.boxes));
    }
  }
}

TEST_CASE("the XYWH model follows a box at constant speed like the XYAH one") {
  trackkit::Tracker tracker(with_model(trackkit::MotionModel::XYWH));
  for (int f = 0; f < 20; ++f) {
    const double x = 100 + 5.0 * f;
    const auto out = tracker.update(box_row(x, 50, x + 40, 130));
    REQUIRE(out.ids.size(0) == 1);
    CHECK(out.ids[0].item<int64_t>() == 1);
    CHECK(out.boxes[0][0].item<double>() == Approx(x).margin(2.0));
    CHECK(out.boxes[0][2].item<double>() - out.boxes[0][0].item<double>() == Approx(40).margin(1.0));
  }
}

TEST_CASE("a bad warp is rejected, naming it, and the tracker does not advance") {
  trackkit::Tracker tracker;
  try {
    tracker.update(box_row(0, 0, 10, 10), at::eye(3, at::kDouble));
    FAIL("no error");
  } catch (const trackkit::Error& e) {
    CHECK(std::string(e.what()) == "Tracker::update: warp must have shape [2,3], got [3,3]");
  }
  CHECK_THROWS_AS(tracker.update(box_row(0, 0, 10, 10), affine(1, 0, NAN, 0, 1, 0)), trackkit::Error);
  CHECK(tracker.frame_count() == 0);
}
