// Face quality terms (include/trackkit/face_cluster.hpp): frontal pose from the landmarks, sharpness of the aligned
// grey crop, and their product with the size and detector-score terms. Every step is an ATen tensor expression on
// the inputs' device, so the CPU and CUDA paths are the same code (no kernel of our own, hence no *_cpu / .cu pair);
// the aligned crop is the embedder's crop kernel, which has its own CPU and CUDA twins.
#include <ATen/ATen.h>

#include <cmath>
#include <string>

#include "face_quality.hpp"
#include "trackkit/check.hpp"
#include "trackkit/embedder.hpp"
#include "trackkit/error.hpp"
#include "trackkit/face_cluster.hpp"

namespace trackkit {
namespace {

void check_landmarks(std::string_view function, const at::Tensor& landmarks) {
  TensorCheck(function, "landmarks", landmarks).shape({"N", 5, 2}).floating().finite();
}

/// 1 at t = 1/2, falling linearly to 0 at t = 0 and t = 1 (and staying 0 beyond).
at::Tensor tent(const at::Tensor& t) { return (1 - (2 * t - 1).abs()).clamp(0, 1); }

/// Position of p along the segment from a to b, as a fraction of its length (projection onto the segment's
/// direction, so a rotated face gives the same value); 0 where a == b makes the segment degenerate.
at::Tensor along(const at::Tensor& p, const at::Tensor& a, const at::Tensor& b) {
  const at::Tensor d = b - a;
  const at::Tensor length2 = (d * d).sum(-1);
  const at::Tensor t = ((p - a) * d).sum(-1) / length2.clamp_min(1e-12);
  return at::where(length2 > 0, t, at::zeros_like(t));
}

} // namespace

namespace detail {

void check_quality_options(std::string_view function, std::string_view prefix, const FaceQualityOptions& o) {
  auto require = [&](bool ok, const char* field, const std::string& rule) {
    if (!ok) fail_argument(function, std::string(prefix) + field, rule);
  };
  require(std::isfinite(o.min_size_px) && o.min_size_px >= 0, "min_size_px", "must be finite and >= 0");
  require(std::isfinite(o.full_size_px) && o.full_size_px > 0, "full_size_px", "must be finite and > 0");
  require(std::isfinite(o.sharpness_half) && o.sharpness_half > 0, "sharpness_half", "must be finite and > 0");
  require(o.sharpness_crop >= 3 && o.sharpness_crop <= 1024, "sharpness_crop",
          "must be in [3,1024] (the Laplacian needs inner pixels), got " + std::to_string(o.sharpness_crop));
}

} // namespace detail

at::Tensor face_frontality(const at::Tensor& landmarks) {
  check_landmarks("face_frontality", landmarks);
  const at::Tensor p = landmarks.to(at::kFloat);
  const at::Tensor left_eye = p.select(1, 0), right_eye = p.select(1, 1), nose = p.select(1, 2);
  const at::Tensor mouth_left = p.select(1, 3), mouth_right = p.select(1, 4);
  // Yaw: across the face, from its left side (left eye and mouth corner) to its right side. In profile the nose
  // passes the far side's eye, where the term is 0.
  const at::Tensor across = along(nose, (left_eye + mouth_left) / 2, (right_eye + mouth_right) / 2);
  // Pitch: down the face, from the eye line's midpoint to the mouth line's.
  const at::Tensor down = along(nose, (left_eye + right_eye) / 2, (mouth_left + mouth_right) / 2);
  return tent(across) * tent(down);
}

at::Tensor face_sharpness(const at::Tensor& frames, const at::Tensor& landmarks, const at::Tensor& frame_index,
                          const FaceQualityOptions& options) {
  constexpr std::string_view kFunction = "face_sharpness";
  detail::check_quality_options(kFunction, "options.", options);
  TensorCheck fc(kFunction, "frames", frames);
  fc.dtype({at::kByte}).dim(4);
  if (frames.size(3) != 3) fc.fail("must be [B,H,W,3] (3 channels), got " + shape_string(frames.sizes()));
  check_landmarks(kFunction, landmarks);
  const int64_t n = landmarks.size(0);
  TensorCheck ic(kFunction, "frame_index", frame_index);
  ic.dtype({at::kLong}).shape({n});
  if (n > 0) {
    const at::Tensor bounds = at::stack({frame_index.min(), frame_index.max()}).cpu();
    const int64_t lo = bounds[0].item<int64_t>(), hi = bounds[1].item<int64_t>();
    if (lo < 0 || hi >= frames.size(0))
      ic.fail("must lie in [0," + std::to_string(frames.size(0)) + "), got values in [" + std::to_string(lo) + "," +
              std::to_string(hi) + "]");
  }
  if (n == 0) return at::zeros({0}, frames.options().dtype(at::kFloat));

  // The aligned crop in raw 0..255 levels, BGR whatever the frames' order, as uint8 values (quantize): the image
  // an OpenCV user would get from cv2.warpAffine and measure.
  CropOptions crop;
  crop.preset = CropPreset::Custom;
  crop.height = crop.width = options.sharpness_crop;
  crop.mean = {0, 0, 0}, crop.std = {1, 1, 1};
  crop.input_bgr = options.input_bgr;
  crop.model_bgr = true;
  const at::Tensor bgr = crop_aligned(frames, landmarks, frame_index, crop); // float32 [N,3,s,s]
  // OpenCV's BGR -> grey weights, kept in float (cv2.cvtColor would round to uint8 levels).
  const at::Tensor grey = 0.114f * bgr.select(1, 0) + 0.587f * bgr.select(1, 1) + 0.299f * bgr.select(1, 2);
  const int64_t s = options.sharpness_crop, inner = s - 2;
  const auto shifted = [&](int64_t dy, int64_t dx) { return grey.narrow(1, 1 + dy, inner).narrow(2, 1 + dx, inner); };
  const at::Tensor laplacian =
      shifted(-1, 0) + shifted(1, 0) + shifted(0, -1) + shifted(0, 1) - 4 * shifted(0, 0); // 0 1 0 / 1 -4 1 / 0 1 0
  // Population variance (numpy's and cv2's .var()), two-pass for float32 accuracy.
  const at::Tensor values = laplacian.flatten(1);
  const at::Tensor centred = values - values.mean(1, /*keepdim=*/true);
  return (centred * centred).mean(1);
}

at::Tensor face_quality(const at::Tensor& boxes, const at::Tensor& landmarks, const at::Tensor& sharpness,
                        const FaceQualityOptions& options) {
  constexpr std::string_view kFunction = "face_quality";
  detail::check_quality_options(kFunction, "options.", options);
  TensorCheck(kFunction, "boxes", boxes).shape({"N", 5}).floating().finite();
  const int64_t n = boxes.size(0);
  TensorCheck(kFunction, "landmarks", landmarks).shape({n, 5, 2}).floating().same_device(boxes, "boxes").finite();
  TensorCheck sc(kFunction, "sharpness", sharpness);
  sc.shape({n}).floating().same_device(boxes, "boxes").finite();
  if (n > 0 && (sharpness < 0).any().item<bool>()) sc.fail("must be >= 0 (a variance)");

  const at::Tensor b = boxes.to(at::kFloat);
  const at::Tensor side = at::minimum(b.select(1, 2) - b.select(1, 0), b.select(1, 3) - b.select(1, 1));
  const at::Tensor size =
      at::where(side < options.min_size_px, at::zeros_like(side), (side / options.full_size_px).clamp(0, 1));
  const at::Tensor score = b.select(1, 4).clamp(0, 1);
  const at::Tensor s = sharpness.to(at::kFloat);
  const at::Tensor sharp = s / (s + static_cast<float>(options.sharpness_half));
  return size * score * sharp * face_frontality(landmarks);
}

} // namespace trackkit
