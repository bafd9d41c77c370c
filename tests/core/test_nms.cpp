// batched_nms on hand-built cases whose answers follow from the definition (ultralytics' non_max_suppression,
// torchvision's nms), and its argument checks.
#include <ATen/ATen.h>

#include <limits>
#include <string>
#include <vector>

#include "catch.hpp"
#include "nms_reference.hpp"
#include "trackkit/error.hpp"
#include "trackkit/nms.hpp"

using trackkit::batched_nms;
using trackkit::NmsOptions;

namespace {

// One image: boxes [A,4] and, per anchor, a score for `cls` (other classes score 0) among `classes` classes.
std::pair<at::Tensor, at::Tensor> image(const std::vector<std::array<float, 4>>& boxes,
                                        const std::vector<float>& scores, const std::vector<int64_t>& cls,
                                        int64_t classes = 3) {
  const int64_t a = static_cast<int64_t>(boxes.size());
  at::Tensor b = at::empty({1, a, 4});
  at::Tensor s = at::zeros({1, a, classes});
  for (int64_t i = 0; i < a; ++i) {
    for (int k = 0; k < 4; ++k) b[0][i][k] = boxes[i][k];
    s[0][i][cls.empty() ? 0 : cls[i]] = scores[i];
  }
  return {b, s};
}

// x1 of the kept rows of image 0, in order: the cases give their boxes distinct x1.
std::vector<float> kept_x1(const trackkit::NmsResult& r) {
  const std::vector<std::vector<Detection>> rows = result_rows(r);
  std::vector<float> x;
  for (const Detection& d : rows[0]) x.push_back(d[0]);
  return x;
}

} // namespace

TEST_CASE("batched_nms: nested boxes are suppressed only above the IoU threshold") {
  // Inside box: IoU 2500/10000 = 0.25 (kept); near-copy: IoU 8100/10000 = 0.81 (suppressed).
  const auto [b, s] = image({{0, 0, 100, 100}, {10, 10, 60, 60}, {0, 0, 90, 90}}, {0.9f, 0.8f, 0.85f}, {});
  const trackkit::NmsResult r = batched_nms(b, s);
  REQUIRE(r.detections.sizes() == at::IntArrayRef({1, 300, 6}));
  CHECK(r.detections.scalar_type() == at::kFloat);
  CHECK(r.counts.scalar_type() == at::kLong);
  CHECK(r.counts[0].item<int64_t>() == 2);
  const auto rows = result_rows(r)[0];
  CHECK(rows[0] == Detection{{0, 0, 100, 100, 0.9f, 0}});
  CHECK(rows[1] == Detection{{10, 10, 60, 60, 0.8f, 0}});
  CHECK(r.detections[0].narrow(0, 2, 298).abs().sum().item<float>() == 0.f); // rows past the count are zero
}

TEST_CASE("batched_nms: greedy order, a box suppressed by a suppressed box survives") {
  // A-B IoU 70/130 > 0.45, B-C 70/130, A-C 40/160 = 0.25: B goes (by A), so C stays.
  const auto [b, s] = image({{0, 0, 10, 10}, {3, 0, 13, 10}, {6, 0, 16, 10}}, {0.9f, 0.8f, 0.7f}, {});
  CHECK(kept_x1(batched_nms(b, s)) == std::vector<float>{0, 6});
  // Scores decide the order, not the anchor index: B first suppresses A and C.
  const auto [b2, s2] = image({{0, 0, 10, 10}, {3, 0, 13, 10}, {6, 0, 16, 10}}, {0.7f, 0.9f, 0.8f}, {});
  CHECK(kept_x1(batched_nms(b2, s2)) == std::vector<float>{3});
}

TEST_CASE("batched_nms: IoU equal to the threshold does not suppress") {
  // IoU exactly 100/200 = 0.5.
  const auto [b, s] = image({{0, 0, 10, 10}, {0, 0, 10, 20}}, {0.9f, 0.8f}, {});
  NmsOptions o;
  o.iou_threshold = 0.5;
  CHECK(batched_nms(b, s, o).counts[0].item<int64_t>() == 2);
  o.iou_threshold = 0.49;
  CHECK(batched_nms(b, s, o).counts[0].item<int64_t>() == 1);
}

