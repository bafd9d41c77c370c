// The tracker's appearance (ReID) and mask cues, lost-track output, float32 thresholds and the bank's general
// input, on scenes whose answer follows from the cost rules in docs/tracker.md.
#include <ATen/ATen.h>

#include <string>
#include <vector>

#include "catch.hpp"
#include "trackkit/error.hpp"
#include "trackkit/tracker.hpp"

namespace {

using trackkit::TrackerInput;
using trackkit::TrackerOptions;

at::Tensor rows(std::vector<std::vector<double>> r) {
  std::vector<double> flat;
  for (const auto& row : r) flat.insert(flat.end(), row.begin(), row.end());
  const auto n = static_cast<int64_t>(r.size());
  return at::tensor(flat, at::kDouble).view({n, n == 0 ? 5 : static_cast<int64_t>(r[0].size())});
}

std::string error_of(trackkit::Tracker& tracker, const TrackerInput& in) {
  try {
    tracker.update(in);
  } catch (const trackkit::Error& e) {
    return e.what();
  }
  return "no error";
}

/// The id of the track that took input row `row`, or 0.
int64_t id_of_row(const trackkit::TrackerOutput& out, int64_t row) {
  for (int64_t i = 0; i < out.ids.size(0); ++i)
    if (out.det_index[i].item<int64_t>() == row) return out.ids[i].item<int64_t>();
  return 0;
}

// Two people side by side (IoU 2/3) who swap places in frame 3; their features are orthogonal.
const std::vector<double> kLeft = {100, 100, 200, 300, 0.9}, kRight = {120, 100, 220, 300, 0.9};
at::Tensor features(std::vector<std::vector<float>> f) {
  std::vector<float> flat;
  for (const auto& row : f) flat.insert(flat.end(), row.begin(), row.end());
  return at::tensor(flat, at::kFloat).view({static_cast<int64_t>(f.size()), -1});
}
const std::vector<float> kPersonA = {1, 0, 0, 0}, kPersonB = {0, 0.5f, 0, 0}; // any scale: normalised inside
const std::vector<float> kPersonC = {0, 0, 1, 0};
const std::vector<float> kPersonANoisy = {1, 0.3f, 0, 0}; // half cosine distance to A: 0.0211

/// Runs the swap scene; returns the id that takes the row holding person A's (noisy) features in frame 3.
int64_t swap_scene(TrackerOptions options, bool with_features) {
  trackkit::Tracker tracker(options);
  TrackerInput in;
  for (int frame = 0; frame < 2; ++frame) {
    in.detections = rows({kLeft, kRight});
    if (with_features) in.embeddings = features({kPersonA, kPersonB});
    tracker.update(in); // ids 1 (A, left) and 2 (B, right)
  }
  in.detections = rows({kRight, kLeft}); // row 0: A, now on the right
  if (with_features) in.embeddings = features({kPersonANoisy, kPersonB});
  return id_of_row(tracker.update(in), 0);
}

} // namespace

TEST_CASE("appearance keeps identities when people swap places, boxes alone do not", "[tracker][reid]") {
  // Boxes: row 0 sits exactly on track 2's box (cost 0.1 fused) against 1 - (2/3)(0.9) = 0.4 for track 1.
  // Features: track 1 and row 0 have half cosine distance 0.021 (<= 0.25) and IoU 2/3 >= 0.5: cost 0.021.
  for (const TrackerOptions& o : {TrackerOptions::botsort(), TrackerOptions::ultralytics_botsort()}) {
    CHECK(swap_scene(o, false) == 2);
    CHECK(swap_scene(o, true) == 1);
  }
  // The proximity gate: appearance only counts for IoU >= proximity_thresh (here 0.7 > 2/3).
  TrackerOptions gated = TrackerOptions::botsort();
  gated.proximity_thresh = 0.7;
  CHECK(swap_scene(gated, true) == 2);
  // The appearance gate: distances above appearance_thresh do not count (0.021 > 0.02).
  TrackerOptions strict = TrackerOptions::botsort();
  strict.appearance_thresh = 0.02;
  CHECK(swap_scene(strict, true) == 2);
}

TEST_CASE("the feature EMA follows the momentum", "[tracker][reid]") {
  // Track 1 seen with feature A, then with C: with momentum 0.9 its feature stays near A (cos 0.994), so in the
  // swap it claims A's row (cost 0.003 + 0 against 0.1 + 0.1); with momentum 0 its feature is C, and the
  // other pairing wins (0.1 + 0.1 against 0.4 + 0).
  for (double momentum : {0.9, 0.0}) {
    TrackerOptions o = TrackerOptions::botsort();
    o.feature_momentum = momentum;
    trackkit::Tracker tracker(o);
    TrackerInput in;
    in.detections = rows({kLeft, kRight});
    in.embeddings = features({kPersonA, kPersonB});
    tracker.update(in);
    in.embeddings = features({kPersonC, kPersonB}); // one frame in which person A looks different
    tracker.update(in);
    in.detections = rows({kRight, kLeft});
    in.embeddings = features({kPersonA, kPersonB});
    const int64_t id = id_of_row(tracker.update(in), 0);
    CHECK(id == (momentum > 0 ? 1 : 2));
  }
}

