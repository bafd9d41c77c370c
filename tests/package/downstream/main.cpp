// Uses the installed C++ API: IoU of two boxes overlapping 25 of 175 square pixels.
#include <ATen/ATen.h>

#include <cmath>
#include <cstdio>

#include "trackkit/core.hpp"

int main() {
  const at::Tensor a = at::tensor({0.f, 0.f, 10.f, 10.f}).view({1, 4});
  const at::Tensor b = at::tensor({5.f, 5.f, 15.f, 15.f}).view({1, 4});
  const float iou = trackkit::box_iou(a, b).item<float>();
  std::printf("downstream C++: %s, iou=%.6f\n", trackkit::build_info(), iou);
  try {
    trackkit::box_iou(at::zeros({2, 3}), b);
    return 1;
  } catch (const trackkit::Error& e) {
    std::printf("downstream C++: expected error: %s\n", e.what());
  }
  return std::fabs(iou - 1.f / 7.f) < 1e-6f ? 0 : 1;
}
