// COCO RLE and mask IoU against pycocotools (tools/segmenter/rle_reference.py: its compressed strings, areas and
// IoUs of seeded random masks and edge cases), and properties that need no reference.
#include <ATen/ATen.h>

#include <fstream>
#include <string>
#include <vector>

#include "catch.hpp"
#include "npy.hpp"
#include "segmenter/segmenter_test_util.hpp"
#include "trackkit/error.hpp"
#include "trackkit/rle.hpp"
#include "trackkit/segmenter.hpp"

using namespace segmenter_test;
using namespace test_npy;

namespace {

at::Tensor random_masks(int64_t n, int64_t h, int64_t w, double p, uint64_t seed) {
  at::manual_seed(seed);
  return at::rand({n, h, w}) < p;
}

} // namespace

TEST_CASE("rle_encode and rle_to_string give pycocotools' strings and areas and decoding restores the masks", "[rle]") {
  const std::string dir = reference_dir() + "/rle";
  const at::Tensor masks = read_npy(dir + "/masks.npy");
  if (!masks.defined()) TK_SKIP("no pycocotools reference in " + dir + " (scripts/segmenter-models.sh)");
  std::ifstream in(dir + "/rle.txt");
  std::vector<int64_t> areas;
  std::vector<std::string> strings;
  int64_t area;
  std::string counts;
  while (in >> area >> counts) areas.push_back(area), strings.push_back(counts);
  REQUIRE(static_cast<int64_t>(strings.size()) == masks.size(0));
  const std::vector<trackkit::RleMask> rles = trackkit::rle_encode(masks);
  std::vector<trackkit::RleMask> parsed;
  for (size_t i = 0; i < rles.size(); ++i) {
    CAPTURE(i);
    CHECK(trackkit::rle_to_string(rles[i]) == strings[i]);
    CHECK(trackkit::rle_area(rles[i]) == areas[i]);
    parsed.push_back(trackkit::rle_from_string(strings[i], masks.size(1), masks.size(2)));
    CHECK(parsed.back().counts == rles[i].counts);
  }
  CHECK(at::equal(trackkit::rle_decode(parsed), masks.to(at::kBool)));
}

TEST_CASE("mask_iou equals pycocotools.mask.iou", "[rle]") {
  const std::string dir = reference_dir() + "/rle";
  const at::Tensor masks = read_npy(dir + "/masks.npy"), iou = read_npy(dir + "/iou.npy");
  if (!masks.defined() || !iou.defined()) TK_SKIP("no pycocotools reference in " + dir);
  const at::Tensor ours = trackkit::mask_iou(masks, masks.to(at::kBool));
  CHECK(ours.scalar_type() == at::kDouble);
  CHECK((ours - iou).abs().max().item<double>() < 1e-12);
}

TEST_CASE("RLE round trip and column-major order on random masks", "[rle]") {
  const at::Tensor masks = random_masks(5, 7, 3, 0.5, 3);
  const std::vector<trackkit::RleMask> rles = trackkit::rle_encode(masks);
  REQUIRE(rles.size() == 5);
  for (size_t i = 0; i < rles.size(); ++i) {
    // Runs down each column first: the counts expand to the transposed grid read row by row.
    const at::Tensor column_major = masks[i].t().flatten();
    std::vector<uint8_t> expanded;
    for (size_t k = 0; k < rles[i].counts.size(); ++k) expanded.insert(expanded.end(), rles[i].counts[k], k % 2);
    REQUIRE(static_cast<int64_t>(expanded.size()) == 21);
    for (int64_t p = 0; p < 21; ++p) CHECK(expanded[p] == column_major[p].item<bool>());
    CHECK(trackkit::rle_from_string(trackkit::rle_to_string(rles[i]), 7, 3).counts == rles[i].counts);
  }
  CHECK(at::equal(trackkit::rle_decode(rles), masks));
  // Large runs (> 2^15 pixels) and a mask starting inside.
  at::Tensor big = at::zeros({1, 300, 400}, at::kBool);
  big[0].narrow(1, 0, 200).fill_(true);
  const trackkit::RleMask r = trackkit::rle_encode(big)[0];
  CHECK(r.counts == std::vector<uint32_t>{0, 60000, 60000});
  CHECK(trackkit::rle_from_string(trackkit::rle_to_string(r), 300, 400).counts == r.counts);
}

