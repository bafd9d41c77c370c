#include "trackkit/rle.hpp"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <cstdint>
#include <numeric>

#include "ops/binary_mask.hpp"
#include "trackkit/check.hpp"
#include "trackkit/error.hpp"

namespace trackkit {

std::vector<RleMask> rle_encode(const at::Tensor& masks) {
  TensorCheck("rle_encode", "masks", masks).dtype({at::kBool, at::kByte}).dim(3);
  const int64_t n = masks.size(0), h = masks.size(1), w = masks.size(2), hw = h * w;
  std::vector<RleMask> out(n, RleMask{h, w, {}});
  if (n == 0 || hw == 0) {
    for (RleMask& r : out) r.counts = {static_cast<uint32_t>(hw)};
    return out;
  }
  // Column-major pixels; a run starts where a pixel differs from the one before it. Only those positions (and
  // each mask's first pixel) leave the device.
  const at::Tensor flat = (masks.transpose(1, 2).reshape({n, hw}) != 0);
  const at::Tensor changes = at::nonzero(flat.narrow(1, 1, hw - 1) != flat.narrow(1, 0, hw - 1)).cpu().contiguous();
  const at::Tensor first = flat.select(1, 0).cpu().contiguous();
  const int64_t* c = changes.const_data_ptr<int64_t>();
  const bool* starts_inside = first.const_data_ptr<bool>();
  int64_t k = 0;
  for (int64_t i = 0; i < n; ++i) {
    std::vector<uint32_t>& counts = out[i].counts;
    if (starts_inside[i]) counts.push_back(0);
    int64_t previous = 0;
    for (; k < changes.size(0) && c[2 * k] == i; ++k) {
      const int64_t at = c[2 * k + 1] + 1; // first pixel of the new run
      counts.push_back(static_cast<uint32_t>(at - previous));
      previous = at;
    }
    counts.push_back(static_cast<uint32_t>(hw - previous));
  }
  return out;
}

int64_t rle_area(const RleMask& rle) {
  int64_t area = 0;
  for (size_t i = 1; i < rle.counts.size(); i += 2) area += rle.counts[i];
  return area;
}

at::Tensor rle_decode(const std::vector<RleMask>& rles, c10::Device device) {
  const int64_t n = static_cast<int64_t>(rles.size());
  const int64_t h = n ? rles[0].height : 0, w = n ? rles[0].width : 0;
  for (int64_t i = 0; i < n; ++i) {
    const RleMask& r = rles[i];
    const std::string row = "rle_decode: rles[" + std::to_string(i) + "] ";
    if (r.height != h || r.width != w)
      throw Error(ErrorCode::InvalidArgument, row + "is " + std::to_string(r.height) + "x" + std::to_string(r.width) +
                                                  ", rles[0] " + std::to_string(h) + "x" + std::to_string(w));
    const int64_t total = std::accumulate(r.counts.begin(), r.counts.end(), int64_t{0});
    if (r.height < 0 || r.width < 0 || total != h * w)
      throw Error(ErrorCode::InvalidArgument, row + "counts add up to " + std::to_string(total) +
                                                  ", not height x width = " + std::to_string(h * w));
  }
  at::Tensor columns = at::zeros({n, w, h}, at::kBool); // column-major = the transposed grid, row-major
  bool* data = columns.data_ptr<bool>();
  at::parallel_for(0, n, 1, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      int64_t at = 0;
      for (size_t k = 0; k < rles[i].counts.size(); ++k) {
        const int64_t run = rles[i].counts[k];
        if (k % 2 == 1) std::fill_n(data + i * h * w + at, run, true);
        at += run;
      }
    }
  });
  return columns.transpose(1, 2).contiguous().to(device);
}