TEST_CASE("batched_nms: class-aware keeps overlapping boxes of different classes, agnostic does not") {
  const auto [b, s] = image({{0, 0, 10, 10}, {1, 1, 10, 10}, {2, 0, 10, 10}}, {0.9f, 0.8f, 0.7f}, {0, 1, 1});
  const auto aware = result_rows(batched_nms(b, s))[0];
  REQUIRE(aware.size() == 2);
  CHECK(aware[0][5] == 0.f);
  CHECK(aware[1] == Detection{{1, 1, 10, 10, 0.8f, 1}}); // output boxes are not shifted by the class offset
  NmsOptions o;
  o.agnostic = true;
  CHECK(kept_x1(batched_nms(b, s, o)) == std::vector<float>{0});
  // A class offset too small to separate the classes behaves like agnostic here (ultralytics' max_wh trick).
  o.agnostic = false;
  o.class_offset = 0.5;
  CHECK(kept_x1(batched_nms(b, s, o)) == std::vector<float>{0});
}

TEST_CASE("batched_nms: class filter applies to the best class, not to any class above the threshold") {
  auto [b, s] = image({{0, 0, 10, 10}, {20, 0, 30, 10}, {40, 0, 50, 10}}, {0.9f, 0.8f, 0.7f}, {0, 1, 2});
  s[0][0][1] = 0.5f; // anchor 0: best class 0, class 1 also above 0.25
  NmsOptions o;
  o.classes = {1, 2};
  CHECK(kept_x1(batched_nms(b, s, o)) == std::vector<float>{20, 40});
  o.classes = {1};
  CHECK(kept_x1(batched_nms(b, s, o)) == std::vector<float>{20});
}

TEST_CASE("batched_nms: the best class is the first maximum") {
  auto [b, s] = image({{0, 0, 10, 10}}, {0.6f}, {2});
  s[0][0][1] = 0.6f;
  CHECK(result_rows(batched_nms(b, s))[0][0][5] == 1.f);
}

TEST_CASE("batched_nms: conf_threshold is strict and compared in the scores' dtype") {
  const auto [b, s] = image({{0, 0, 10, 10}, {20, 0, 30, 10}, {40, 0, 50, 10}}, {0.25f, 0.2500001f, 0.3f}, {});
  CHECK(kept_x1(batched_nms(b, s)) == std::vector<float>{40, 20});
  NmsOptions o;
  o.conf_threshold = 0.3; // float(0.3) > 0.3 in double, but torch compares in float32: not a candidate
  CHECK(batched_nms(b, s, o).counts[0].item<int64_t>() == 0);
  // float16: 0.30004883 is half(0.3) itself, so it is not above the threshold either.
  CHECK(batched_nms(b.to(at::kHalf), s.to(at::kHalf), o).counts[0].item<int64_t>() == 0);
  o.conf_threshold = 0;
  CHECK(batched_nms(b, s, o).counts[0].item<int64_t>() == 3);
}

TEST_CASE("batched_nms: max_detections and max_candidates keep the highest scores") {
  std::vector<std::array<float, 4>> boxes;
  std::vector<float> scores;
  for (int i = 0; i < 10; ++i) boxes.push_back({20.f * i, 0, 20.f * i + 10, 10}), scores.push_back(0.3f + 0.05f * i);
  const auto [b, s] = image(boxes, scores, {});
  NmsOptions o;
  o.max_detections = 3;
  const trackkit::NmsResult r = batched_nms(b, s, o);
  CHECK(r.detections.sizes() == at::IntArrayRef({1, 3, 6}));
  CHECK(kept_x1(r) == std::vector<float>{180, 160, 140});
  o.max_detections = 300;
  o.max_candidates = 2;
  CHECK(kept_x1(batched_nms(b, s, o)) == std::vector<float>{180, 160});
  // The top candidates before NMS: the best suppresses the second, so one remains, not two.
  const auto [b2, s2] = image({{0, 0, 10, 10}, {0, 0, 10, 11}, {50, 0, 60, 10}}, {0.9f, 0.8f, 0.7f}, {});
  CHECK(kept_x1(batched_nms(b2, s2, o)) == std::vector<float>{0});
}

