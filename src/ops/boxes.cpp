#include "trackkit/boxes.hpp"

#include <ATen/ATen.h>

#include <array>
#include <cmath>
#include <string>

#include "box_iou_kernels.hpp"
#include "trackkit/check.hpp"
#include "trackkit/device.hpp"

namespace trackkit {
namespace {

// Any format -> x1,y1,x2,y2 as four [...] tensors.
std::array<at::Tensor, 4> to_corners(const at::Tensor& boxes, BoxFormat from) {
  auto c = boxes.unbind(-1);
  switch (from) {
    case BoxFormat::XYXY: return {c[0], c[1], c[2], c[3]};
    case BoxFormat::XYWH: return {c[0], c[1], c[0] + c[2], c[1] + c[3]};
    case BoxFormat::CXCYWH: return {c[0] - c[2] / 2, c[1] - c[3] / 2, c[0] + c[2] / 2, c[1] + c[3] / 2};
    case BoxFormat::CXCYAH: {
      const at::Tensor w = c[2] * c[3];
      return {c[0] - w / 2, c[1] - c[3] / 2, c[0] + w / 2, c[1] + c[3] / 2};
    }
  }
  return {};
}

at::Tensor from_corners(const std::array<at::Tensor, 4>& c, BoxFormat to) {
  const auto& [x1, y1, x2, y2] = c;
  switch (to) {
    case BoxFormat::XYXY: return at::stack({x1, y1, x2, y2}, -1);
    case BoxFormat::XYWH: return at::stack({x1, y1, x2 - x1, y2 - y1}, -1);
    case BoxFormat::CXCYWH: return at::stack({(x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1}, -1);
    case BoxFormat::CXCYAH: {
      const at::Tensor w = x2 - x1, h = y2 - y1;
      return at::stack({(x1 + x2) / 2, (y1 + y2) / 2, w / h, h}, -1);
    }
  }
  return {};
}

// Runs the kernel for the device; the kernels report non-finite coordinates as they read them.
at::Tensor run_iou_kernel(TensorCheck& check1, TensorCheck& check2, const at::Tensor& a, const at::Tensor& b) {
  detail::IouResult result;
#ifdef TRACKKIT_WITH_CUDA
  if (a.is_cuda()) {
    if (a.numel() == 0) check2.finite(); // the kernel reads neither side when one is empty
    if (b.numel() == 0) check1.finite();
    result = detail::box_iou_cuda(a, b);
  } else {
    result = detail::box_iou_cpu(a, b);
  }
#else
  result = detail::box_iou_cpu(a, b);
#endif
  if (result.nonfinite & 1) check1.fail_nonfinite();
  if (result.nonfinite & 2) check2.fail_nonfinite();
  return result.iou;
}

} // namespace

at::Tensor convert_boxes(const at::Tensor& boxes, BoxFormat from, BoxFormat to) {
  TensorCheck("convert_boxes", "boxes", boxes).last_dim(4).floating();
  if (from == to) return boxes.clone();
  if (to == BoxFormat::CXCYAH && boxes.numel() > 0) {
    // A zero-height box has no aspect ratio: its width would be lost (the old result, aspect 0) or become NaN.
    const auto c = to_corners(boxes, from);
    const at::Tensor flat = (c[3] - c[1] == 0).flatten();
    if (flat.any().item<bool>()) { // waits for the device once
      const int64_t row = flat.nonzero()[0][0].item<int64_t>();
      fail_argument("convert_boxes", "boxes",
                    "row " + std::to_string(row) + " has zero height: CXCYAH (aspect w/h) cannot represent it");
    }
    return from_corners(c, to);
  }
  return from_corners(to_corners(boxes, from), to);
}

at::Tensor box_area(const at::Tensor& boxes) {
  TensorCheck("box_area", "boxes", boxes).last_dim(4).floating();
  auto c = boxes.unbind(-1);
  return (c[2] - c[0]).clamp_min(0) * (c[3] - c[1]).clamp_min(0);
}

at::Tensor clip_boxes(const at::Tensor& boxes, double width, double height) {
  TensorCheck("clip_boxes", "boxes", boxes).last_dim(4).floating();
  if (!(std::isfinite(width) && width >= 0)) {
    fail_argument("clip_boxes", "width", "must be finite and >= 0, got " + std::to_string(width));
  }
  if (!(std::isfinite(height) && height >= 0)) {
    fail_argument("clip_boxes", "height", "must be finite and >= 0, got " + std::to_string(height));
  }
  auto c = boxes.unbind(-1);
  return at::stack({c[0].clamp(0, width), c[1].clamp(0, height), c[2].clamp(0, width), c[3].clamp(0, height)}, -1);
}

at::Tensor box_iou(const at::Tensor& boxes1, const at::Tensor& boxes2) {
  constexpr const char* fn = "box_iou";
  TensorCheck check1(fn, "boxes1", boxes1);
  TensorCheck check2(fn, "boxes2", boxes2);
  const bool batched = boxes1.dim() == 3;
  if (batched) {
    check1.shape({"B", "N", 4});
    check2.shape({"B", "M", 4});
    if (boxes1.size(0) != boxes2.size(0)) {
      check2.fail("must have the batch size B of boxes1 (" + std::to_string(boxes1.size(0)) + "), got " +
                  shape_string(boxes2.sizes()));
    }
  } else if (boxes1.dim() == 2) {
    check1.shape({"N", 4});
    check2.shape({"M", 4});
  } else {
    check1.fail("must have shape [N,4] or [B,N,4], got " + shape_string(boxes1.sizes()));
  }
  check1.floating();
  check2.floating().same_device(boxes1, "boxes1");
  if (boxes1.is_cuda() && !built_with_cuda()) {
    check1.fail("is a CUDA tensor but trackkit was built without CUDA kernels", ErrorCode::Unsupported);
  }
  if (!boxes1.is_cuda() && !boxes1.is_cpu()) {
    check1.fail("must be on cpu or cuda, got " + boxes1.device().str(), ErrorCode::Device);
  }
  // fp16/bf16 coordinates lose whole pixels beyond 2048: compute in fp32 (fp64 stays fp64).
  const bool wide = boxes1.scalar_type() == at::kDouble || boxes2.scalar_type() == at::kDouble;
  const at::ScalarType compute = wide ? at::kDouble : at::kFloat;
  at::Tensor a = boxes1.to(compute).contiguous();
  at::Tensor b = boxes2.to(compute).contiguous();
  if (!batched) {
    a = a.unsqueeze(0);
    b = b.unsqueeze(0);
  }
  const at::Tensor iou = run_iou_kernel(check1, check2, a, b);
  return batched ? iou : iou.squeeze(0);
}

} // namespace trackkit
