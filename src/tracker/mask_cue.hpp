#pragma once
// The tracker's mask cue: instance masks resolve the pairs a box IoU cannot tell apart. Masks are kept cropped
// to their nonzero bounding box, so a track holds only the pixels it needs.
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "trackkit/check.hpp"
#include "trackkit/linear_assignment.hpp"

namespace trackkit::detail {

struct BinaryMask {
  int64_t x0 = 0, y0 = 0, x1 = 0, y1 = 0; // nonzero bounding box on the mask grid, end exclusive
  int64_t area = 0;                       // nonzero pixels
  std::vector<uint8_t> crop;              // (y1 - y0) x (x1 - x0), row-major, 0 or 1
};
using MaskPtr = std::shared_ptr<const BinaryMask>;

/// Checks and crops bool/uint8 [N,H,W] masks (`check` names the argument); `rows` is the expected N, one per
/// `row_meaning` (for the error message).
std::vector<MaskPtr> read_masks(TensorCheck check, const at::Tensor& masks, int64_t rows, const char* row_meaning);

/// IoU of mask a moved by (dx, dy) grid pixels and mask b; 0 when either is empty.
double mask_iou(const BinaryMask& a, int64_t dx, int64_t dy, const BinaryMask& b);

/// Re-costs the ambiguous candidates: an edge with cost < thresh whose row or column has more than one such
/// edge gets mask_cost(edge) when that returns a value >= 0 (a negative value: no masks for the pair, keep
/// the box cost). Candidate counts are taken once, before any cost changes.
void apply_mask_cue(std::vector<AssignmentEdge>& costs, int64_t rows, int64_t cols, double thresh,
                    const std::function<double(const AssignmentEdge&)>& mask_cost);

} // namespace trackkit::detail
