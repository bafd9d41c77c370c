// Public crop functions and the checked crop jobs: argument checks (one wait for the device), box and landmark
// geometry as tensor operations on the frames' device, then the crop kernels (crop_cpu.cpp / crop.cu).
#include <ATen/ATen.h>

#include <cmath>
#include <string>

#include "crop_internal.hpp"
#include "crop_kernels.hpp"
#include "similarity.hpp"
#include "trackkit/check.hpp"

namespace trackkit::detail {
namespace {

void require(bool ok, std::string_view function, const char* field, const std::string& rule) {
  if (!ok) fail_argument(function, std::string("options.") + field, rule);
}

/// Row index and text of the first row flagged in `bad` (bool [N]).
int64_t first_flagged(const at::Tensor& bad) { return at::argmax(bad.to(at::kInt)).item<int64_t>(); }

/// Frame indices: integral values in [0, frames) (checked together with the other flags by the caller).
at::Tensor bad_frame_index(const at::Tensor& index, int64_t frames) {
  return (index != at::round(index)) | (index < 0) | (index >= static_cast<double>(frames));
}

} // namespace

CropOptions resolve_crop(CropOptions o, std::string_view function) {
  auto preset_size = [&](int64_t h, int64_t w) {
    if (o.height == 0) o.height = h;
    if (o.width == 0) o.width = w;
  };
  switch (o.preset) {
    case CropPreset::FaceNet:
      preset_size(160, 160), o.mean = {127.5f, 127.5f, 127.5f}, o.std = {128.f, 128.f, 128.f};
      break;
    case CropPreset::ArcFace:
      preset_size(112, 112), o.mean = {127.5f, 127.5f, 127.5f}, o.std = {127.5f, 127.5f, 127.5f};
      break;
    case CropPreset::ImageNet:
      preset_size(256, 128);
      o.mean = {0.485f * 255.f, 0.456f * 255.f, 0.406f * 255.f},
      o.std = {0.229f * 255.f, 0.224f * 255.f, 0.225f * 255.f};
      if (o.model_bgr) std::swap(o.mean[0], o.mean[2]), std::swap(o.std[0], o.std[2]);
      break;
    case CropPreset::Custom: break;
    case CropPreset::Auto:
      fail_argument(function, "options.preset", "is Auto, which only a model's metadata can resolve: choose a preset");
  }
  require(o.height > 0 && o.width > 0, function, "height", "and width must be > 0 (Custom preset: give the size)");
  require(o.height <= 4096 && o.width <= 4096, function, "height", "and width must be <= 4096");
  for (int c = 0; c < 3; ++c) {
    require(std::isfinite(o.mean[c]), function, "mean", "must be finite");
    require(std::isfinite(o.std[c]) && o.std[c] > 0, function, "std", "must be finite and > 0");
  }
  require(o.fill >= 0 && o.fill <= 255, function, "fill", "must be in [0,255], got " + std::to_string(o.fill));
  require(o.template_points.empty() || o.template_points.size() == 10, function, "template_points",
          "must be empty or hold 10 values (5 points), got " + std::to_string(o.template_points.size()));
  for (float v : o.template_points) require(std::isfinite(v), function, "template_points", "must be finite");
  require(o.dtype == at::kFloat || o.dtype == at::kHalf || o.dtype == at::kBFloat16, function, "dtype",
          std::string("must be float32, float16 or bfloat16, got ") + c10::toString(o.dtype));
  return o;
}

CropNorm crop_norm(const CropOptions& o, bool box_crops) {
  CropNorm n{};
  for (int c = 0; c < 3; ++c) {
    n.mean[c] = o.mean[c], n.inv_std[c] = 1.f / o.std[c];
    // Output channel c is model channel c; frames hold BGR or RGB.
    n.channel[c] = o.input_bgr != o.model_bgr ? 2 - c : c;
  }
  n.fill = static_cast<float>(o.fill);
  n.mode = !box_crops ? kCropAffine : o.box_sampling == BoxSampling::OpenCV ? kCropOpenCVBox : kCropSubpixelBox;
  n.quantize = o.quantize ? 1 : 0;
  n.out_h = o.height, n.out_w = o.width;
  return n;
}

at::Tensor checked_frames(std::string_view function, const at::Tensor& frames) {
  TensorCheck check(function, "frames", frames);
  check.dtype({at::kByte}).dim(4);
  if (frames.size(3) != 3) check.fail("must be [B,H,W,3] (3 channels), got " + shape_string(frames.sizes()));
  if (frames.size(1) == 0 || frames.size(2) == 0) check.fail("has zero-size frames: " + shape_string(frames.sizes()));
  return frames.contiguous();
}

CropJob box_job(std::string_view function, const at::Tensor& frames, const at::Tensor& boxes_in, const CropOptions& o) {
  TensorCheck check(function, "boxes", boxes_in);
  check.shape({"N", 5}).floating();
  const at::Tensor boxes = boxes_in.to(frames.device(), at::kDouble);
  const double h = static_cast<double>(frames.size(1)), w = static_cast<double>(frames.size(2));
  const at::Tensor index = boxes.select(1, 0);
  const at::Tensor x1 = boxes.select(1, 1).clamp(0, w), y1 = boxes.select(1, 2).clamp(0, h);
  const at::Tensor x2 = boxes.select(1, 3).clamp(0, w), y2 = boxes.select(1, 4).clamp(0, h);
  const at::Tensor nonfinite = ~at::isfinite(boxes).all(1);
  const at::Tensor bad_index = bad_frame_index(index, frames.size(0));
  const at::Tensor empty = (boxes.select(1, 3) <= boxes.select(1, 1)) | (boxes.select(1, 4) <= boxes.select(1, 2));
  const at::Tensor outside = (x2 <= x1) | (y2 <= y1);
  const at::Tensor flags = at::stack({nonfinite, bad_index, empty, outside});
  if (boxes.size(0) > 0) {
    const at::Tensor any = flags.any(1).cpu(); // the one wait for the device
    const auto a = any.accessor<bool, 1>();
    if (a[0]) check.fail_nonfinite();
    const char* problems[] = {nullptr, "frame index (column 0) outside [0,B) or not an integer",
                              "with zero width or height", "entirely outside its frame"};
    for (int k = 1; k < 4; ++k) {
      if (!a[k]) continue;
      const int64_t row = first_flagged(flags[k]);
      const at::Tensor r = boxes_in[row].to(at::kCPU, at::kDouble);
      check.fail("row " + std::to_string(row) + " (" + std::to_string(r[0].item<double>()) + ", " +
                 std::to_string(r[1].item<double>()) + ", " + std::to_string(r[2].item<double>()) + ", " +
                 std::to_string(r[3].item<double>()) + ", " + std::to_string(r[4].item<double>()) + ") is a box " +
                 problems[k] + " (B=" + std::to_string(frames.size(0)) + ", frames " + std::to_string(frames.size(2)) +
                 "x" + std::to_string(frames.size(1)) + ")");
    }
  }
  CropJob job;
  job.frame_index = index.to(at::kLong);
  job.norm = crop_norm(o, true);
  if (o.box_sampling == BoxSampling::OpenCV) {
    // Integer edges as the reference pipelines cut them (int() truncates), at least one pixel, inside the frame.
    const at::Tensor ix1 = at::trunc(boxes.select(1, 1)).clamp(0, w - 1),
                     iy1 = at::trunc(boxes.select(1, 2)).clamp(0, h - 1);
    const at::Tensor ix2 = at::maximum(at::trunc(boxes.select(1, 3)), ix1 + 1).clamp_max(w);
    const at::Tensor iy2 = at::maximum(at::trunc(boxes.select(1, 4)), iy1 + 1).clamp_max(h);
    job.rect = at::stack({ix1, iy1, ix2, iy2}, 1).to(at::kFloat);
    job.affine = at::zeros({boxes.size(0), 6}, job.rect.options());
    return job;
  }
  const at::Tensor sx = (x2 - x1) / static_cast<double>(o.width), sy = (y2 - y1) / static_cast<double>(o.height);
  const at::Tensor zero = at::zeros_like(sx);
  job.affine = at::stack({sx, zero, x1 + 0.5 * sx - 0.5, zero, sy, y1 + 0.5 * sy - 0.5}, 1).to(at::kFloat);
  // Sample points stay between the centres of the box's first and last pixels (cv2.resize of the cut crop).
  job.rect = at::stack({x1, y1, at::maximum(x2 - 1, x1), at::maximum(y2 - 1, y1)}, 1).to(at::kFloat);
  return job;
}

CropJob aligned_job(std::string_view function, const at::Tensor& frames, const at::Tensor& landmarks,
                    const at::Tensor& frame_index, const CropOptions& o) {
  const at::Tensor forward = similarity_transforms(function, landmarks, o, frames.device());
  const int64_t n = landmarks.size(0);
  at::Tensor index;
  if (frame_index.defined()) {
    TensorCheck fi(function, "frame_index", frame_index);
    fi.dtype({at::kLong, at::kInt}).dim(1);
    if (frame_index.size(0) != n)
      fi.fail("must have one entry per landmark set (" + std::to_string(n) + "), got " +
              std::to_string(frame_index.size(0)));
    index = frame_index.to(frames.device(), at::kLong);
  } else {
    if (frames.size(0) != 1 && n > 0)
      fail_argument(function, "frame_index",
                    "is required when frames hold more than one frame (B=" + std::to_string(frames.size(0)) + ")");
    index = at::zeros({n}, frames.options().dtype(at::kLong));
  }
  if (n > 0) {
    const at::Tensor bad = (index < 0) | (index >= frames.size(0));
    if (bad.any().item<bool>()) {
      const int64_t row = first_flagged(bad);
      fail_argument(function, "frame_index",
                    "entry " + std::to_string(row) + " is " + std::to_string(index[row].item<int64_t>()) +
                        ", outside [0," + std::to_string(frames.size(0)) + ")");
    }
  }
  CropJob job;
  job.frame_index = index;
  job.affine = invert_similarity(forward).reshape({n, 6}).to(at::kFloat);
  job.rect = at::zeros({n, 4}, job.affine.options());
  job.norm = crop_norm(o, false);
  return job;
}

at::Tensor run_crop(const at::Tensor& frames, const CropJob& job, int64_t first, int64_t count, c10::ScalarType dtype) {
  at::Tensor out = at::empty({count, 3, job.norm.out_h, job.norm.out_w}, frames.options().dtype(dtype));
  const at::Tensor index = job.frame_index.narrow(0, first, count).contiguous();
  const at::Tensor affine = job.affine.narrow(0, first, count).contiguous();
  const at::Tensor rect = job.rect.narrow(0, first, count).contiguous();
#ifdef TRACKKIT_WITH_CUDA
  if (frames.is_cuda()) {
    crop_affine_cuda(frames, index, affine, rect, job.norm, out);
    return out;
  }
#endif
  if (!frames.device().is_cpu()) fail_argument("crop", "frames", "must be on the CPU or CUDA", ErrorCode::Device);
  crop_affine_cpu(frames, index, affine, rect, job.norm, out);
  return out;
}

} // namespace trackkit::detail

