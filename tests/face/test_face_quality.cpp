// Face quality terms (trackkit/face_cluster.hpp): frontality on landmark sets with known answers (a symmetric
// face, rotated and scaled, the nose moved by known fractions), sharpness against a direct double-precision loop
// over the crop crop_aligned returns (OpenCV's grey weights, the 3x3 Laplacian, population variance) and blur
// ordering, quality terms against values worked by hand, argument errors, and CUDA against the CPU.
#include <ATen/ATen.h>

#include <cmath>
#include <string>
#include <vector>

#include "catch.hpp"
#include "trackkit/device.hpp"
#include "trackkit/embedder.hpp"
#include "trackkit/face_cluster.hpp"

namespace {

/// A face whose landmarks are mirror-symmetric about x = 50, nose exactly midway across and down: eyes at y 40,
/// nose (50,60), mouth corners at y 80. Sides (eye and mouth corner means) at x 32.5 and 67.5.
std::vector<float> symmetric_face() { return {30, 40, 70, 40, 50, 60, 35, 80, 65, 80}; }

at::Tensor landmarks_of(const std::vector<std::vector<float>>& faces) {
  std::vector<float> flat;
  for (const auto& f : faces) flat.insert(flat.end(), f.begin(), f.end());
  return at::tensor(flat, at::kFloat).view({static_cast<int64_t>(faces.size()), 5, 2});
}

std::vector<float> with_nose(std::vector<float> face, float x, float y) {
  face[4] = x, face[5] = y;
  return face;
}

bool starts_with(const std::string& message, const std::string& prefix) {
  return message.compare(0, prefix.size(), prefix) == 0;
}

/// A textured BGR frame (deterministic noise on a few gradients), uint8 [1,H,W,3].
at::Tensor textured_frame(int64_t h, int64_t w) {
  at::manual_seed(7);
  const at::Tensor y = at::arange(h, at::kFloat).view({h, 1, 1}), x = at::arange(w, at::kFloat).view({1, w, 1});
  const at::Tensor base = (x * 0.7 + y * 0.3 + at::tensor({0.f, 60.f, 120.f}).view({1, 1, 3})).remainder(180);
  return (base + at::rand({h, w, 3}) * 70).clamp(0, 255).to(at::kByte).unsqueeze(0);
}

/// A 5x5 box blur of uint8 [1,H,W,3] frames (edges replicated), rounded back to uint8.
at::Tensor blurred(const at::Tensor& frames) {
  const at::Tensor nchw = frames.permute({0, 3, 1, 2}).to(at::kFloat);
  const at::Tensor padded = at::replication_pad2d(nchw, {2, 2, 2, 2});
  return at::avg_pool2d(padded, {5, 5}, {1, 1}).round().to(at::kByte).permute({0, 2, 3, 1}).contiguous();
}

/// The sharpness of each crop of crop_aligned's raw BGR output [N,3,s,s], by a direct loop in double: grey =
/// 0.114 B + 0.587 G + 0.299 R, then the Laplacian (0 1 0 / 1 -4 1 / 0 1 0) at every inner pixel, then the
/// population variance of those values (cv2.Laplacian(grey, CV_64F)[1:-1,1:-1].var()).
std::vector<double> reference_sharpness(const at::Tensor& crops) {
  const at::Tensor c = crops.to(at::kDouble).contiguous();
  const auto a = c.accessor<double, 4>();
  const int64_t n = c.size(0), s = c.size(2);
  std::vector<double> out;
  for (int64_t i = 0; i < n; ++i) {
    std::vector<double> grey(s * s);
    for (int64_t y = 0; y < s; ++y)
      for (int64_t x = 0; x < s; ++x)
        grey[y * s + x] = 0.114 * a[i][0][y][x] + 0.587 * a[i][1][y][x] + 0.299 * a[i][2][y][x];
    std::vector<double> lap;
    for (int64_t y = 1; y < s - 1; ++y)
      for (int64_t x = 1; x < s - 1; ++x)
        lap.push_back(grey[(y - 1) * s + x] + grey[(y + 1) * s + x] + grey[y * s + x - 1] + grey[y * s + x + 1] -
                      4 * grey[y * s + x]);
    double mean = 0, var = 0;
    for (double v : lap) mean += v;
    mean /= static_cast<double>(lap.size());
    for (double v : lap) var += (v - mean) * (v - mean);
    out.push_back(var / static_cast<double>(lap.size()));
  }
  return out;
}

trackkit::CropOptions raw_bgr_crop(int64_t side) {
  trackkit::CropOptions o;
  o.preset = trackkit::CropPreset::Custom;
  o.height = o.width = side;
  o.model_bgr = true; // mean 0, std 1: raw levels, BGR
  return o;
}

} // namespace

