// Segmenter masks drive the tracker's mask cue on real frames (MOT17-05 #1 and #2, ground-truth boxes): two
// pedestrians are tracked in frame 1; in frame 2 both detections get the same box (their union), so box IoU cannot
// tell them apart and only the segmenter's masks of the true boxes can. The tracker must pair tracks and
// detections as the masks' IoUs say (computed here with trackkit::mask_iou, checked against pycocotools in
// test_rle), and swapping the two detections' masks must swap the pairing.
#include <ATen/ATen.h>

#include <array>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "catch.hpp"
#include "segmenter/npy.hpp"
#include "segmenter/segmenter_test_util.hpp"
#include "trackkit/boxes.hpp"
#include "trackkit/segmenter.hpp"
#include "trackkit/tracker.hpp"

using namespace segmenter_test;

namespace {

using Box = std::array<float, 4>;

/// Ground-truth pedestrians (conf 1, class 1) of frames 1 and 2, by id: x1,y1,x2,y2 (MOT's 1-based left/top - 1).
std::map<int, std::array<Box, 2>> two_frame_people(const std::string& gt_file) {
  std::ifstream in(gt_file);
  std::map<int, std::map<int, Box>> by_id;
  std::string line;
  while (std::getline(in, line)) {
    std::replace(line.begin(), line.end(), ',', ' ');
    std::istringstream s(line);
    double f, id, x, y, w, h, conf, cls;
    if (!(s >> f >> id >> x >> y >> w >> h >> conf >> cls) || conf != 1 || cls != 1 || f > 2) continue;
    by_id[static_cast<int>(id)][static_cast<int>(f)] = {float(x - 1), float(y - 1), float(x - 1 + w), float(y - 1 + h)};
  }
  std::map<int, std::array<Box, 2>> out;
  for (const auto& [id, frames] : by_id)
    if (frames.count(1) && frames.count(2)) out[id] = {frames.at(1), frames.at(2)};
  return out;
}

double iou(const Box& a, const Box& b) {
  const double w = std::min(a[2], b[2]) - std::max(a[0], b[0]), h = std::min(a[3], b[3]) - std::max(a[1], b[1]);
  const double inter = std::max(w, 0.0) * std::max(h, 0.0);
  return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter);
}

Box unite(const Box& a, const Box& b) {
  return {std::min(a[0], b[0]), std::min(a[1], b[1]), std::max(a[2], b[2]), std::max(a[3], b[3])};
}

at::Tensor detections(const std::vector<Box>& boxes) {
  at::Tensor d = at::empty({static_cast<int64_t>(boxes.size()), 5});
  for (size_t i = 0; i < boxes.size(); ++i)
    for (int k = 0; k < 5; ++k) d[i][k] = k < 4 ? boxes[i][k] : 0.9f;
  return d;
}

at::Tensor prompts(const std::vector<Box>& boxes) {
  return at::cat({at::zeros({static_cast<int64_t>(boxes.size()), 1}), detections(boxes).narrow(1, 0, 4)}, 1);
}

} // namespace

TEST_CASE("Segmenter masks drive the tracker's mask cue on real frames", "[segmenter][tracker]") {
  const std::string data = tk_test_data_dir();
  const at::Tensor f1 = read_npy(reference_dir() + "/frames/MOT17-05-FRCNN_1.rgb.npy");
  const at::Tensor f2 = read_npy(reference_dir() + "/frames/MOT17-05-FRCNN_2.rgb.npy");
  if (data.empty() || !have_model("mobile_sam") || !f1.defined() || !f2.defined())
    TK_SKIP("needs TRACKKIT_DATA, the mobile_sam export and the reference frames (scripts/segmenter-models.sh)");
  const auto people = two_frame_people(data + "/mot/MOT17/train/MOT17-05-FRCNN/gt/gt.txt");
  // The pair whose frame-2 union box overlaps both frame-1 boxes most: a box cost both tracks accept.
  int a = -1, b = -1;
  double best = 0;
  for (const auto& [i, pi] : people)
    for (const auto& [j, pj] : people) {
      if (j <= i) continue;
      const Box u = unite(pi[1], pj[1]);
      const double worst = std::min(iou(pi[0], u), iou(pj[0], u));
      if (worst > best) best = worst, a = i, b = j;
    }
  REQUIRE(best > 0.4);
  const std::array<Box, 2>&pa = people.at(a), &pb = people.at(b);
  const Box u = unite(pa[1], pb[1]);

  trackkit::SegmenterOptions o;
  o.device = "cpu", o.input_bgr = false;
  trackkit::Segmenter seg(encoder_path("mobile_sam"), decoder_path("mobile_sam"), o);
  const at::Tensor m1 = seg.segment(f1.unsqueeze(0), prompts({pa[0], pb[0]})).masks.select(1, 0);
  const at::Tensor m2 = seg.segment(f2.unsqueeze(0), prompts({pa[1], pb[1]})).masks.select(1, 0);
  REQUIRE(m1.sizes() == at::IntArrayRef({2, 480, 640}));

  // What the masks say: track A (id 1) belongs to the detection whose mask overlaps A's frame-1 mask more, given
  // the pairing with the larger total IoU (the tracks' masks move with their predicted boxes: both stand still
  // after one frame).
  const at::Tensor overlap = trackkit::mask_iou(m1, m2);
  const double straight = overlap[0][0].item<double>() + overlap[1][1].item<double>();
  const double crossed = overlap[0][1].item<double>() + overlap[1][0].item<double>();
  INFO("mask IoU frame 1 x frame 2: " << overlap << " people " << a << ", " << b << " union IoU " << best);
  REQUIRE(std::abs(straight - crossed) > 0.02);
  for (const bool swap : {false, true}) {
    trackkit::Tracker tracker;
    trackkit::TrackerInput in;
    in.detections = detections({pa[0], pb[0]});
    in.masks = m1;
    const trackkit::TrackerOutput first = tracker.update(in);
    REQUIRE(first.ids.numel() == 2);
    in.detections = detections({u, u});
    in.masks = swap ? m2.flip({0}) : m2;
    const trackkit::TrackerOutput second = tracker.update(in);
    REQUIRE(second.ids.numel() == 2);
    // Row r of the output: track id ids[r] took detection det_index[r]; expected: id 1 (A) takes the
    // detection carrying A's frame-2 mask when the straight pairing overlaps more.
    const bool a_gets_mask_a = straight > crossed;
    for (int64_t r = 0; r < 2; ++r) {
      const int64_t id = second.ids[r].item<int64_t>(), det = second.det_index[r].item<int64_t>();
      const int64_t mask_of = swap ? 1 - det : det; // whose frame-2 mask that detection carries (0: A, 1: B)
      CAPTURE(swap, id, det);
      CHECK((mask_of == id - 1) == a_gets_mask_a);
    }
  }
}