TEST_CASE("batched_nms: equal scores keep anchor order") {
  const auto [b, s] =
      image({{50, 0, 60, 10}, {0, 0, 10, 10}, {0, 0, 10, 10}, {20, 0, 30, 10}}, {0.5f, 0.5f, 0.5f, 0.5f}, {0, 0, 1, 0});
  NmsOptions o;
  o.agnostic = true;
  const auto rows = result_rows(batched_nms(b, s, o))[0];
  REQUIRE(rows.size() == 3);
  CHECK(rows[0][0] == 50.f);
  CHECK(rows[1] == Detection{{0, 0, 10, 10, 0.5f, 0}}); // anchor 1 wins its duplicate (anchor 2)
  CHECK(rows[2][0] == 20.f);
}

TEST_CASE("batched_nms: float16 input is shifted and compared in float32, float64 stays float64") {
  // Class 79's shift 79 * 7680 = 606720 overflows float16 (max 65504): computed in float16 every box would
  // become inf. Coordinates beyond 2048 are whole numbers in float16 and come back exactly.
  const auto [b, s] =
      image({{3000, 0, 3100, 100}, {3004, 0, 3100, 100}, {4000, 0, 4100, 100}}, {0.9f, 0.8f, 0.7f}, {79, 79, 79}, 80);
  const auto half = result_rows(batched_nms(b.to(at::kHalf), s.to(at::kHalf)));
  REQUIRE(half[0].size() == 2);
  CHECK(half[0][0][0] == 3000.f);
  CHECK(half[0][1][0] == 4000.f);
  CHECK(half[0][0][4] == static_cast<float>(c10::Half(0.9f)));
  CHECK(result_rows(batched_nms(b.to(at::kDouble), s.to(at::kDouble)))[0].size() == 2);
  CHECK(result_rows(batched_nms(b.to(at::kBFloat16), s.to(at::kBFloat16)))[0].size() == 2);
}

TEST_CASE("batched_nms: NaN scores and non-finite boxes are not candidates") {
  auto [b, s] =
      image({{0, 0, 10, 10}, {20, 0, 30, 10}, {40, 0, 50, 10}, {60, 0, 70, 10}}, {0.9f, 0.8f, 0.7f, 0.6f}, {});
  s[0][0][2] = std::numeric_limits<float>::quiet_NaN(); // NaN in another class than the best
  b[0][1][2] = std::numeric_limits<float>::infinity();
  b[0][2][0] = std::numeric_limits<float>::quiet_NaN();
  CHECK(kept_x1(batched_nms(b, s)) == std::vector<float>{60});
}

TEST_CASE("batched_nms: empty batches, no anchors and no candidates give empty results") {
  const trackkit::NmsResult none = batched_nms(at::zeros({0, 5, 4}), at::zeros({0, 5, 3}));
  CHECK(none.detections.sizes() == at::IntArrayRef({0, 300, 6}));
  CHECK(none.counts.sizes() == at::IntArrayRef({0}));
  const trackkit::NmsResult empty = batched_nms(at::zeros({2, 0, 4}), at::zeros({2, 0, 80}));
  CHECK(empty.detections.sizes() == at::IntArrayRef({2, 300, 6}));
  CHECK(empty.counts.sum().item<int64_t>() == 0);
  CHECK(trackkit::split_detections(empty)[1].sizes() == at::IntArrayRef({0, 6}));
  const trackkit::NmsResult low = batched_nms(at::rand({3, 50, 4}), at::rand({3, 50, 2}) * 0.25);
  CHECK(low.counts.sum().item<int64_t>() == 0);
  CHECK(low.detections.abs().sum().item<float>() == 0.f);
}

