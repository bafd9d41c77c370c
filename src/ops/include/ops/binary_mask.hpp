#pragma once
// Binary instance masks kept cropped to their nonzero bounding box, and their IoU: the one mask IoU the tracker's
// mask cue and the public mask_iou / segmenter helpers share.
#include <cstdint>
#include <memory>
#include <vector>

namespace trackkit::detail {

struct BinaryMask {
  int64_t x0 = 0, y0 = 0, x1 = 0, y1 = 0; // nonzero bounding box on the mask grid, end exclusive
  int64_t area = 0;                       // nonzero pixels
  std::vector<uint8_t> crop;              // (y1 - y0) x (x1 - x0), row-major, 0 or 1
};
using MaskPtr = std::shared_ptr<const BinaryMask>;

/// The mask of a row-major h x w grid of bytes (nonzero = inside), cropped to its nonzero bounding box.
MaskPtr crop_mask(const uint8_t* pixels, int64_t h, int64_t w);

/// IoU of mask a moved by (dx, dy) grid pixels and mask b; 0 when either is empty.
double mask_iou(const BinaryMask& a, int64_t dx, int64_t dy, const BinaryMask& b);

} // namespace trackkit::detail