TEST_CASE("RLE bad input", "[rle]") {
  CHECK_THROWS_AS(trackkit::rle_encode(at::zeros({2, 3}, at::kBool)), trackkit::Error);
  CHECK_THROWS_AS(trackkit::rle_encode(at::zeros({1, 2, 3}, at::kFloat)), trackkit::Error);
  CHECK(contains(error_of([&] { trackkit::rle_decode({trackkit::RleMask{2, 2, {1, 2}}}); }), "counts add up to 3"));
  CHECK(contains(error_of([&] {
                   trackkit::rle_decode({trackkit::RleMask{2, 2, {4}}, trackkit::RleMask{2, 3, {6}}});
                 }),
                 "rles[1] is 2x3"));
  CHECK(contains(error_of([&] { trackkit::rle_from_string("ab\x01", 4, 4); }), "not a COCO RLE string"));
  CHECK_THROWS_AS(trackkit::rle_from_string("0Ym1", 2, 2), trackkit::Error); // a run longer than the mask
  // Strings of many "more follows" groups once shifted past bit 63 (signed overflow, issue 26); a huge mask size
  // once overflowed height * width.
  CHECK(contains(error_of([&] { trackkit::rle_from_string(std::string(21, 'o'), 4, 4); }), "not a COCO RLE string"));
  CHECK(contains(error_of([&] { trackkit::rle_from_string("1", int64_t{1} << 40, int64_t{1} << 40); }),
                 "counts decodes to a run of"));
  CHECK(contains(error_of([&] {
                   trackkit::mask_iou(at::zeros({1, 4, 4}, at::kBool), at::zeros({1, 4, 5}, at::kBool));
                 }),
                 "mask_iou: b must be on a's grid"));
  CHECK(trackkit::rle_encode(at::zeros({0, 4, 4}, at::kBool)).empty());
  CHECK(trackkit::rle_decode({}).numel() == 0);
}

TEST_CASE("mask_iou and masks_to_boxes against brute force", "[rle]") {
  const at::Tensor a = random_masks(6, 20, 30, 0.3, 5), b = random_masks(4, 20, 30, 0.3, 6);
  a[0].zero_(); // empty masks have IoU 0
  const at::Tensor iou = trackkit::mask_iou(a, b);
  for (int64_t i = 0; i < 6; ++i)
    for (int64_t j = 0; j < 4; ++j) {
      const double inter = (a[i] & b[j]).sum().item<double>(), uni = (a[i] | b[j]).sum().item<double>();
      CHECK(iou[i][j].item<double>() == Approx(uni > 0 && inter > 0 ? inter / uni : 0.0).margin(1e-12));
    }
  at::Tensor m = at::zeros({2, 3, 10, 12}, at::kBool);
  m[0][1][2][5] = true, m[0][1][7][3] = true, m[1][2].fill_(true);
  const at::Tensor boxes = trackkit::masks_to_boxes(m);
  REQUIRE(boxes.sizes() == at::IntArrayRef({2, 3, 4}));
  CHECK(at::equal(boxes[0][1], at::tensor({3.0f, 2.0f, 6.0f, 8.0f})));
  CHECK(at::equal(boxes[1][2], at::tensor({0.0f, 0.0f, 12.0f, 10.0f})));
  CHECK(boxes[0][0].abs().sum().item<float>() == 0);
}

TEST_CASE("RLE and masks_to_boxes on CUDA equal the CPU", "[rle][cuda]") {
  if (!trackkit::cuda_available()) TK_SKIP("no CUDA device");
  const at::Tensor masks = random_masks(9, 123, 77, 0.4, 11);
  const std::vector<trackkit::RleMask> cpu = trackkit::rle_encode(masks), gpu = trackkit::rle_encode(masks.cuda());
  for (size_t i = 0; i < cpu.size(); ++i) CHECK(cpu[i].counts == gpu[i].counts);
  CHECK(at::equal(trackkit::rle_decode(cpu, at::kCUDA).cpu(), masks));
  CHECK(at::equal(trackkit::masks_to_boxes(masks.cuda()).cpu(), trackkit::masks_to_boxes(masks)));
}
