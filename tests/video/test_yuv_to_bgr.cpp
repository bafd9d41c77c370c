// yuv_to_bgr on the CPU against the ITU-R equations evaluated here in double precision (every 8-bit code, both
// ranges, three matrices; random 10-bit samples, LSB- and MSB-aligned), the nearest-chroma rule against 4:4:4
// planes upsampled by repetition, strided (NV12-style) planes against compact copies, and its argument checks.
#include <ATen/ATen.h>

#include <cstdio>
#include <string>

#include "catch.hpp"
#include "trackkit/video.hpp"
#include "video/video_test_util.hpp"

using trackkit::ColorMatrix;
using trackkit::YuvFormat;
using video_test::Agreement;
using video_test::compare_with_reference;

TEST_CASE("video: yuv_to_bgr equals the ITU-R equations for every 8-bit code") {
  // 16 luma codes a block of 256 x 256 pixels holding every (Cb, Cr) pair: 4:4:4 planes, all 2^24 triples.
  const at::Tensor rows = at::arange(16 * 256, at::kInt).view({-1, 1}).expand({16 * 256, 256});
  const at::Tensor cr = at::arange(256, at::kInt).view({1, -1}).expand({16 * 256, 256}).to(at::kByte).contiguous();
  const at::Tensor cb = (rows % 256).to(at::kByte).contiguous();
  for (ColorMatrix m : {ColorMatrix::BT601, ColorMatrix::BT709, ColorMatrix::BT2020}) {
    for (bool full : {false, true}) {
      YuvFormat f;
      f.matrix = m, f.full_range = full;
      Agreement a;
      for (int first = 0; first < 256; first += 16) {
        const at::Tensor y = (at::div(rows, 256, "floor") + first).to(at::kByte).contiguous();
        compare_with_reference(trackkit::yuv_to_bgr(y, cb, cr, f), y, cb, cr, f, a);
      }
      std::printf("%s %s range: %lld of %lld values within 1e-3 of a tie, %lld of them rounded the other way\n",
                  trackkit::color_matrix_name(m), full ? "full" : "limited", (long long)a.near_ties,
                  (long long)a.values, (long long)a.near_tie_mismatches);
      CHECK(a.values == (int64_t{1} << 24) * 3);
      CHECK(a.off_tie_mismatches == 0);
      CHECK(a.max_diff <= 1);
    }
  }
}

TEST_CASE("video: yuv_to_bgr reads 10-bit samples at the bottom or the top of 16") {
  at::manual_seed(7);
  const int64_t h = 64, w = 96;
  const at::Tensor y = at::randint(0, 1024, {h, w}, at::kInt), u = at::randint(0, 1024, {h, w}, at::kInt),
                   v = at::randint(0, 1024, {h, w}, at::kInt);
  for (bool full : {false, true}) {
    YuvFormat f;
    f.matrix = ColorMatrix::BT2020, f.full_range = full, f.bits = 10;
    const at::Tensor low = trackkit::yuv_to_bgr(y.to(at::kUInt16), u.to(at::kUInt16), v.to(at::kUInt16), f);
    // P010: the code in the top 10 bits; whatever the bottom 6 bits hold is ignored.
    const auto top = [](const at::Tensor& t) {
      return (t * 64 + at::randint(0, 64, t.sizes(), at::kInt)).to(at::kUInt16);
    };
    YuvFormat msb = f;
    msb.msb_aligned = true;
    const at::Tensor high = trackkit::yuv_to_bgr(top(y), top(u), top(v), msb);
    CHECK(at::equal(low, high));
    Agreement a;
    compare_with_reference(low, y, u, v, f, a);
    CHECK(a.off_tie_mismatches == 0);
    CHECK(a.max_diff <= 1);
  }
}

