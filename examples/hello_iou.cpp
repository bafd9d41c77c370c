// The README's example: batched IoU on the best device, and an error that names its argument.
#include <ATen/ATen.h>

#include <cstdio>

#include "trackkit/core.hpp"

int main() {
  const c10::Device device = trackkit::parse_device("auto"); // cuda:0 if a GPU is visible
  at::Tensor tracks = at::tensor({0.f, 0.f, 10.f, 10.f, 20.f, 20.f, 40.f, 40.f}).view({2, 4}).to(device);
  at::Tensor dets = at::tensor({5.f, 5.f, 15.f, 15.f}).view({1, 4}).to(device);
  at::Tensor iou = trackkit::box_iou(tracks, dets); // [2,1]: 1/7 and 0
  try {
    trackkit::box_iou(at::zeros({3, 3}), dets); // wrong shape
  } catch (const trackkit::Error& e) {
    std::puts(e.what()); // "box_iou: boxes1 must have shape [N,4], got [3,3]"
  }
  std::printf("%s\n%s\n", trackkit::build_info(), iou.cpu().toString().c_str());
}