TEST_CASE("face_frontality is 1 for a symmetric face at any roll and scale", "[face][quality]") {
  CHECK(trackkit::face_frontality(landmarks_of({symmetric_face()}))[0].item<float>() == 1.0f);
  // Rotated by 30 degrees about (50,60), scaled by 2.5, moved: a tilted head is still frontal.
  const double c = std::cos(M_PI / 6), s = std::sin(M_PI / 6);
  std::vector<float> turned;
  const std::vector<float> f = symmetric_face();
  for (int k = 0; k < 5; ++k) {
    const double x = f[2 * k] - 50, y = f[2 * k + 1] - 60;
    turned.push_back(static_cast<float>(2.5 * (c * x - s * y) + 400));
    turned.push_back(static_cast<float>(2.5 * (s * x + c * y) + 300));
  }
  CHECK(trackkit::face_frontality(landmarks_of({turned}))[0].item<float>() == Approx(1).margin(1e-5));
  // ArcFace's template (insightface's arcface_dst): nose midway across, 0.495 of the way down -> 0.990.
  const at::Tensor arcface = landmarks_of(
      {{38.2946f, 51.6963f, 73.5318f, 51.5014f, 56.0252f, 71.7366f, 41.5493f, 92.3655f, 70.7299f, 92.2041f}});
  CHECK(trackkit::face_frontality(arcface)[0].item<float>() == Approx(0.990).margin(2e-3));
}

TEST_CASE("face_frontality falls linearly as the nose moves sideways or up", "[face][quality]") {
  const std::vector<float> f = symmetric_face();
  // Across: t = (x - 32.5) / 35; the term 1 - |2t - 1| is 0.5 at x = 41.25 and 58.75, 0 at the sides and beyond.
  const at::Tensor known = trackkit::face_frontality(
      landmarks_of({with_nose(f, 41.25f, 60), with_nose(f, 58.75f, 60), with_nose(f, 32.5f, 60), with_nose(f, 30, 60),
                    with_nose(f, 70, 60), with_nose(f, 50, 50), with_nose(f, 50, 40), with_nose(f, 50, 30)}));
  const std::vector<float> expected = {0.5f, 0.5f, 0.f, 0.f, 0.f, 0.5f, 0.f, 0.f}; // (50,50): a quarter down
  for (size_t i = 0; i < expected.size(); ++i) CHECK(known[i].item<float>() == Approx(expected[i]).margin(1e-6));
  // From the middle to the left eye's x, one pixel at a time: never rising, strictly falling until it is 0.
  std::vector<std::vector<float>> path;
  for (int x = 50; x >= 30; --x) path.push_back(with_nose(f, static_cast<float>(x), 60));
  const at::Tensor v = trackkit::face_frontality(landmarks_of(path));
  for (int64_t i = 1; i < v.size(0); ++i) {
    if (v[i - 1].item<float>() > 0) CHECK(v[i].item<float>() < v[i - 1].item<float>());
    CHECK(v[i].item<float>() <= v[i - 1].item<float>());
  }
  CHECK(v[v.size(0) - 1].item<float>() == 0.f); // the nose at the left eye's x
  CHECK(trackkit::face_frontality(at::zeros({0, 5, 2})).size(0) == 0);
}

TEST_CASE("face_quality multiplies the size score sharpness and pose terms", "[face][quality]") {
  trackkit::FaceQualityOptions o;                                      // min 16 px, full 80 px, sharpness half 100
  const at::Tensor boxes = at::tensor({10.f, 10.f, 50.f,  70.f,  0.9f, // short side 40: size 0.5
                                       0.f,  0.f,  15.f,  100.f, 1.f,  // 15 < 16: size 0
                                       0.f,  0.f,  120.f, 100.f, 0.5f, // 100 >= 80: size 1
                                       5.f,  5.f,  85.f,  85.f,  1.f}) // 80: size 1
                               .view({4, 5});
  const std::vector<float> f = symmetric_face();
  const at::Tensor lm = landmarks_of({f, f, f, with_nose(f, 41.25f, 60)}); // the last one half turned
  const at::Tensor sharp = at::tensor({100.f, 100.f, 300.f, 0.f});
  const at::Tensor q = trackkit::face_quality(boxes, lm, sharp, o);
  CHECK(q[0].item<float>() == Approx(0.5 * 0.9 * 0.5 * 1.0));
  CHECK(q[1].item<float>() == 0.f);
  CHECK(q[2].item<float>() == Approx(1.0 * 0.5 * 0.75 * 1.0));
  CHECK(q[3].item<float>() == 0.f); // no sharpness at all
  const at::Tensor turned = trackkit::face_quality(boxes.narrow(0, 3, 1), lm.narrow(0, 3, 1), at::full({1}, 100.f), o);
  CHECK(turned[0].item<float>() == Approx(1.0 * 1.0 * 0.5 * 0.5));
  o.full_size_px = 40, o.sharpness_half = 300, o.min_size_px = 0;
  const at::Tensor q2 = trackkit::face_quality(boxes, lm, sharp, o);
  CHECK(q2[0].item<float>() == Approx(1.0 * 0.9 * 0.25));
  CHECK(q2[1].item<float>() == Approx(15.0 / 40 * 1.0 * 0.25));
}

