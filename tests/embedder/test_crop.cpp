// Batched crops against OpenCV: box crops = cv::resize of the clamped, cut crop; aligned crops = cv::warpAffine with
// the similarity to the template (insightface's norm_crop); the similarity against the numpy Umeyama reference and
// an exact analytic case; normalisation presets and channel order; bad input.
#include <ATen/ATen.h>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <cmath>
#include <string>

#include "catch.hpp"
#include "embedder/embedder_test_util.hpp"
#include "trackkit/embedder.hpp"
#include "trackkit/error.hpp"

namespace {

/// A smooth frame (gradients <= 7 grey levels a pixel, so OpenCV's 1/32-pixel warp quantisation stays small).
at::Tensor smooth_frame(int64_t h, int64_t w) {
  const at::Tensor y = at::arange(h, at::kFloat).view({h, 1, 1}), x = at::arange(w, at::kFloat).view({1, w, 1});
  const at::Tensor c = at::arange(3, at::kFloat).view({1, 1, 3});
  return (127.5 + 100 * at::sin(x * 0.07 + c) * at::cos(y * 0.05 - c)).round().to(at::kByte).contiguous();
}

at::Tensor noise_frame(int64_t h, int64_t w, int64_t seed) {
  at::manual_seed(seed);
  return at::randint(0, 256, {h, w, 3}, at::kByte);
}

/// Raw crop values (0..255, frame channel order): Custom preset, mean 0, std 1, no channel swap.
trackkit::CropOptions raw(int64_t h, int64_t w) {
  trackkit::CropOptions o;
  o.preset = trackkit::CropPreset::Custom;
  o.height = h, o.width = w;
  o.input_bgr = false;
  o.quantize = false;
  o.box_sampling = trackkit::BoxSampling::Subpixel;
  return o;
}

cv::Mat as_float_mat(const at::Tensor& frame) {
  const at::Tensor f = frame.to(at::kFloat).contiguous();
  return cv::Mat(static_cast<int>(f.size(0)), static_cast<int>(f.size(1)), CV_32FC3, f.data_ptr<float>()).clone();
}

/// cv::Mat [h,w,3] float -> [3,h,w] tensor.
at::Tensor chw(const cv::Mat& m) {
  return at::from_blob(m.data, {m.rows, m.cols, 3}, at::kFloat).permute({2, 0, 1}).clone();
}

} // namespace

TEST_CASE("box crops equal cv::resize of the clamped crop (INTER_LINEAR in float and uint8)", "[embedder][crop]") {
  const at::Tensor frames = at::stack({noise_frame(90, 160, 1), smooth_frame(90, 160)});
  // Down- and upscaling, a box at the frame's corner, boxes partly outside (clamped to the frame).
  const at::Tensor boxes = embedder_test::doubles({0.,  10, 5,  74,  85, 1., 3,  4,  10,  9,  1.,  0,  0,
                                                   160, 90, 0., -20, -7, 30, 40, 1., 140, 60, 200, 120})
                               .view({5, 5});
  const at::Tensor crops = trackkit::crop_boxes(frames, boxes, raw(64, 32));
  REQUIRE(crops.sizes() == at::IntArrayRef({5, 3, 64, 32}));
  for (int64_t i = 0; i < boxes.size(0); ++i) {
    const auto b = boxes[i];
    const int64_t f = b[0].item<int64_t>();
    const int x1 = std::max(0, b[1].item<int>()), y1 = std::max(0, b[2].item<int>());
    const int x2 = std::min(160, b[3].item<int>()), y2 = std::min(90, b[4].item<int>());
    cv::Mat resized;
    cv::resize(as_float_mat(frames[f])(cv::Rect(x1, y1, x2 - x1, y2 - y1)), resized, cv::Size(32, 64), 0, 0,
               cv::INTER_LINEAR);
    const double diff = (crops[i] - chw(resized)).abs().max().item<double>();
    INFO("box " << i << ": max |ours - cv::resize| = " << diff);
    CHECK(diff < 2e-3);
  }
  // OpenCV sampling (the default) against cv::resize of the uint8 frame: the same fixed-point arithmetic, bit for bit.
  trackkit::CropOptions q = raw(64, 32);
  q.box_sampling = trackkit::BoxSampling::OpenCV;
  const at::Tensor rounded = trackkit::crop_boxes(frames, boxes, q);
  for (int64_t i = 0; i < boxes.size(0); ++i) {
    const auto b = boxes[i];
    const int x1 = std::max(0, b[1].item<int>()), y1 = std::max(0, b[2].item<int>());
    const int x2 = std::min(160, b[3].item<int>()), y2 = std::min(90, b[4].item<int>());
    const at::Tensor f = frames[b[0].item<int64_t>()].contiguous();
    const cv::Mat frame(static_cast<int>(f.size(0)), static_cast<int>(f.size(1)), CV_8UC3, f.data_ptr<uint8_t>());
    cv::Mat resized, as_float;
    cv::resize(frame(cv::Rect(x1, y1, x2 - x1, y2 - y1)), resized, cv::Size(32, 64), 0, 0, cv::INTER_LINEAR);
    resized.convertTo(as_float, CV_32F);
    const at::Tensor diff = (rounded[i] - chw(as_float)).abs();
    INFO("box " << i << ": max |ours - cv::resize uint8| = " << diff.max().item<double>());
    CHECK(diff.max().item<double>() == 0);
  }
}

