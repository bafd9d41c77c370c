#pragma once
// Box utilities used by several components. Conventions (docs/conventions.md): pixel coordinates with
// half-pixel centres (pixel i covers [i, i+1)), x1y1x2y2 unless a format says otherwise, area = w*h
// (no "+1"), boxes with x2<x1 or y2<y1 have zero area.
#include <ATen/core/Tensor.h>

#include "trackkit/export.hpp"

namespace trackkit {

enum class BoxFormat {
  XYXY,   ///< x1, y1, x2, y2 (corners)
  XYWH,   ///< x1, y1, width, height (top-left corner; MOTChallenge files)
  CXCYWH, ///< centre x, centre y, width, height (BoT-SORT Kalman state)
  CXCYAH, ///< centre x, centre y, aspect ratio w/h, height (ByteTrack Kalman state)
};

/// Converts boxes `[...,4]` (any leading dims, floating dtype, CPU or CUDA) between formats.
/// CXCYAH from a box of zero height is an Error naming `boxes` and the box (its aspect ratio w/h does not exist);
/// that check waits for the device once.
TRACKKIT_API at::Tensor convert_boxes(const at::Tensor& boxes, BoxFormat from, BoxFormat to);

/// Areas of x1y1x2y2 boxes `[...,4]` -> `[...]`; negative extents count as zero.
TRACKKIT_API at::Tensor box_area(const at::Tensor& boxes);

/// Clips x1y1x2y2 boxes `[...,4]` to the image [0,width] x [0,height]; returns a new tensor.
TRACKKIT_API at::Tensor clip_boxes(const at::Tensor& boxes, double width, double height);

/// Pairwise intersection over union of x1y1x2y2 boxes.
///   boxes1 `[N,4]`, boxes2 `[M,4]`        -> `[N,M]`
///   boxes1 `[B,N,4]`, boxes2 `[B,M,4]`    -> `[B,N,M]` (B independent pairs, one kernel launch)
/// dtype float16/bfloat16/float32 (computed and returned as float32) or float64; both on the same device
/// (CPU kernel: parallel over rows; CUDA kernel on the current stream). N, M or B may be 0.
/// IoU is 0 where the union is 0. Non-finite coordinates are rejected (Error, InvalidArgument).
TRACKKIT_API at::Tensor box_iou(const at::Tensor& boxes1, const at::Tensor& boxes2);

} // namespace trackkit
