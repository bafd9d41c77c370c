// Letterboxing against OpenCV's own cv::resize(INTER_LINEAR) + copyMakeBorder (what ultralytics and yolov5 call),
// the references' geometry worked by hand, and the inverse mapping of boxes.
#include <ATen/ATen.h>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <string>
#include <tuple>
#include <vector>

#include "catch.hpp"
#include "trackkit/device.hpp"
#include "trackkit/error.hpp"
#include "trackkit/letterbox.hpp"

namespace {

/// The reference: cv::resize + copyMakeBorder(114) + BGR->RGB, as uint8 [3,H,W] RGB.
at::Tensor opencv_letterbox(const at::Tensor& frame_hwc, const trackkit::LetterboxGeometry& g) {
  cv::Mat src(static_cast<int>(frame_hwc.size(0)), static_cast<int>(frame_hwc.size(1)), CV_8UC3,
              const_cast<uint8_t*>(frame_hwc.const_data_ptr<uint8_t>()));
  cv::Mat resized, padded;
  if (g.resized_width != src.cols || g.resized_height != src.rows) {
    cv::resize(src, resized, cv::Size(static_cast<int>(g.resized_width), static_cast<int>(g.resized_height)), 0, 0,
               cv::INTER_LINEAR);
  } else {
    resized = src;
  }
  const int bottom = static_cast<int>(g.input_height - g.resized_height - g.pad_top);
  const int right = static_cast<int>(g.input_width - g.resized_width - g.pad_left);
  cv::copyMakeBorder(resized, padded, static_cast<int>(g.pad_top), bottom, static_cast<int>(g.pad_left), right,
                     cv::BORDER_CONSTANT, cv::Scalar(114, 114, 114));
  const at::Tensor hwc = at::from_blob(padded.data, {padded.rows, padded.cols, 3}, at::kByte).clone();
  return hwc.flip(2).permute({2, 0, 1}).contiguous(); // BGR -> RGB, CHW
}

at::Tensor random_frames(int64_t b, int64_t h, int64_t w, uint64_t seed) {
  at::manual_seed(seed);
  return at::randint(0, 256, {b, h, w, 3}, at::kByte);
}

} // namespace

TEST_CASE("letterbox geometry follows the references' arithmetic", "[letterbox]") {
  trackkit::LetterboxOptions o; // 640x640
  trackkit::LetterboxGeometry g = trackkit::letterbox_geometry(1080, 1920, o);
  CHECK(g.resized_width == 640);
  CHECK(g.resized_height == 360);
  CHECK(g.pad_top == 140); // dh = 140: round(139.9)
  CHECK(g.input_height == 640);
  o.stride_multiple = true; // dh = 280 mod 32 = 24 -> 12 each side
  g = trackkit::letterbox_geometry(1080, 1920, o);
  CHECK(std::make_tuple(g.input_height, g.input_width, g.pad_top, g.pad_left) == std::make_tuple(384, 640, 12, 0));
  // bus.jpg 1080x810: r = 0.5926, w = round(480.0) = 480, dw = 160 mod 32 = 0
  g = trackkit::letterbox_geometry(1080, 810, o);
  CHECK(std::make_tuple(g.resized_width, g.input_width, g.pad_left) == std::make_tuple(480, 480, 0));
  // An odd padding splits round(dh - 0.1) / round(dh + 0.1): 480x500 at 640x640 -> 640x614, dh = 13 -> 13/13;
  // 500x487 -> r = 1.28, 640x623.36 -> 623, dw = 17/2 = 8.5 -> left 8, right 9.
  o.stride_multiple = false;
  g = trackkit::letterbox_geometry(500, 487, o);
  CHECK(std::make_tuple(g.resized_width, g.pad_left, g.input_width) == std::make_tuple(623, 8, 640));
  // Python's round halves to even: 3 x 0.5 = 1.5 -> 2; 5 x 0.5 = 2.5 -> 2.
  o.height = o.width = 1;
  o.scale_up = false;
  CHECK(trackkit::letterbox_geometry(2, 5, o).resized_width == 1);
  o.height = 2, o.width = 2;
  CHECK(trackkit::letterbox_geometry(4, 5, o).resized_width == 2);
}