// pycocotools' compressed form (its rleToString / rleFrString, BSD-2-Clause, notice in NOTICE.md; this follows
// their steps to stay byte-compatible): each count (from the fourth on, minus the count two before it) as a
// little-endian sequence of 5-bit groups, each written as a character 48 + group, 0x20 flagging "more follows"
// and 0x10 of the last group carrying the sign.
std::string rle_to_string(const RleMask& rle) {
  std::string s;
  for (size_t i = 0; i < rle.counts.size(); ++i) {
    int64_t x = rle.counts[i];
    if (i > 2) x -= rle.counts[i - 2];
    bool more = true;
    while (more) {
      int64_t group = x & 0x1f;
      x >>= 5; // arithmetic shift: negative values end at -1
      more = (group & 0x10) ? x != -1 : x != 0;
      if (more) group |= 0x20;
      s.push_back(static_cast<char>(group + 48));
    }
  }
  return s;
}

RleMask rle_from_string(const std::string& counts, int64_t height, int64_t width) {
  RleMask rle{height, width, {}};
  size_t p = 0;
  while (p < counts.size()) {
    // Bits are assembled unsigned: shifting a signed value into or past bit 63 is undefined. COCO's runs are
    // uint32 deltas, so 7 groups (35 bits with the sign) are the most a valid string uses.
    uint64_t bits = 0;
    int shift = 0;
    bool more = true;
    while (more) {
      if (p >= counts.size() || counts[p] < 48 || counts[p] >= 48 + 64 || shift > 30)
        throw Error(ErrorCode::InvalidArgument,
                    "rle_from_string: counts is not a COCO RLE string (at character " + std::to_string(p) + ")");
      const uint64_t group = static_cast<uint64_t>(counts[p] - 48);
      bits |= (group & 0x1f) << shift;
      more = (group & 0x20) != 0;
      ++p, shift += 5;
      if (!more && (group & 0x10)) bits |= ~uint64_t{0} << shift; // sign-extend
    }
    int64_t x = static_cast<int64_t>(bits);
    if (rle.counts.size() > 2) x += rle.counts[rle.counts.size() - 2];
    int64_t pixels = 0;
    if (__builtin_mul_overflow(height, width, &pixels) || x < 0 || x > pixels)
      throw Error(ErrorCode::InvalidArgument, "rle_from_string: counts decodes to a run of " + std::to_string(x) +
                                                  " pixels in a " + std::to_string(height) + "x" +
                                                  std::to_string(width) + " mask");
    rle.counts.push_back(static_cast<uint32_t>(x));
  }
  return rle;
}

at::Tensor mask_iou(const at::Tensor& a, const at::Tensor& b) {
  TensorCheck ca("mask_iou", "a", a), cb("mask_iou", "b", b);
  ca.dtype({at::kBool, at::kByte}).dim(3);
  cb.dtype({at::kBool, at::kByte}).dim(3);
  if (a.size(1) != b.size(1) || a.size(2) != b.size(2))
    cb.fail("must be on a's grid (" + shape_string(a.sizes().slice(1)) + "), got " + shape_string(b.sizes()));
  auto crop_all = [](const at::Tensor& m) {
    const at::Tensor bytes = m.to(at::kCPU).to(at::kByte).contiguous();
    const int64_t h = bytes.size(1), w = bytes.size(2);
    std::vector<detail::MaskPtr> out(bytes.size(0));
    at::parallel_for(0, bytes.size(0), 1, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i)
        out[i] = detail::crop_mask(bytes.const_data_ptr<uint8_t>() + i * h * w, h, w);
    });
    return out;
  };
  const std::vector<detail::MaskPtr> ma = crop_all(a), mb = crop_all(b);
  at::Tensor iou = at::zeros({a.size(0), b.size(0)}, at::kDouble);
  double* out = iou.data_ptr<double>();
  const int64_t m = b.size(0);
  at::parallel_for(0, a.size(0) * m, 1, [&](int64_t begin, int64_t end) {
    for (int64_t k = begin; k < end; ++k) out[k] = detail::mask_iou(*ma[k / m], 0, 0, *mb[k % m]);
  });
  return iou;
}

} // namespace trackkit