TEST_CASE("box crops of fractional boxes sample at the half-pixel positions of the box", "[embedder][crop]") {
  // A frame whose value is its x index: a crop pixel u of box [x1,x2) must read x1 + (u+0.5)(x2-x1)/w - 0.5, clamped to
  // the centres of the box's first and last pixels.
  const at::Tensor ramp =
      at::arange(200, at::kFloat).view({1, 1, 200, 1}).expand({1, 4, 200, 3}).to(at::kByte).contiguous();
  const double x1 = 10.25, x2 = 30.75;
  const at::Tensor crop =
      trackkit::crop_boxes(ramp, embedder_test::doubles({0., x1, 0, x2, 4}).view({1, 5}), raw(2, 8));
  for (int u = 0; u < 8; ++u) {
    const double expect = std::clamp(x1 + (u + 0.5) * (x2 - x1) / 8 - 0.5, x1, x2 - 1);
    CHECK(crop[0][0][0][u].item<double>() == Approx(expect).margin(1e-4));
  }
}

TEST_CASE("aligned crops equal cv::warpAffine with the similarity to the ArcFace template", "[embedder][crop]") {
  const at::Tensor frames = at::stack({smooth_frame(200, 240), smooth_frame(200, 240).flip(1).contiguous()});
  // Landmarks: the template scaled 1.3, rotated 20 degrees, moved, plus a fixed perturbation; one face half outside.
  const at::Tensor tmpl =
      embedder_test::doubles({38.2946, 51.6963, 73.5318, 51.5014, 56.0252, 71.7366, 41.5493, 92.3655, 70.7299, 92.2041})
          .view({5, 2});
  const double a = 20 * M_PI / 180, s = 1.3;
  const at::Tensor rot =
      embedder_test::doubles({s * std::cos(a), -s * std::sin(a), s * std::sin(a), s * std::cos(a)}).view({2, 2});
  const at::Tensor jitter = embedder_test::doubles({0.3, -0.2, -0.4, 0.1, 0.2, 0.5, -0.1, -0.3, 0.4, 0.2}).view({5, 2});
  const at::Tensor l0 = at::matmul(tmpl, rot.t()) + embedder_test::doubles({60.0, 20.0}) + jitter;
  const at::Tensor l1 = at::matmul(tmpl, rot) + embedder_test::doubles({-40.0, 90.0});
  const at::Tensor landmarks = at::stack({l0, l1});
  const at::Tensor index = at::tensor({1, 0}, at::kLong);
  trackkit::CropOptions o = raw(112, 112);
  o.fill = 17;
  const at::Tensor crops = trackkit::crop_aligned(frames, landmarks, index, o);
  const at::Tensor m = trackkit::similarity_to_template(landmarks, o).to(at::kDouble);
  for (int64_t i = 0; i < 2; ++i) {
    cv::Mat warp(2, 3, CV_64F, m[i].contiguous().data_ptr<double>()), out;
    cv::warpAffine(as_float_mat(frames[index[i].item<int64_t>()]), out, warp, cv::Size(112, 112), cv::INTER_LINEAR,
                   cv::BORDER_CONSTANT, cv::Scalar::all(17));
    // OpenCV quantises sample positions to 1/32 pixel: small errors on the smooth frame, but up to several grey
    // levels where a sample straddles the frame's edge (a step to the fill value): those pixels are compared apart.
    const at::Tensor inverse = at::inverse(at::cat({m[i], embedder_test::doubles({0, 0, 1}).view({1, 3})}));
    const at::Tensor v = at::arange(112, at::kDouble).view({112, 1}), u = at::arange(112, at::kDouble).view({1, 112});
    const at::Tensor sx = inverse[0][0] * u + inverse[0][1] * v + inverse[0][2];
    const at::Tensor sy = inverse[1][0] * u + inverse[1][1] * v + inverse[1][2];
    const at::Tensor interior = (sx >= 0) & (sx <= 238) & (sy >= 0) & (sy <= 198);
    const at::Tensor diff = (crops[i] - chw(out)).abs();
    const double inside = (diff * interior).max().item<double>();
    INFO("face " << i << ": max |ours - cv::warpAffine| = " << inside << " inside the frame, "
                 << diff.max().item<double>() << " at its edge");
    CHECK(inside < 0.5);
    CHECK(diff.max().item<double>() < 8);
    CHECK(diff.mean().item<double>() < 0.05);
  }
  // Face 1's landmarks are the template mapped exactly: its similarity is the inverse of that map.
  const at::Tensor inv = at::inverse(rot.t());
  CHECK(at::allclose(m[1].narrow(1, 0, 2), inv, 1e-5, 1e-5));
}

