// Box conversions, area, clipping and IoU on the CPU against hand-computed values and a scalar reference.
#include <ATen/ATen.h>

#include <string>

#include "box_reference.hpp"
#include "catch.hpp"
#include "trackkit/boxes.hpp"
#include "trackkit/error.hpp"

using trackkit::box_iou;
using trackkit::BoxFormat;

namespace {

std::string error_message(const std::function<void()>& f) {
  try {
    f();
  } catch (const trackkit::Error& e) {
    return e.what();
  }
  return "no error";
}

double max_abs_diff(const at::Tensor& a, const at::Tensor& b) {
  return a.numel() == 0 ? 0.0 : (a.to(at::kDouble).cpu() - b.to(at::kDouble).cpu()).abs().max().item<double>();
}

} // namespace

TEST_CASE("box_iou matches hand-computed values") {
  const at::Tensor a = at::tensor({0.f, 0.f, 10.f, 10.f}).view({1, 4});
  const at::Tensor b = at::tensor({
                                      0.f,  0.f,  10.f, 10.f, // same box: 1
                                      5.f,  5.f,  15.f, 15.f, // 25 / (100 + 100 - 25) = 1/7
                                      10.f, 0.f,  20.f, 10.f, // touching edge: 0
                                      2.f,  2.f,  4.f,  4.f,  // inside: 4 / 100
                                      3.f,  3.f,  3.f,  8.f,  // zero width: 0
                                      -5.f, 0.f,  5.f,  10.f, // half overlap: 50 / 150
                                      20.f, 20.f, 30.f, 30.f  // disjoint: 0
                                  })
                           .view({7, 4});
  const at::Tensor iou = box_iou(a, b);
  REQUIRE(iou.sizes() == at::IntArrayRef({1, 7}));
  CHECK(iou.scalar_type() == at::kFloat);
  const std::vector<double> expected{1.0, 1.0 / 7.0, 0.0, 0.04, 0.0, 1.0 / 3.0, 0.0};
  for (int j = 0; j < 7; ++j) CHECK(iou[0][j].item<double>() == Approx(expected[j]).margin(1e-7));
  // Two zero-area boxes: union 0 gives 0, not NaN.
  const at::Tensor point = at::tensor({1.f, 1.f, 1.f, 1.f}).view({1, 4});
  CHECK(box_iou(point, point).item<float>() == 0.f);
}

TEST_CASE("box_iou equals the scalar reference on random boxes, float32 and float64") {
  at::manual_seed(7);
  const at::Tensor a = random_boxes(37), b = random_boxes(53);
  const at::Tensor ref = reference_iou_matrix(a, b);
  CHECK(max_abs_diff(box_iou(a, b), ref) < 1e-6);
  const at::Tensor iou64 = box_iou(a.to(at::kDouble), b.to(at::kDouble));
  CHECK(iou64.scalar_type() == at::kDouble);
  CHECK(max_abs_diff(iou64, ref) < 1e-12);
  // Mixed float32/float64 computes in float64.
  CHECK(box_iou(a, b.to(at::kDouble)).scalar_type() == at::kDouble);
}

TEST_CASE("box_iou properties: symmetric, self-IoU 1, values in [0,1]") {
  at::manual_seed(11);
  const at::Tensor a = random_boxes(64), b = random_boxes(40);
  const at::Tensor ab = box_iou(a, b), ba = box_iou(b, a);
  CHECK(max_abs_diff(ab, ba.t()) == 0.0);
  const at::Tensor self = box_iou(a, a);
  CHECK(max_abs_diff(self.diagonal(), at::ones({64})) < 1e-6);
  CHECK(ab.min().item<float>() >= 0.f);
  CHECK(ab.max().item<float>() <= 1.f);
}

TEST_CASE("batched box_iou equals per-item box_iou and empty sizes give empty results") {
  at::manual_seed(3);
  const at::Tensor a = random_boxes(5 * 9).view({5, 9, 4}), b = random_boxes(5 * 6).view({5, 6, 4});
  const at::Tensor batched = box_iou(a, b);
  REQUIRE(batched.sizes() == at::IntArrayRef({5, 9, 6}));
  for (int64_t i = 0; i < 5; ++i) CHECK(max_abs_diff(batched[i], box_iou(a[i], b[i])) == 0.0);

  CHECK(box_iou(at::empty({0, 4}), b[0]).sizes() == at::IntArrayRef({0, 6}));
  CHECK(box_iou(a[0], at::empty({0, 4})).sizes() == at::IntArrayRef({9, 0}));
  CHECK(box_iou(at::empty({0, 3, 4}), at::empty({0, 2, 4})).sizes() == at::IntArrayRef({0, 3, 2}));
}

TEST_CASE("box_iou computes fp16 and bf16 input in fp32") {
  at::manual_seed(5);
  const at::Tensor a = random_boxes(20, 640, 480, 100), b = random_boxes(30, 640, 480, 100);
  for (auto type : {at::kHalf, at::kBFloat16}) {
    const at::Tensor ah = a.to(type), bh = b.to(type);
    const at::Tensor iou = box_iou(ah, bh);
    CHECK(iou.scalar_type() == at::kFloat);
    CHECK(max_abs_diff(iou, reference_iou_matrix(ah, bh)) < 1e-6); // same rounded coordinates
  }
}

