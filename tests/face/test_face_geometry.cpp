// RetinaFace's priors and decoding, and the inverse letterbox of points, against values worked out by hand from
// biubug6/Pytorch_Retinaface's formulas (layers/functions/prior_box.py, utils/box_utils.py) and from the letterbox
// geometry.
#include <ATen/ATen.h>

#include <cmath>
#include <string>

#include "catch.hpp"
#include "trackkit/face_detector.hpp"
#include "trackkit/letterbox.hpp"

namespace {

/// PriorBox row [cx, cy, s_kx, s_ky] for level step / min size at row i, column j of an input h x w: the
/// upstream's Python expressions, in float64, rounded once to float32 as torch.Tensor(list) does.
at::Tensor prior_row(double step, double min_size, double i, double j, double h, double w) {
  return at::tensor({(j + 0.5) * step / w, (i + 0.5) * step / h, min_size / w, min_size / h}, at::kDouble)
      .to(at::kFloat);
}

bool equal_rows(const at::Tensor& a, const at::Tensor& b) { return at::equal(a.contiguous(), b.contiguous()); }

} // namespace

TEST_CASE("RetinaFace priors for 640x640 follow PriorBox: count, order, first and last rows", "[face]") {
  const at::Tensor p = trackkit::retinaface_priors(640, 640);
  // Levels of steps 8, 16, 32: 80x80, 40x40 and 20x20 cells, two min sizes each: 2 * (6400 + 1600 + 400).
  REQUIRE(p.sizes() == at::IntArrayRef({16800, 4}));
  CHECK(p.scalar_type() == at::kFloat);
  CHECK(equal_rows(p[0], prior_row(8, 16, 0, 0, 640, 640)));         // 0.00625, 0.00625, 0.025, 0.025
  CHECK(equal_rows(p[1], prior_row(8, 32, 0, 0, 640, 640)));         // the second min size of the same cell
  CHECK(equal_rows(p[2], prior_row(8, 16, 0, 1, 640, 640)));         // the next column (j) comes before the next row
  CHECK(equal_rows(p[160], prior_row(8, 16, 1, 0, 640, 640)));       // row 1: after 80 cells of two priors
  CHECK(equal_rows(p[12800], prior_row(16, 64, 0, 0, 640, 640)));    // level 2 starts after 2 * 6400
  CHECK(equal_rows(p[16799], prior_row(32, 512, 19, 19, 640, 640))); // 0.975, 0.975, 0.8, 0.8
  CHECK(p[0][0].item<float>() == 0.00625f);
  CHECK(p[16799][2].item<float>() == 0.8f);
}

TEST_CASE("RetinaFace priors of a non-square input and with clip", "[face]") {
  // 480 high, 640 wide: level 1 has ceil(480/8) = 60 rows of 80 columns; cy divides by the height, cx by the width.
  const at::Tensor p = trackkit::retinaface_priors(480, 640);
  CHECK(p.size(0) == 2 * (60 * 80 + 30 * 40 + 15 * 20));
  CHECK(equal_rows(p[160], prior_row(8, 16, 1, 0, 480, 640)));
  // 100 x 100 with step 32: ceil(100/32) = 4 cells a side (Python's ceil, not floor).
  trackkit::RetinaFacePriorOptions o;
  o.min_sizes = {{64, 256}}, o.steps = {32};
  const at::Tensor q = trackkit::retinaface_priors(100, 100, o);
  REQUIRE(q.size(0) == 4 * 4 * 2);
  CHECK(equal_rows(q[31], prior_row(32, 256, 3, 3, 100, 100))); // cx = 3.5 * 32 / 100 = 1.12, s = 2.56
  o.clip = true;                                                // clamp to [0,1], as PriorBox's clip
  const at::Tensor clipped = trackkit::retinaface_priors(100, 100, o);
  CHECK(equal_rows(clipped[31], at::tensor({1.f, 1.f, 1.f, 1.f})));
  CHECK(equal_rows(clipped[0], prior_row(32, 64, 0, 0, 100, 100))); // 0.16, 0.16, 0.64, 0.64: unchanged
}