TEST_CASE("similarity_to_template equals the numpy Umeyama reference", "[embedder][crop]") {
  const std::string ref = embedder_test::reference_dir();
  if (!embedder_test::have(ref + "/aligned.txt")) TK_SKIP("no " << ref << "/aligned.txt (scripts/embedder-models.sh)");
  const at::Tensor landmarks = embedder_test::read_matrix(ref + "/aligned.txt", 1, 10).view({-1, 5, 2});
  const at::Tensor expected = embedder_test::read_matrix(ref + "/aligned_matrix.txt").view({-1, 2, 3});
  trackkit::CropOptions o;
  o.preset = trackkit::CropPreset::ArcFace;
  const at::Tensor m = trackkit::similarity_to_template(landmarks, o).to(at::kDouble);
  const double linear = (m - expected).narrow(2, 0, 2).abs().max().item<double>();
  const double shift = (m - expected).select(2, 2).abs().max().item<double>();
  INFO("max |ours - numpy Umeyama| over " << m.size(0) << " faces: " << linear << " (scale and rotation), " << shift
                                          << " pixels (translation; float32 output)");
  CHECK(linear < 1e-6);
  CHECK(shift < 2e-4);
}

TEST_CASE("crop presets normalise per channel in the model's channel order", "[embedder][crop]") {
  at::Tensor frame = at::empty({1, 8, 8, 3}, at::kByte);
  frame.select(3, 0).fill_(10), frame.select(3, 1).fill_(100), frame.select(3, 2).fill_(200); // B, G, R
  const at::Tensor box = embedder_test::doubles({0., 0, 0, 8, 8}).view({1, 5});
  trackkit::CropOptions o;
  o.preset = trackkit::CropPreset::ArcFace;
  at::Tensor c = trackkit::crop_boxes(frame, box, o);
  CHECK(c.sizes() == at::IntArrayRef({1, 3, 112, 112}));
  CHECK(c[0][0].max().item<double>() == Approx((200 - 127.5) / 127.5)); // R first (model RGB, frames BGR)
  CHECK(c[0][2].min().item<double>() == Approx((10 - 127.5) / 127.5));
  o.preset = trackkit::CropPreset::FaceNet;
  c = trackkit::crop_boxes(frame, box, o);
  CHECK(c.sizes() == at::IntArrayRef({1, 3, 160, 160}));
  CHECK(c[0][1][5][5].item<double>() == Approx((100 - 127.5) / 128));
  o.preset = trackkit::CropPreset::ImageNet;
  o.dtype = at::kHalf;
  c = trackkit::crop_boxes(frame, box, o);
  CHECK((c.sizes() == at::IntArrayRef({1, 3, 256, 128}) && c.scalar_type() == at::kHalf));
  CHECK(c[0][0][0][0].item<double>() == Approx((200 / 255.0 - 0.485) / 0.229).epsilon(2e-3));
  CHECK(c[0][2][0][0].item<double>() == Approx((10 / 255.0 - 0.406) / 0.225).epsilon(2e-3));
}