TEST_CASE("box_iou rejects bad arguments with messages naming them") {
  const at::Tensor good = at::rand({4, 4});
  CHECK(error_message([&] { box_iou(at::zeros({5, 3}), good); }) == "box_iou: boxes1 must have shape [N,4], got [5,3]");
  CHECK(error_message([&] { box_iou(good, at::zeros({5, 3})); }) == "box_iou: boxes2 must have shape [M,4], got [5,3]");
  CHECK(error_message([&] { box_iou(at::zeros({4}), good); }) ==
        "box_iou: boxes1 must have shape [N,4] or [B,N,4], got [4]");
  CHECK(error_message([&] {
          box_iou(at::zeros({2, 3, 4}), at::zeros({3, 3, 4}));
        }) == "box_iou: boxes2 must have the batch size B of boxes1 (2), got [3,3,4]");
  CHECK(error_message([&] { box_iou(good.to(at::kInt), good); }) ==
        "box_iou: boxes1 must have dtype Half or BFloat16 or Float or Double, got Int");
  at::Tensor nan_boxes = good.clone();
  nan_boxes[1][2] = NAN;
  CHECK(error_message([&] { box_iou(good, nan_boxes); }) == "box_iou: boxes2 contains NaN or infinite values");
  CHECK(error_message([&] { box_iou(at::Tensor(), good); }) == "box_iou: boxes1 is an undefined tensor");
}

TEST_CASE("convert_boxes gives the analytic values and round-trips every format pair") {
  const at::Tensor xyxy = at::tensor({10.0, 20.0, 30.0, 60.0}).view({1, 4});
  auto as = [&](BoxFormat f) { return trackkit::convert_boxes(xyxy, BoxFormat::XYXY, f); };
  CHECK(max_abs_diff(as(BoxFormat::XYWH), at::tensor({10.0, 20.0, 20.0, 40.0}).view({1, 4})) == 0.0);
  CHECK(max_abs_diff(as(BoxFormat::CXCYWH), at::tensor({20.0, 40.0, 20.0, 40.0}).view({1, 4})) == 0.0);
  CHECK(max_abs_diff(as(BoxFormat::CXCYAH), at::tensor({20.0, 40.0, 0.5, 40.0}).view({1, 4})) == 0.0);

  at::manual_seed(1);
  const at::Tensor boxes = random_boxes(100).view({4, 25, 4}).to(at::kDouble);
  const BoxFormat all[] = {BoxFormat::XYXY, BoxFormat::XYWH, BoxFormat::CXCYWH, BoxFormat::CXCYAH};
  for (BoxFormat f : all) {
    const at::Tensor in_f = trackkit::convert_boxes(boxes, BoxFormat::XYXY, f);
    for (BoxFormat g : all) {
      const at::Tensor in_g = trackkit::convert_boxes(in_f, f, g);
      CHECK(in_g.sizes() == boxes.sizes());
      CHECK(max_abs_diff(trackkit::convert_boxes(in_g, g, BoxFormat::XYXY), boxes) < 1e-9);
    }
  }
  // Zero height: no aspect ratio, an error naming the box (issue 26: it silently became aspect 0 before).
  CHECK(error_message([] {
          trackkit::convert_boxes(at::tensor({0.f, 0.f, 4.f, 2.f, 0.f, 5.f, 4.f, 5.f}).view({2, 4}), BoxFormat::XYXY,
                                  BoxFormat::CXCYAH);
        }) == "convert_boxes: boxes row 1 has zero height: CXCYAH (aspect w/h) cannot represent it");
  CHECK(error_message([] {
          trackkit::convert_boxes(at::zeros({3, 5}), BoxFormat::XYXY, BoxFormat::XYWH);
        }) == "convert_boxes: boxes must have shape [...,4] with 1 to 8 dimensions, got [3,5]");
}

TEST_CASE("box_area and clip_boxes") {
  const at::Tensor boxes = at::tensor({0.f, 0.f, 2.f, 3.f, 5.f, 5.f, 4.f, 9.f, -10.f, -5.f, 700.f, 500.f}).view({3, 4});
  CHECK(max_abs_diff(trackkit::box_area(boxes), at::tensor({6.f, 0.f, 710.f * 505.f})) == 0.0);
  const at::Tensor clipped = trackkit::clip_boxes(boxes, 640, 480);
  CHECK(max_abs_diff(clipped[2], at::tensor({0.f, 0.f, 640.f, 480.f})) == 0.0);
  CHECK(max_abs_diff(clipped[0], boxes[0]) == 0.0);
  CHECK(error_message([&] { trackkit::clip_boxes(boxes, -1, 480); }) ==
        "clip_boxes: width must be finite and >= 0, got -1.000000");
}