TEST_CASE("RetinaFace decode and decode_landm equal the formulas on hand-made values", "[face]") {
  // Two priors (cx, cy, w, h) and variances 0.1, 0.2.
  const at::Tensor priors = at::tensor({0.5f, 0.5f, 0.1f, 0.2f, 0.25f, 0.75f, 0.5f, 0.4f}).view({2, 4});
  // Prior 0: loc (1, -2, 5 ln 2, 0): centre (0.5 + 1*0.1*0.1, 0.5 - 2*0.1*0.2) = (0.51, 0.46), size
  // (0.1 * exp(0.2 * 5 ln 2), 0.2 * exp(0)) = (0.2, 0.2): box 0.41, 0.36, 0.61, 0.56.
  // Prior 1: loc 0: the prior itself, 0.25 -+ 0.25, 0.75 -+ 0.2: 0, 0.55, 0.5, 0.95.
  const float ln2x5 = static_cast<float>(5 * std::log(2.0));
  const at::Tensor loc = at::tensor({1.f, -2.f, ln2x5, 0.f, 0.f, 0.f, 0.f, 0.f}).view({1, 2, 4}).expand({3, 2, 4});
  const at::Tensor boxes = trackkit::retinaface_decode_boxes(loc, priors);
  REQUIRE(boxes.sizes() == at::IntArrayRef({3, 2, 4}));
  const at::Tensor expected = at::tensor({0.41f, 0.36f, 0.61f, 0.56f, 0.f, 0.55f, 0.5f, 0.95f}).view({2, 4});
  for (int b = 0; b < 3; ++b) CHECK(at::allclose(boxes[b], expected, 0, 1e-6));
  // Other variances: centre moves by loc * v0 * size, size scales by exp(loc * v1).
  const at::Tensor other = trackkit::retinaface_decode_boxes(loc[0], priors, {0.5, 0.1});
  // Prior 0: centre (0.5 + 0.5*0.1, 0.5 - 2*0.5*0.2) = (0.55, 0.3), w = 0.1 * exp(0.5 ln 2) = 0.1 * sqrt(2), h 0.2.
  const float half_w = static_cast<float>(0.05 * std::sqrt(2.0));
  CHECK(at::allclose(other[0], at::tensor({0.55f - half_w, 0.2f, 0.55f + half_w, 0.4f}), 0, 1e-6));

  // Landmarks: point k = prior centre + landms_k * 0.1 * prior size.
  const at::Tensor landms =
      at::tensor({1.f, -1.f, 0.f, 0.f, 2.f, 3.f, -4.f, 0.5f, 10.f, -10.f}).view({1, 10}).repeat({2, 1});
  const at::Tensor points = trackkit::retinaface_decode_landmarks(landms, priors);
  REQUIRE(points.sizes() == at::IntArrayRef({2, 10}));
  const at::Tensor expected0 = at::tensor({0.51f, 0.48f, 0.5f, 0.5f, 0.52f, 0.56f, 0.46f, 0.51f, 0.6f, 0.3f});
  const at::Tensor expected1 = at::tensor({0.3f, 0.71f, 0.25f, 0.75f, 0.35f, 0.87f, 0.05f, 0.77f, 0.75f, 0.35f});
  CHECK(at::allclose(points[0], expected0, 0, 1e-6));
  CHECK(at::allclose(points[1], expected1, 0, 1e-6));
}

TEST_CASE("RetinaFace decoding rejects mismatched arguments, naming them", "[face]") {
  const at::Tensor priors = trackkit::retinaface_priors(64, 64);
  const int64_t p = priors.size(0);
  CHECK(tk_error_of([&] {
          trackkit::retinaface_decode_boxes(at::zeros({1, p, 5}), priors);
        }).rfind("retinaface_decode_boxes: loc", 0) == 0);
  CHECK(tk_error_of([&] {
          trackkit::retinaface_decode_boxes(at::zeros({1, p + 1, 4}), priors);
        }) == "retinaface_decode_boxes: loc must have one row a prior (" + std::to_string(p) + "), got [1," +
                  std::to_string(p + 1) + ",4]");
  CHECK(tk_error_of([&] {
          trackkit::retinaface_decode_landmarks(at::zeros({p, 10}), priors.narrow(1, 0, 3));
        }).rfind("retinaface_decode_landmarks: priors", 0) == 0);
  CHECK(tk_error_of([] { trackkit::retinaface_priors(0, 640); }).rfind("retinaface_priors: input_height", 0) == 0);
  trackkit::RetinaFacePriorOptions o;
  o.steps = {8, 16};
  CHECK(tk_error_of([&] { trackkit::retinaface_priors(640, 640, o); }).rfind("retinaface_priors: options.steps", 0) ==
        0);
}

TEST_CASE("the inverse letterbox maps known points back exactly, without clipping", "[face]") {
  // 1080 high, 810 wide into 640x640: gain 640/1080, resized 480 wide (round(810 * 0.5926)), 80 columns of
  // padding on the left. A frame point p lands at p * 480/810 + 80 (x) and p * 640/1080 (y).
  const trackkit::LetterboxGeometry g = trackkit::letterbox_geometry(1080, 810);
  REQUIRE(g.resized_width == 480);
  REQUIRE(g.pad_left == 80);
  const at::Tensor input = at::tensor({80.0, 0.0, 320.0, 320.0, 560.0, 640.0, 0.0, 0.0}, at::kDouble).view({2, 2, 2});
  const at::Tensor frame = trackkit::unletterbox_points(input, 1080, 810, g);
  const at::Tensor expected =
      at::tensor({0.0, 0.0, 405.0, 540.0, 810.0, 1080.0, -135.0, 0.0}, at::kDouble).view({2, 2, 2});
  CHECK(at::allclose(frame, expected, 0, 1e-12)); // (0,0) lies in the padding: x = -80 * 810/480, kept
  // The same gains and offsets as unletterbox_boxes: a box of two points inside the frame maps identically.
  const at::Tensor box = at::tensor({100.f, 50.f, 400.f, 600.f}).view({1, 4});
  const at::Tensor as_points = trackkit::unletterbox_points(box.view({1, 2, 2}), 1080, 810, g).view({1, 4});
  CHECK(at::equal(as_points, trackkit::unletterbox_boxes(box, 1080, 810, g, trackkit::BoxScaling::PerAxis)));
  const at::Tensor uniform =
      trackkit::unletterbox_points(box.view({1, 2, 2}), 1080, 810, g, trackkit::BoxScaling::Uniform).view({1, 4});
  CHECK(at::equal(uniform, trackkit::unletterbox_boxes(box, 1080, 810, g, trackkit::BoxScaling::Uniform)));
  // 720 x 1280 (zidane.jpg's size): gain 0.5, 140 rows above: input (100, 190) -> frame (200, 100).
  const trackkit::LetterboxGeometry z = trackkit::letterbox_geometry(720, 1280);
  const at::Tensor zp = trackkit::unletterbox_points(at::tensor({100.f, 190.f}), 720, 1280, z);
  CHECK(at::equal(zp, at::tensor({200.f, 100.f})));
  CHECK(tk_error_of([&] {
          trackkit::unletterbox_points(at::zeros({3}), 720, 1280, z);
        }).rfind("unletterbox_points: points", 0) == 0);
}