namespace trackkit {

at::Tensor crop_boxes(const at::Tensor& frames, const at::Tensor& boxes, const CropOptions& options) {
  const CropOptions o = detail::resolve_crop(options, "crop_boxes");
  const at::Tensor f = detail::checked_frames("crop_boxes", frames);
  const detail::CropJob job = detail::box_job("crop_boxes", f, boxes, o);
  return detail::run_crop(f, job, 0, boxes.size(0), o.dtype);
}

at::Tensor crop_aligned(const at::Tensor& frames, const at::Tensor& landmarks, const at::Tensor& frame_index,
                        const CropOptions& options) {
  const CropOptions o = detail::resolve_crop(options, "crop_aligned");
  const at::Tensor f = detail::checked_frames("crop_aligned", frames);
  const detail::CropJob job = detail::aligned_job("crop_aligned", f, landmarks, frame_index, o);
  return detail::run_crop(f, job, 0, job.frame_index.size(0), o.dtype);
}

at::Tensor similarity_to_template(const at::Tensor& landmarks, const CropOptions& options) {
  const CropOptions o = detail::resolve_crop(options, "similarity_to_template");
  return detail::similarity_transforms("similarity_to_template", landmarks, o,
                                       landmarks.defined() ? landmarks.device() : c10::Device(c10::kCPU))
      .to(at::kFloat);
}

} // namespace trackkit