TEST_CASE("crops reject bad boxes and landmarks and options with errors naming the argument", "[embedder][crop]") {
  const at::Tensor frames = at::zeros({2, 40, 60, 3}, at::kByte);
  const trackkit::CropOptions o = raw(16, 8);
  auto box = [](std::initializer_list<double> v) {
    return at::tensor(std::vector<double>(v), at::kDouble).view({1, 5});
  };
  CHECK(tk_error_of([&] {
          trackkit::crop_boxes(frames, box({2, 0, 0, 10, 10}), o);
        }) ==
        "crop_boxes: boxes row 0 (2.000000, 0.000000, 0.000000, 10.000000, 10.000000) is a box frame index (column 0) "
        "outside [0,B) or not an integer (B=2, frames 60x40)");
  CHECK(tk_error_of([&] {
          trackkit::crop_boxes(frames, box({0.5, 0, 0, 10, 10}), o);
        }).find("not an integer") != std::string::npos);
  CHECK(tk_error_of([&] {
          trackkit::crop_boxes(frames, box({0, 5, 5, 5, 10}), o);
        }).find("with zero width or height") != std::string::npos);
  CHECK(tk_error_of([&] {
          trackkit::crop_boxes(frames, box({1, 70, 5, 90, 10}), o);
        }).find("entirely outside its frame") != std::string::npos);
  CHECK(tk_error_of([&] {
          trackkit::crop_boxes(frames, box({0, NAN, 5, 9, 10}), o);
        }).rfind("crop_boxes: boxes", 0) == 0);
  CHECK(tk_error_of([&] {
          trackkit::crop_boxes(frames, at::zeros({3, 4}), o);
        }) == "crop_boxes: boxes must have shape [N,5], got [3,4]");
  CHECK(tk_error_of([&] {
          trackkit::crop_boxes(frames.to(at::kFloat), box({0, 0, 0, 5, 5}), o);
        }).rfind("crop_boxes: frames", 0) == 0);
  CHECK(tk_error_of([&] {
          trackkit::crop_aligned(frames, at::zeros({3, 4, 2}), at::Tensor(), o);
        }) == "crop_aligned: landmarks must have shape [N,5,2], got [3,4,2]");
  CHECK(tk_error_of([&] {
          trackkit::crop_aligned(frames, at::ones({1, 5, 2}), at::zeros({1}, at::kLong), o);
        }) == "crop_aligned: landmarks row 0 is degenerate (all five points equal)");
  CHECK(tk_error_of([&] {
          trackkit::crop_aligned(frames, at::rand({1, 5, 2}), at::Tensor(), o);
        }).rfind("crop_aligned: frame_index is required", 0) == 0);
  CHECK(tk_error_of([&] {
          trackkit::crop_aligned(frames, at::rand({1, 5, 2}), at::tensor({5}, at::kLong), o);
        }) == "crop_aligned: frame_index entry 0 is 5, outside [0,2)");
  trackkit::CropOptions bad = o;
  bad.std = {1, 0, 1};
  CHECK(tk_error_of([&] {
          trackkit::crop_boxes(frames, box({0, 0, 0, 5, 5}), bad);
        }).rfind("crop_boxes: options.std", 0) == 0);
  bad = o, bad.preset = trackkit::CropPreset::Auto;
  CHECK(tk_error_of([&] {
          trackkit::crop_boxes(frames, box({0, 0, 0, 5, 5}), bad);
        }).rfind("crop_boxes: options.preset", 0) == 0);
  // Empty N is fine: [0,3,h,w].
  CHECK(trackkit::crop_boxes(frames, at::zeros({0, 5}), o).sizes() == at::IntArrayRef({0, 3, 16, 8}));
  CHECK(trackkit::crop_aligned(frames, at::zeros({0, 5, 2}), at::zeros({0}, at::kLong), o).size(0) == 0);
}