TEST_CASE("face_sharpness equals the Laplacian variance of the aligned grey crop", "[face][quality]") {
  const at::Tensor frame = textured_frame(240, 320);
  const at::Tensor frames = at::cat({frame, blurred(frame), at::full_like(frame, 90)});
  // The same face in each frame, its crop inside the frame (taps outside read 0: edges), plus a larger one in
  // the sharp frame with its left eye raised (a similarity no longer fits exactly).
  std::vector<float> face, big;
  for (size_t k = 0; k < 10; ++k) face.push_back(symmetric_face()[k] + (k % 2 == 0 ? 100.f : 80.f));
  for (float v : symmetric_face()) big.push_back(v * 1.5f + 60);
  big[1] -= 8;
  const at::Tensor lm = landmarks_of({face, face, face, big});
  const at::Tensor index = at::tensor({0, 1, 2, 0}, at::kLong);
  trackkit::FaceQualityOptions o;
  const at::Tensor s = trackkit::face_sharpness(frames, lm, index, o);
  REQUIRE(s.sizes() == at::IntArrayRef({4}));
  const std::vector<double> ref = reference_sharpness(trackkit::crop_aligned(frames, lm, index, raw_bgr_crop(112)));
  for (int64_t i = 0; i < 4; ++i) CHECK(s[i].item<float>() == Approx(ref[i]).epsilon(1e-4).margin(1e-3));
  CHECK(s[0].item<float>() > 100.f);                     // noise is sharp
  CHECK(s[1].item<float>() < 0.25 * s[0].item<float>()); // a 5x5 blur takes most of it away
  CHECK(s[2].item<float>() == 0.f);                      // one grey level: no edges at all
  // Another crop side, and the same face in RGB frames with input_bgr false: the same values.
  o.sharpness_crop = 64;
  const at::Tensor s64 = trackkit::face_sharpness(frames, lm, index, o);
  const std::vector<double> ref64 = reference_sharpness(trackkit::crop_aligned(frames, lm, index, raw_bgr_crop(64)));
  for (int64_t i = 0; i < 4; ++i) CHECK(s64[i].item<float>() == Approx(ref64[i]).epsilon(1e-4).margin(1e-3));
  o.input_bgr = false;
  const at::Tensor rgb = trackkit::face_sharpness(frames.flip(3).contiguous(), lm, index, o);
  CHECK(at::allclose(rgb, s64));
  CHECK(trackkit::face_sharpness(frames, at::zeros({0, 5, 2}), at::zeros({0}, at::kLong)).size(0) == 0);
}