TEST_CASE("video: yuv_to_bgr takes chroma nearest for 4:2:0 and 4:2:2 and honours strides") {
  at::manual_seed(3);
  const int64_t h = 7, w = 9, h2 = 4, w2 = 5; // odd sizes: the last chroma row and column serve one luma line
  const at::Tensor y = at::randint(0, 256, {h, w}, at::kByte);
  const at::Tensor u = at::randint(0, 256, {h2, w2}, at::kByte), v = at::randint(0, 256, {h2, w2}, at::kByte);
  const auto up = [&](const at::Tensor& c, int64_t sy) {
    at::Tensor t = c.repeat_interleave(2, 1).narrow(1, 0, w);
    return (sy == 2 ? t.repeat_interleave(2, 0).narrow(0, 0, h) : t).contiguous();
  };
  YuvFormat f;
  f.matrix = ColorMatrix::BT709;
  const at::Tensor full = trackkit::yuv_to_bgr(y, up(u, 2), up(v, 2), f);
  CHECK(at::equal(trackkit::yuv_to_bgr(y, u, v, f), full));
  const at::Tensor u422 = at::randint(0, 256, {h, w2}, at::kByte), v422 = at::randint(0, 256, {h, w2}, at::kByte);
  CHECK(at::equal(trackkit::yuv_to_bgr(y, u422, v422, f), trackkit::yuv_to_bgr(y, up(u422, 1), up(v422, 1), f)));
  // NV12 in one padded buffer: luma rows, then interleaved Cb Cr rows, each row 16 bytes apart.
  at::Tensor buffer = at::randint(0, 256, {h + h2, 16}, at::kByte);
  buffer.narrow(0, 0, h).narrow(1, 0, w).copy_(y);
  const at::Tensor uv = buffer.narrow(0, h, h2).narrow(1, 0, 2 * w2).view({h2, w2, 2});
  uv.select(2, 0).copy_(u), uv.select(2, 1).copy_(v);
  CHECK(at::equal(trackkit::yuv_to_bgr(buffer.narrow(0, 0, h).narrow(1, 0, w), uv.select(2, 0), uv.select(2, 1), f),
                  full));
  // RGB order is BGR reversed.
  CHECK(at::equal(trackkit::yuv_to_bgr(y, u, v, f, true), full.flip(2)));
}

TEST_CASE("video: yuv_to_bgr names what is wrong with its arguments") {
  const at::Tensor y = at::zeros({4, 6}, at::kByte), c = at::zeros({2, 3}, at::kByte);
  CHECK(tk_error_of([&] { trackkit::yuv_to_bgr(y.to(at::kFloat), c, c); }).rfind("yuv_to_bgr: y", 0) == 0);
  CHECK(tk_error_of([&] { trackkit::yuv_to_bgr(y, c.to(at::kInt), c); }).rfind("yuv_to_bgr: u", 0) == 0);
  CHECK(tk_error_of([&] {
          trackkit::yuv_to_bgr(y, at::zeros({3, 3}, at::kByte), c);
        }) ==
        "yuv_to_bgr: u must be [H,W], [H,ceil(W/2)], [ceil(H/2),W] or [ceil(H/2),ceil(W/2)] for y [4,6], got [3,3]");
  CHECK(tk_error_of([&] {
          trackkit::yuv_to_bgr(y, c, at::zeros({4, 6}, at::kByte));
        }) == "yuv_to_bgr: v must have u's shape [2,3], got [4,6]");
  YuvFormat ten;
  ten.bits = 10;
  CHECK(tk_error_of([&] { trackkit::yuv_to_bgr(y, c, c, ten); }) ==
        "yuv_to_bgr: format.bits must be 8 for uint8 planes, got 10");
  CHECK(tk_error_of([&] { trackkit::yuv_to_bgr(y.to(at::kUInt16), c.to(at::kUInt16), c.to(at::kUInt16)); }) ==
        "yuv_to_bgr: format.bits must be 9..16 for uint16 planes, got 8");
  CHECK(tk_error_of([&] { trackkit::yuv_to_bgr(at::zeros({0, 6}, at::kByte), c, c); }).rfind("yuv_to_bgr: y", 0) == 0);
}