TEST_CASE("embeddings are checked against the detections and the tracker", "[tracker][reid]") {
  trackkit::Tracker tracker(TrackerOptions::botsort());
  TrackerInput in;
  in.detections = rows({kLeft, kRight});
  in.embeddings = at::zeros({3, 4});
  CHECK(error_of(tracker, in) ==
        "Tracker::update: embeddings must have shape [N,D] with N = 2 (one per detection row) and D > 0, got [3,4]");
  in.embeddings = at::full({2, 4}, std::nan(""));
  CHECK(error_of(tracker, in).find("embeddings") != std::string::npos);
  in.embeddings = at::zeros({2, 4}); // all-zero rows: "no feature", accepted, boxes alone decide
  CHECK(error_of(tracker, in) == "no error");
  in.embeddings = at::ones({2, 8});
  CHECK(error_of(tracker, in) ==
        "Tracker::update: embeddings has D = 8 but this tracker's tracks have D = 4 "
        "(reset() the tracker to change the embedding model)");
  CHECK(tracker.frame_count() == 1); // rejected frames do not advance it
  tracker.reset();
  CHECK(error_of(tracker, in) == "no error");
}

namespace {

// Masks on a 200 x 200 grid at frame resolution: vertical bands [x0, x1) over every row.
at::Tensor bands(std::vector<std::pair<int, int>> b) {
  at::Tensor m = at::zeros({static_cast<int64_t>(b.size()), 200, 200}, at::kBool);
  for (size_t i = 0; i < b.size(); ++i) m[i].narrow(1, b[i].first, b[i].second - b[i].first).fill_(true);
  return m;
}

} // namespace

TEST_CASE("masks resolve ambiguous pairs that boxes get wrong", "[tracker][mask]") {
  // Tracks A [0,100] (mask band [50,100)) and B [60,160] (band [90,140)); detections D1 [30,130] (band
  // [85,130)) and D2 [40,140] (band [45,95)). Fused box costs A-D1 .515, A-D2 .614, B-D1 .515, B-D2 .400:
  // every row and column has two candidates under 0.8, and boxes pick A-D1 + B-D2. Mask IoUs A-D2 .818,
  // B-D1 .727, A-D1 .188, B-D2 .053 pick A-D2 + B-D1.
  const at::Tensor frame12 = rows({{0, 0, 100, 200, 0.9}, {60, 0, 160, 200, 0.9}});
  const at::Tensor frame3 = rows({{30, 0, 130, 200, 0.9}, {40, 0, 140, 200, 0.9}});
  for (bool with_masks : {false, true}) {
    trackkit::Tracker tracker;
    TrackerInput in;
    in.detections = frame12;
    if (with_masks) in.masks = bands({{50, 100}, {90, 140}});
    tracker.update(in);
    tracker.update(in);
    in.detections = frame3;
    if (with_masks) in.masks = bands({{85, 130}, {45, 95}});
    const auto out = tracker.update(in);
    CHECK(id_of_row(out, 0) == (with_masks ? 2 : 1));
    CHECK(id_of_row(out, 1) == (with_masks ? 1 : 2));
  }
}

TEST_CASE("a track's predicted mask follows its box, and given track masks replace it", "[tracker][mask]") {
  trackkit::Tracker tracker;
  TrackerInput in;
  in.detections = rows({{0, 0, 100, 200, 0.9}, {60, 0, 160, 200, 0.9}});
  in.masks = bands({{50, 100}, {90, 140}});
  tracker.update(in);
  tracker.update(in);
  in.detections = rows({{30, 0, 130, 200, 0.9}, {40, 0, 140, 200, 0.9}});
  in.masks = bands({{85, 130}, {45, 95}});
  // Track 1's prediction replaced by D1's band: A-D1 mask cost 0.1, A-D2 0.894 (over the limit).
  in.track_masks = bands({{85, 130}});
  in.track_mask_ids = at::tensor({int64_t{1}}, at::kLong);
  const auto out = tracker.update(in);
  CHECK(id_of_row(out, 0) == 1);
}

