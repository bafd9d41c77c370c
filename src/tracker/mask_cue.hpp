#pragma once
// The tracker's mask cue: instance masks resolve the pairs a box IoU cannot tell apart. Masks are kept cropped
// to their nonzero bounding box, so a track holds only the pixels it needs.
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <functional>
#include <vector>

#include "ops/binary_mask.hpp"
#include "trackkit/check.hpp"
#include "trackkit/linear_assignment.hpp"

namespace trackkit::detail {

/// Checks and crops bool/uint8 [N,H,W] masks (`check` names the argument); `rows` is the expected N, one per
/// `row_meaning` (for the error message).
std::vector<MaskPtr> read_masks(TensorCheck check, const at::Tensor& masks, int64_t rows, const char* row_meaning);

/// Re-costs the ambiguous candidates: an edge with cost < thresh whose row or column has more than one such
/// edge gets mask_cost(edge) when that returns a value >= 0 (a negative value: no masks for the pair, keep
/// the box cost). Candidate counts are taken once, before any cost changes.
void apply_mask_cue(std::vector<AssignmentEdge>& costs, int64_t rows, int64_t cols, double thresh,
                    const std::function<double(const AssignmentEdge&)>& mask_cost);

} // namespace trackkit::detail
