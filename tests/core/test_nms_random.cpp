// batched_nms on random detector-like batches: the CPU kernel against the reference in nms_reference.hpp,
// and (on the GPU machine) the CUDA kernel against the CPU kernel.
#include <ATen/ATen.h>

#include <algorithm>

#include <string>
#include <vector>

#include "catch.hpp"
#include "nms_reference.hpp"
#include "trackkit/device.hpp"
#include "trackkit/nms.hpp"
#include "trackkit/version.hpp"

using trackkit::batched_nms;
using trackkit::NmsOptions;

namespace {

// Option sets that exercise every branch: defaults, agnostic, a class filter, low thresholds (many
// candidates, several CUDA chunks), caps on candidates and detections.
std::vector<NmsOptions> option_sets() {
  std::vector<NmsOptions> sets(6);
  sets[1].agnostic = true;
  sets[1].iou_threshold = 0.6;
  sets[2].classes = {0, 2, 3};
  sets[3].conf_threshold = 0.001;
  sets[3].iou_threshold = 0.7;
  sets[4].conf_threshold = 0.05;
  sets[4].max_candidates = 700;
  sets[4].max_detections = 40;
  sets[5].iou_threshold = 0.0; // any overlap suppresses
  sets[5].class_offset = 0.0;
  return sets;
}

size_t total_rows(const std::vector<std::vector<Detection>>& rows) {
  size_t n = 0;
  for (const auto& r : rows) n += r.size();
  return n;
}

} // namespace

TEST_CASE("batched_nms equals the reference on random clustered batches, float32/float16/float64") {
  at::manual_seed(2024);
  const std::vector<NmsOptions> sets = option_sets();
  size_t kept = 0;
  for (int trial = 0; trial < 3; ++trial) {
    const auto [boxes, scores] = clustered_inputs(4, 1500, 5, 6 + 6 * trial);
    for (size_t k = 0; k < sets.size(); ++k) {
      for (at::ScalarType type : {at::kFloat, at::kHalf, at::kDouble}) {
        INFO("trial " << trial << ", option set " << k << ", " << c10::toString(type));
        const at::Tensor b = boxes.to(type), s = scores.to(type);
        const auto expected = reference_nms(b, s, sets[k]);
        const auto got = result_rows(batched_nms(b, s, sets[k]));
        CHECK(got == expected);
        kept += total_rows(got);
      }
    }
  }
  CHECK(kept > 1000); // the cases were not trivially empty
}

TEST_CASE("batched_nms equals the reference when suppression chains are long (dense, tiny jitter)") {
  at::manual_seed(99);
  // 2000 near-identical boxes of one object per image: almost everything is suppressed, in score order.
  at::Tensor boxes = at::tensor({100.f, 100.f, 200.f, 180.f}).view({1, 1, 4}) + at::randn({2, 2000, 4}) * 6;
  at::Tensor scores = at::rand({2, 2000, 2});
  for (double iou : {0.3, 0.5, 0.8}) {
    NmsOptions o;
    o.iou_threshold = iou;
    o.agnostic = true;
    CHECK(result_rows(batched_nms(boxes, scores, o)) == reference_nms(boxes, scores, o));
  }
}

#ifdef TRACKKIT_WITH_CUDA
TEST_CASE("CUDA batched_nms equals CPU batched_nms") {
  if (!trackkit::cuda_available()) TK_SKIP("no CUDA GPU visible to trackkit (" << trackkit::build_info() << ")");
  at::manual_seed(77);
  const c10::Device gpu(c10::kCUDA, 0);
  const std::vector<NmsOptions> sets = option_sets();
  // A = 8400 is YOLOv8 at 640; 300 anchors fit one chunk; 1 anchor is the smallest case.
  for (auto [batch, anchors, classes] : std::vector<std::array<int64_t, 3>>{{16, 8400, 80}, {5, 300, 4}, {3, 1, 2}}) {
    const auto [boxes, scores] = clustered_inputs(batch, anchors, classes, 20);
    for (size_t k = 0; k < sets.size(); ++k) {
      for (at::ScalarType type : {at::kFloat, at::kHalf, at::kDouble}) {
        INFO(batch << "x" << anchors << "x" << classes << ", option set " << k << ", " << c10::toString(type));
        const at::Tensor b = boxes.to(type), s = scores.to(type);
        NmsOptions o = sets[k];
        o.classes.erase(std::remove_if(o.classes.begin(), o.classes.end(), [&](int64_t c) { return c >= classes; }),
                        o.classes.end()); // a filter names classes the scores have
        const trackkit::NmsResult cpu = batched_nms(b, s, o);
        const trackkit::NmsResult cuda = batched_nms(b.to(gpu), s.to(gpu), o);
        CHECK(cuda.detections.device() == gpu);
        CHECK(cuda.counts.device() == gpu);
        CHECK(at::equal(cuda.counts.cpu(), cpu.counts));
        CHECK(at::equal(cuda.detections.cpu(), cpu.detections)); // bit for bit, padding rows included
      }
    }
  }
  // The v8 output's strided view, and a class filter (copied through pinned memory) on the GPU.
  const auto [boxes, scores] = clustered_inputs(4, 8400, 80, 30);
  const at::Tensor view = at::cat({boxes, scores}, -1).transpose(1, 2).contiguous().to(gpu).transpose(1, 2);
  NmsOptions o;
  o.classes = {0, 5, 79};
  const trackkit::NmsResult cuda = batched_nms(view.narrow(2, 0, 4), view.narrow(2, 4, 80), o);
  CHECK(at::equal(cuda.detections.cpu(), batched_nms(boxes, scores, o).detections));
  // Empty inputs on the GPU stay there.
  const trackkit::NmsResult empty = batched_nms(at::zeros({2, 0, 4}, gpu), at::zeros({2, 0, 80}, gpu));
  CHECK(empty.counts.device() == gpu);
  CHECK(empty.counts.sum().item<int64_t>() == 0);
}
#endif