TEST_CASE("mask input is checked", "[tracker][mask]") {
  trackkit::Tracker tracker;
  TrackerInput in;
  in.detections = rows({{0, 0, 100, 200, 0.9}});
  in.masks = at::zeros({2, 20, 20}, at::kBool);
  CHECK(error_of(tracker, in) ==
        "Tracker::update: masks must have shape [N,H,W] with N = 1 (one per detection row), got [2,20,20]");
  in.masks = at::zeros({1, 20, 20}, at::kFloat);
  CHECK(error_of(tracker, in).find("masks") != std::string::npos);
  in.masks = at::zeros({1, 20, 20}, at::kBool);
  CHECK(error_of(tracker, in) == "no error");
  in.masks = at::zeros({1, 30, 20}, at::kBool);
  CHECK(error_of(tracker, in) ==
        "Tracker::update: masks are on a [30,20] grid but earlier frames' masks were "
        "[20,20] (reset() the tracker to change it)");
  in.masks = at::zeros({1, 20, 20}, at::kBool);
  in.track_mask_ids = at::tensor({int64_t{1}}, at::kLong);
  CHECK(error_of(tracker, in) == "Tracker::update: track_masks is missing while track_mask_ids is given");
  in.track_mask_ids = at::Tensor();
  in.mask_scale = 0;
  CHECK(error_of(tracker, in) == "Tracker::update: mask_scale must be > 0, got 0.000000");
}

TEST_CASE("lost tracks can be output with their predicted boxes", "[tracker]") {
  TrackerOptions o = TrackerOptions::bytetrack();
  o.output_lost = true;
  trackkit::Tracker tracker(o);
  tracker.update(rows({{100, 100, 150, 200, 0.9}}));
  tracker.update(rows({{110, 100, 160, 200, 0.9}}));
  const auto out = tracker.update(rows({})); // gone: lost, predicted one more step to the right
  REQUIRE(out.ids.size(0) == 1);
  CHECK(out.states[0].item<int64_t>() == static_cast<int64_t>(trackkit::TrackStatus::Lost));
  CHECK(out.det_index[0].item<int64_t>() == -1);
  CHECK(out.boxes[0][0].item<double>() > 110);
  CHECK(out.ended.empty());
  trackkit::Tracker plain(TrackerOptions::bytetrack());
  plain.update(rows({{100, 100, 150, 200, 0.9}}));
  CHECK(plain.update(rows({})).ids.size(0) == 0);
}

TEST_CASE("float32 scores meet thresholds in float32", "[tracker]") {
  // 0.1f is 0.10000000149 as a double: above low_thresh 0.1 in float64, equal to it in float32 (not low).
  const TrackerOptions o = TrackerOptions::bytetrack();
  auto second_frame_matches = [&](at::ScalarType type) {
    trackkit::Tracker tracker(o);
    tracker.update(rows({{100, 100, 150, 200, 0.9}}).to(type));
    tracker.update(rows({{100, 100, 150, 200, 0.9}}).to(type));
    return tracker.update(rows({{100, 100, 150, 200, 0.1}}).to(at::kFloat).to(type)).ids.size(0);
  };
  CHECK(second_frame_matches(at::kDouble) == 1);
  CHECK(second_frame_matches(at::kFloat) == 0);
}

TEST_CASE("the bank splits embeddings and warps by stream, as separate trackers would", "[tracker][bank]") {
  trackkit::TrackerBank bank(2, TrackerOptions::botsort());
  std::vector<trackkit::Tracker> alone;
  for (int s = 0; s < 2; ++s) alone.emplace_back(TrackerOptions::botsort());
  const at::Tensor warps = at::tensor({1.0, 0.0, 3.0, 0.0, 1.0, 0.0, 1.0, 0.0, -2.0, 0.0, 1.0, 1.0}).view({2, 2, 3});
  for (int frame = 0; frame < 3; ++frame) {
    const bool swap = frame == 2;
    std::vector<double> l = swap ? kRight : kLeft, r = swap ? kLeft : kRight;
    const at::Tensor dets = rows({l, r});
    TrackerInput in;
    in.detections = at::cat({at::tensor({1.0, 0.0, 1.0}).view({3, 1}), at::cat({dets.narrow(0, 0, 1), dets})}, 1);
    in.embeddings = features({kPersonB, kPersonA, kPersonB});
    in.warp = warps;
    const auto outs = bank.update(in);
    // Rows: (stream 1, l, B), (stream 0, l, A), (stream 1, r, B).
    TrackerInput s0, s1;
    s0.detections = dets.narrow(0, 0, 1), s0.embeddings = features({kPersonA}), s0.warp = warps[0];
    s1.detections = dets, s1.embeddings = features({kPersonB, kPersonB}), s1.warp = warps[1];
    const auto o0 = alone[0].update(s0), o1 = alone[1].update(s1);
    CHECK(at::equal(outs[0].ids, o0.ids));
    CHECK(at::equal(outs[1].ids, o1.ids));
    CHECK(at::allclose(outs[0].boxes, o0.boxes, 0, 0));
    CHECK(at::allclose(outs[1].boxes, o1.boxes, 0, 0));
  }
  TrackerInput bad;
  bad.detections = at::zeros({1, 6});
  bad.detections[0][3] = bad.detections[0][4] = 1;
  bad.warp = at::zeros({3, 2, 3});
  CHECK_THROWS_WITH(bank.update(bad), "TrackerBank::update: warp must have shape [2,2,3], got [3,2,3]");
}
