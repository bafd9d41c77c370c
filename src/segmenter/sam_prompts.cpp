#include "sam_prompts.hpp"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "trackkit/check.hpp"

namespace trackkit::detail {

SamPrompts sam_prompts(const at::Tensor& boxes, int64_t frames, const SamGeometry& g, c10::Device device) {
  TensorCheck check("Segmenter::decode", "boxes", boxes);
  check.shape({"N", 5}).floating().finite();
  const at::Tensor host = boxes.to(at::kCPU, at::kFloat).contiguous();
  const int64_t n = host.size(0);
  float* b = host.data_ptr<float>();
  const float w = static_cast<float>(g.frame_width), h = static_cast<float>(g.frame_height);
  for (int64_t i = 0; i < n; ++i) {
    float* row = b + 5 * i;
    const std::string at_row = " (row " + std::to_string(i) + ")";
    if (row[0] != std::floor(row[0]) || row[0] < 0 || row[0] >= static_cast<float>(frames))
      check.fail("has frame index " + std::to_string(row[0]) + at_row + ", not an integer in [0," +
                 std::to_string(frames) + ")");
    row[1] = std::clamp(row[1], 0.0f, w), row[3] = std::clamp(row[3], 0.0f, w);
    row[2] = std::clamp(row[2], 0.0f, h), row[4] = std::clamp(row[4], 0.0f, h);
    if (!(row[3] > row[1] && row[4] > row[2]))
      check.fail("has a box with no area inside the " + std::to_string(g.frame_width) + "x" +
                 std::to_string(g.frame_height) + " frame" + at_row);
  }
  SamPrompts p;
  p.boxes = host.to(device);
  p.index = host.select(1, 0).to(at::kLong).to(device);
  if (g.square) { // SAM2Transforms.transform_boxes: float32 x / W (and y / H), then times S
    const at::Tensor size =
        at::tensor({static_cast<float>(g.frame_width), static_cast<float>(g.frame_height)}).repeat({2});
    p.input_boxes = (host.narrow(1, 1, 4) / size * static_cast<float>(g.input_size)).to(device).contiguous();
    return p;
  }
  // apply_boxes_torch: float32 coordinates times the Python float ratio new/old of each axis.
  const at::Tensor ratio = at::tensor({static_cast<double>(g.input_width) / static_cast<double>(g.frame_width),
                                       static_cast<double>(g.input_height) / static_cast<double>(g.frame_height)},
                                      at::kDouble)
                               .to(at::kFloat)
                               .repeat({2});
  p.input_boxes = (host.narrow(1, 1, 4) * ratio).to(device).contiguous();
  return p;
}

} // namespace trackkit::detail
