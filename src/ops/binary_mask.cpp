#include "ops/binary_mask.hpp"

#include <algorithm>

namespace trackkit::detail {

MaskPtr crop_mask(const uint8_t* p, int64_t h, int64_t w) {
  auto mask = std::make_shared<BinaryMask>();
  int64_t x0 = w, y0 = h, x1 = 0, y1 = 0;
  for (int64_t y = 0; y < h; ++y)
    for (int64_t x = 0; x < w; ++x)
      if (p[y * w + x]) x0 = std::min(x0, x), x1 = std::max(x1, x + 1), y0 = std::min(y0, y), y1 = y + 1;
  if (x1 > x0) {
    mask->x0 = x0, mask->y0 = y0, mask->x1 = x1, mask->y1 = y1;
    mask->crop.resize((y1 - y0) * (x1 - x0));
    for (int64_t y = y0; y < y1; ++y)
      for (int64_t x = x0; x < x1; ++x) {
        const uint8_t v = p[y * w + x] != 0;
        mask->crop[(y - y0) * (x1 - x0) + (x - x0)] = v;
        mask->area += v;
      }
  }
  return mask;
}

double mask_iou(const BinaryMask& a, int64_t dx, int64_t dy, const BinaryMask& b) {
  if (a.area == 0 || b.area == 0) return 0;
  const int64_t x0 = std::max(a.x0 + dx, b.x0), x1 = std::min(a.x1 + dx, b.x1);
  const int64_t y0 = std::max(a.y0 + dy, b.y0), y1 = std::min(a.y1 + dy, b.y1);
  int64_t inter = 0;
  const int64_t wa = a.x1 - a.x0, wb = b.x1 - b.x0;
  for (int64_t y = y0; y < y1; ++y) {
    const uint8_t* ra = a.crop.data() + (y - dy - a.y0) * wa + (x0 - dx - a.x0);
    const uint8_t* rb = b.crop.data() + (y - b.y0) * wb + (x0 - b.x0);
    for (int64_t k = 0; k < x1 - x0; ++k) inter += ra[k] & rb[k];
  }
  return static_cast<double>(inter) / static_cast<double>(a.area + b.area - inter);
}

} // namespace trackkit::detail