TEST_CASE("batched_nms: strided inputs (the v8 output transposed) equal contiguous ones, split_detections") {
  at::manual_seed(5);
  auto [boxes, scores] = clustered_inputs(3, 400, 6);
  const at::Tensor v8 = at::cat({boxes, scores}, -1).transpose(1, 2).contiguous(); // [B,4+C,A] as YOLO emits
  const at::Tensor view = v8.transpose(1, 2);                                      // [B,A,4+C], anchor stride 1
  const trackkit::NmsResult strided = batched_nms(view.narrow(2, 0, 4), view.narrow(2, 4, 6));
  const trackkit::NmsResult dense = batched_nms(boxes, scores);
  CHECK(at::equal(strided.detections, dense.detections));
  CHECK(at::equal(strided.counts, dense.counts));
  const std::vector<at::Tensor> parts = trackkit::split_detections(dense);
  REQUIRE(parts.size() == 3);
  for (int64_t b = 0; b < 3; ++b) {
    CHECK(parts[b].size(0) == dense.counts[b].item<int64_t>());
    CHECK(at::equal(parts[b], dense.detections[b].narrow(0, 0, parts[b].size(0))));
  }
}

TEST_CASE("batched_nms: errors name the argument") {
  const at::Tensor b = at::zeros({2, 5, 4}), s = at::zeros({2, 5, 3});
  CHECK_THROWS_WITH(batched_nms(at::zeros({5, 4}), s), "batched_nms: boxes must have shape [B,A,4], got [5,4]");
  CHECK_THROWS_WITH(batched_nms(b, at::zeros({2, 5})), "batched_nms: scores must have shape [B,A,C], got [2,5]");
  CHECK_THROWS_WITH(batched_nms(b, at::zeros({3, 5, 3})),
                    "batched_nms: scores must have the batch size B of boxes (2), got [3,5,3]");
  CHECK_THROWS_WITH(batched_nms(b, at::zeros({2, 6, 3})),
                    "batched_nms: scores must have the anchor count A of boxes (5), got [2,6,3]");
  CHECK_THROWS_WITH(batched_nms(b, s.to(at::kDouble)),
                    "batched_nms: scores must have the dtype of boxes (Float), got Double");
  CHECK_THROWS_WITH(batched_nms(b, at::zeros({2, 5, 0})),
                    "batched_nms: scores must have at least one class, got [2,5,0]");
  CHECK_THROWS_WITH(batched_nms(b.to(at::kInt), s),
                    "batched_nms: boxes must have dtype Half or BFloat16 or Float or Double, got Int");
  NmsOptions o;
  o.conf_threshold = 1.5;
  CHECK_THROWS_WITH(batched_nms(b, s, o), "batched_nms: options.conf_threshold must be in [0, 1], got 1.5");
  o = {};
  o.iou_threshold = std::numeric_limits<double>::quiet_NaN();
  CHECK_THROWS_WITH(batched_nms(b, s, o), "batched_nms: options.iou_threshold must be in [0, 1], got nan");
  o = {};
  o.class_offset = -1;
  CHECK_THROWS_WITH(batched_nms(b, s, o), "batched_nms: options.class_offset must be finite and >= 0, got -1");
  o = {};
  o.max_detections = 0;
  CHECK_THROWS_WITH(batched_nms(b, s, o), "batched_nms: options.max_detections must be >= 1, got 0");
  o = {};
  o.max_candidates = -3;
  CHECK_THROWS_WITH(batched_nms(b, s, o), "batched_nms: options.max_candidates must be >= 1, got -3");
  o = {};
  o.classes = {0, 3};
  CHECK_THROWS_WITH(batched_nms(b, s, o), "batched_nms: options.classes[1] must be a class in [0, C) = [0, 3), got 3");
  CHECK_THROWS_AS(batched_nms(b, s, o), trackkit::Error);
  CHECK_THROWS_WITH(trackkit::split_detections({at::zeros({2, 3, 6}), at::zeros({3}, at::kLong)}),
                    "split_detections: result.counts must have one count an image of result.detections");
}