TEST_CASE("letterbox reproduces cv::resize INTER_LINEAR + copyMakeBorder", "[letterbox]") {
  // Down- and up-scaling, exact factors 2 and 3, odd sizes, and no resize at all.
  const std::vector<std::pair<int64_t, int64_t>> sizes = {{1080, 1920}, {360, 480}, {217, 331},  {1280, 1280},
                                                          {640, 640},   {101, 640}, {1000, 1001}};
  for (bool stride_multiple : {false, true}) {
    for (const auto& [h, w] : sizes) {
      trackkit::LetterboxOptions o;
      o.stride_multiple = stride_multiple;
      const at::Tensor frames = random_frames(2, h, w, static_cast<uint64_t>(h * 7 + w));
      trackkit::LetterboxGeometry g;
      const at::Tensor ours = trackkit::letterbox(frames, o, &g);
      REQUIRE(ours.sizes() == at::IntArrayRef({2, 3, g.input_height, g.input_width}));
      const at::Tensor levels = (ours * 255).round().to(at::kShort);
      for (int64_t b = 0; b < 2; ++b) {
        const at::Tensor expected = opencv_letterbox(frames[b], g).to(at::kShort);
        const at::Tensor diff = (levels[b] - expected).abs();
        const int64_t differing = diff.gt(0).sum().item<int64_t>();
        INFO(h << "x" << w << " stride_multiple " << stride_multiple << ": " << differing << " of " << diff.numel()
               << " values differ, max " << diff.max().item<int>());
        // Measured: bit-exact whenever the frame is reduced or kept; when it is enlarged, OpenCV's scalar
        // tail (row ends shorter than a SIMD vector) rounds differently from its vector body, which we follow:
        // 1 level on about 0.06 % of the values.
        CHECK(diff.max().item<int>() <= 1);
        CHECK(differing <= diff.numel() / 1000);
        if (g.resized_height <= h) CHECK(differing == 0);
      }
    }
  }
}

TEST_CASE("letterbox outputs float16 and keeps RGB input as it is", "[letterbox]") {
  const at::Tensor frames = random_frames(1, 90, 160, 3);
  trackkit::LetterboxOptions o;
  const at::Tensor f32 = trackkit::letterbox(frames, o);
  o.dtype = at::kHalf;
  CHECK(at::allclose(trackkit::letterbox(frames, o).to(at::kFloat), f32, 0, 1e-3));
  o.dtype = at::kFloat;
  o.input_bgr = false; // channels taken as they are
  CHECK(at::equal(trackkit::letterbox(frames, o), f32.flip(1)));
}

TEST_CASE("boxes return from the model input to the frame", "[letterbox]") {
  trackkit::LetterboxOptions o;
  o.stride_multiple = true;
  const trackkit::LetterboxGeometry g = trackkit::letterbox_geometry(1080, 1920, o); // gain 1/3, pad (0, 12)
  const at::Tensor in_input = at::tensor({30.0, 112.0, 90.0, 212.0, -5.0, 0.0, 700.0, 400.0}).view({2, 4});
  for (auto scaling : {trackkit::BoxScaling::PerAxis, trackkit::BoxScaling::Uniform}) {
    const at::Tensor frame = trackkit::unletterbox_boxes(in_input, 1080, 1920, g, scaling);
    CHECK(at::allclose(frame[0], at::tensor({90.0, 300.0, 270.0, 600.0}), 0, 1e-9));
    CHECK(at::allclose(frame[1], at::tensor({0.0, 0.0, 1920.0, 1080.0}), 0, 1e-9)); // clipped
  }
}

TEST_CASE("letterbox rejects bad frames", "[letterbox]") {
  auto message = [](const at::Tensor& frames) {
    try {
      trackkit::letterbox(frames);
    } catch (const trackkit::Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK(message(at::zeros({1, 10, 10, 4}, at::kByte)) ==
        "letterbox: frames must have 3 channels (shape [B,H,W,3]), got [1,10,10,4]");
  CHECK(message(at::zeros({1, 10, 10, 3})).find("frames") != std::string::npos);
  CHECK(message(at::zeros({1, 0, 10, 3}, at::kByte)) == "letterbox: frames must have height and width > 0, got 0x10");
  CHECK(message(at::zeros({0, 10, 10, 3}, at::kByte)) == "no error"); // an empty batch is fine
}

#ifdef TRACKKIT_WITH_CUDA
TEST_CASE("letterbox on CUDA equals the CPU path", "[letterbox][cuda]") {
  if (!trackkit::cuda_available()) TK_SKIP("no CUDA device");
  for (bool stride_multiple : {false, true}) {
    trackkit::LetterboxOptions o;
    o.stride_multiple = stride_multiple;
    const at::Tensor frames = random_frames(3, 1080, 1920, 11);
    CHECK(at::equal(trackkit::letterbox(frames.cuda(), o).cpu(), trackkit::letterbox(frames, o)));
    o.dtype = at::kHalf;
    CHECK(at::equal(trackkit::letterbox(frames.cuda(), o).cpu(), trackkit::letterbox(frames, o)));
  }
}
#endif