TEST_CASE("face quality functions reject bad arguments naming them", "[face][quality]") {
  const at::Tensor frames = textured_frame(60, 80);
  const at::Tensor lm = landmarks_of({symmetric_face()});
  const at::Tensor index = at::zeros({1}, at::kLong);
  const at::Tensor nan_lm = lm.clone().index_fill_(1, at::tensor({2}, at::kLong), NAN);
  auto sharp = [&](const at::Tensor& f, const at::Tensor& l, const at::Tensor& i, trackkit::FaceQualityOptions o = {}) {
    return tk_error_of([&] { trackkit::face_sharpness(f, l, i, o); });
  };
  CHECK(starts_with(tk_error_of([&] {
                      trackkit::face_frontality(at::zeros({2, 5, 3}));
                    }),
                    "face_frontality: landmarks must have shape [N,5,2]"));
  CHECK(starts_with(tk_error_of([&] { trackkit::face_frontality(nan_lm); }), "face_frontality: landmarks"));
  CHECK(starts_with(sharp(frames.to(at::kFloat), lm, index), "face_sharpness: frames"));
  CHECK(starts_with(sharp(frames.narrow(3, 0, 2), lm, index), "face_sharpness: frames must be [B,H,W,3]"));
  CHECK(starts_with(sharp(frames, lm.view({1, 10}), index), "face_sharpness: landmarks"));
  CHECK(starts_with(sharp(frames, nan_lm, index), "face_sharpness: landmarks"));
  CHECK(starts_with(sharp(frames, lm, at::ones({1}, at::kLong)), "face_sharpness: frame_index must lie in [0,1)"));
  CHECK(starts_with(sharp(frames, lm, at::zeros({1}, at::kFloat)), "face_sharpness: frame_index"));
  CHECK(starts_with(sharp(frames, lm, at::zeros({2}, at::kLong)), "face_sharpness: frame_index"));
  trackkit::FaceQualityOptions tiny;
  tiny.sharpness_crop = 2;
  CHECK(starts_with(sharp(frames, lm, index, tiny), "face_sharpness: options.sharpness_crop"));

  const at::Tensor boxes = at::tensor({0.f, 0.f, 40.f, 40.f, 0.9f}).view({1, 5});
  const at::Tensor s = at::ones({1});
  auto quality = [&](const at::Tensor& b, const at::Tensor& l, const at::Tensor& sh,
                     trackkit::FaceQualityOptions o = {}) {
    return tk_error_of([&] { trackkit::face_quality(b, l, sh, o); });
  };
  CHECK(starts_with(quality(boxes.narrow(1, 0, 4), lm, s), "face_quality: boxes must have shape [N,5]"));
  CHECK(starts_with(quality(boxes.clone().fill_(NAN), lm, s), "face_quality: boxes"));
  CHECK(starts_with(quality(boxes, at::cat({lm, lm}), s), "face_quality: landmarks"));
  CHECK(starts_with(quality(boxes, nan_lm, s), "face_quality: landmarks"));
  CHECK(starts_with(quality(boxes, lm, at::ones({2})), "face_quality: sharpness"));
  CHECK(starts_with(quality(boxes, lm, at::full({1}, NAN)), "face_quality: sharpness"));
  CHECK(quality(boxes, lm, -s) == "face_quality: sharpness must be >= 0 (a variance)");
  trackkit::FaceQualityOptions bad;
  bad.full_size_px = 0;
  CHECK(starts_with(quality(boxes, lm, s, bad), "face_quality: options.full_size_px"));
  bad = {}, bad.sharpness_half = NAN;
  CHECK(starts_with(quality(boxes, lm, s, bad), "face_quality: options.sharpness_half"));
  bad = {}, bad.min_size_px = -1;
  CHECK(starts_with(quality(boxes, lm, s, bad), "face_quality: options.min_size_px"));
}

TEST_CASE("face quality functions on CUDA equal the CPU", "[face][quality][cuda]") {
  if (!trackkit::cuda_available()) TK_SKIP("no CUDA device");
  const c10::Device gpu(c10::kCUDA, 0);
  const at::Tensor frames = at::cat({textured_frame(200, 260), blurred(textured_frame(200, 260))});
  at::manual_seed(3);
  const int64_t n = 64;
  // Faces scattered over both frames: a jittered symmetric face, scaled and moved.
  const at::Tensor base = landmarks_of({symmetric_face()}).expand({n, 5, 2});
  const at::Tensor lm = base * (0.8 + at::rand({n, 1, 1}) * 1.5) + at::rand({n, 1, 2}) * 100 + at::randn({n, 5, 2}) * 3;
  const at::Tensor index = at::randint(0, 2, {n}, at::kLong);
  const at::Tensor corner = lm.amin(1), far = lm.amax(1);
  const at::Tensor boxes = at::cat({corner - 10, far + 10, at::rand({n, 1})}, 1);
  const at::Tensor front = trackkit::face_frontality(lm), front_gpu = trackkit::face_frontality(lm.to(gpu));
  REQUIRE(front_gpu.is_cuda());
  CHECK(at::allclose(front_gpu.cpu(), front, 1e-5, 1e-6));
  const at::Tensor sharp = trackkit::face_sharpness(frames, lm, index);
  const at::Tensor sharp_gpu = trackkit::face_sharpness(frames.to(gpu), lm.to(gpu), index.to(gpu));
  REQUIRE(sharp_gpu.is_cuda());
  // The crop kernels agree bit for bit (tests/embedder); only the variance's summation order differs.
  CHECK(at::allclose(sharp_gpu.cpu(), sharp, 1e-4, 1e-3));
  const at::Tensor q = trackkit::face_quality(boxes, lm, sharp);
  const at::Tensor q_gpu = trackkit::face_quality(boxes.to(gpu), lm.to(gpu), sharp_gpu);
  REQUIRE(q_gpu.is_cuda());
  CHECK(at::allclose(q_gpu.cpu(), q, 1e-4, 1e-6));
  CHECK(q.max().item<float>() > 0.f);
}
